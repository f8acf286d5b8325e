/**
 * The context a handler writes through. It only collects: the records go out in the command's
 * transaction after the handler returned, and are dropped when it throws. Writing to a topic the
 * spec does not declare as an output, or a message that topic does not declare, throws, so the
 * handler fails (a 500 reply).
 */
import { partitionForKey } from '../kafka/partitioner.ts';
import type { Command, HandlerContext, OutputSpec } from './types.ts';

/** Headers copied from the command onto everything its handler writes (design.md §8). */
export const passedOnHeaders: readonly string[] = [
  'specgate-identity',
  'traceparent',
  'tracestate',
];

/** A record a handler wrote, with the partition it goes to. */
export interface OutputRecord {
  readonly topic: string;
  readonly partition: number;
  /** null for a record without a key. */
  readonly key: string | null;
  /** null for a tombstone. */
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** What the runner knows of its outputs: the spec, and each topic's partition count. */
export interface Outputs {
  readonly byTopic: ReadonlyMap<string, OutputSpec>;
  readonly partitions: ReadonlyMap<string, number>;
}

export interface Recording {
  readonly context: HandlerContext;
  /** Everything written so far, in order. */
  readonly records: readonly OutputRecord[];
  /** Ends the recording: writing afterwards (a handler that kept its context) throws. */
  close(): void;
}

let keylessCounter = 0;

/** The aggregate state as one handler sees and changes it (see aggregate-state.ts). */
export interface StateView {
  current(key: string): unknown;
  /** Folds an event the handler emitted to `topic` into its view. */
  emitted(topic: string, key: string, name: string, value: unknown): void;
}

export function startRecording(
  outputs: Outputs,
  command: Command<unknown>,
  signal: AbortSignal,
  state?: StateView,
): Recording {
  const records: OutputRecord[] = [];
  let closed = false;
  const passed: Record<string, string> = {};
  for (const name of passedOnHeaders) {
    const value = command.headers[name];
    if (value !== undefined) passed[name] = value;
  }

  const output = (topic: string, kind: OutputSpec['kind']): OutputSpec => {
    if (closed) throw new Error(`${command.name}: the handler wrote to ${topic} after it returned`);
    const spec = outputs.byTopic.get(topic);
    if (spec === undefined || spec.kind !== kind) {
      throw new Error(`${command.name}: ${topic} is not a declared ${kind} output of the service`);
    }
    return spec;
  };
  const push = (
    spec: OutputSpec,
    key: string,
    value: string | null,
    headers: Record<string, string>,
  ): void => {
    records.push({
      topic: spec.topic,
      partition: partitionOf(outputs, spec.topic, key),
      key: key === '' ? null : key,
      value,
      headers: { ...headers, ...passed },
    });
  };

  const context: HandlerContext = {
    signal,
    state: (key) => state?.current(key ?? command.key),
    emit(topic, message, value, options) {
      const spec = output(topic, 'event');
      if (!spec.messages.includes(message)) {
        throw new Error(`${command.name}: ${topic} declares no message ${message}`);
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (spec.typeHeader !== undefined) headers[spec.typeHeader] = message;
      const key = options?.key ?? command.key;
      const encoded = encodeJson(value);
      push(spec, key, encoded, headers);
      // The state sees the value as a reader of the topic will: its JSON.
      state?.emitted(topic, key, message, JSON.parse(encoded));
    },
    snapshot(topic, value, options) {
      const spec = output(topic, 'snapshot');
      const headers: Record<string, string> = {};
      if (value !== null) headers['content-type'] = 'application/json';
      // A snapshot names no message; with one declared, its type is not in doubt.
      const [only, ...others] = spec.messages;
      if (spec.typeHeader !== undefined && only !== undefined && others.length === 0) {
        headers[spec.typeHeader] = only;
      }
      if (options?.etag !== undefined) headers.etag = options.etag;
      push(spec, options?.key ?? command.key, value === null ? null : encodeJson(value), headers);
    },
  };
  return {
    context,
    records,
    close() {
      closed = true;
    },
  };
}

/** JSON text of a value; throws (failing the handler) for what JSON cannot hold. */
export function encodeJson(value: unknown): string {
  const text: unknown = JSON.stringify(value);
  if (typeof text !== 'string') throw new TypeError('the value has no JSON form');
  return text;
}

/**
 * The partition the Java client's default partitioner picks for the key, so events of one
 * aggregate stay in order wherever they are written from; keyless records go round-robin.
 */
function partitionOf(outputs: Outputs, topic: string, key: string): number {
  const count = outputs.partitions.get(topic) ?? 1;
  if (key !== '') return partitionForKey(Buffer.from(key, 'utf8'), count);
  keylessCounter = (keylessCounter + 1) % count;
  return keylessCounter;
}
