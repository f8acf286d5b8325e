/**
 * One command from record to outcome, with no Kafka I/O: decode and validate it, run its handler
 * with a recording context, encode the reply. Every failure becomes an outcome (400, 500, 501),
 * never an exception, so one bad command cannot stop the loop.
 */
import type { KafkaMessage } from 'kafkajs';
import type { StateLayer } from './aggregate-state.ts';
import { startRecording, type OutputRecord, type Outputs } from './context.ts';
import { decodeCommand } from './decode.ts';
import { encodeReply, problemReply, type EncodedReply } from './reply.ts';
import type { PayloadCheck } from './validation.ts';
import { traceIdOf } from '../gateway/trace-context.ts';
import type { Handler, ServiceLogEntry, ServiceSpec } from './types.ts';

/** What one command comes to; it is written in the command's transaction. */
export interface Outcome {
  /** The reply's status (also when nobody asked for a reply): for stats. */
  readonly status: number;
  /** The command's message name; absent when the record was not a command the spec names. */
  readonly command?: string;
  /** The trace id of the command's `traceparent`, for logs. */
  readonly traceId?: string;
  /** The handler's events and snapshots; none when it failed. */
  readonly records: readonly OutputRecord[];
  /** Present when the command has a correlation id and a reply-to topic. */
  readonly reply?: {
    readonly topic: string;
    readonly key: string | null;
    readonly correlationId: string;
    readonly encoded: EncodedReply;
  };
}

export interface HandleContext {
  readonly spec: ServiceSpec;
  readonly handlers: { readonly [name: string]: Handler<unknown> };
  readonly checks: ReadonlyMap<string, PayloadCheck>;
  readonly outputs: Outputs;
  readonly signal: AbortSignal;
  readonly log: (entry: ServiceLogEntry) => void;
}

/**
 * `run` is the aggregate state of the transaction in hand, when the service has an aggregate:
 * the handler sees it and, when it returns, what it emitted is taken into it.
 */
export async function handleCommand(
  context: HandleContext,
  partition: number,
  message: KafkaMessage,
  run?: StateLayer,
): Promise<Outcome> {
  const { spec, log } = context;
  const decoded = decodeCommand(spec, context.checks, partition, message);
  const traceId = traceIdOf((decoded.ok ? decoded.command : decoded).headers.traceparent);
  const where = {
    partition,
    offset: message.offset,
    ...(traceId === undefined ? {} : { traceId }),
  };
  if (!decoded.ok) {
    log({ level: 'warn', message: `rejected a command: ${decoded.detail}`, details: where });
    return outcome(decoded.headers, decoded.key, problemReply(400, decoded.detail), []);
  }
  const { command } = decoded;
  const handler = Object.hasOwn(context.handlers, command.name)
    ? context.handlers[command.name]
    : undefined;
  if (handler === undefined) {
    const detail = `the service has no handler for ${command.name}`;
    return outcome(command.headers, command.key, problemReply(501, detail), [], command.name);
  }

  const layer = run?.child();
  const recording = startRecording(context.outputs, command, context.signal, layer);
  try {
    const encoded = encodeReply(await handler(command, recording.context));
    if (layer !== undefined) run?.absorb(layer);
    return outcome(command.headers, command.key, encoded, [...recording.records], command.name);
  } catch (error) {
    log({
      level: 'error',
      message: `the ${command.name} handler failed: ${error instanceof Error ? error.message : String(error)}`,
      details: { ...where, stack: error instanceof Error ? error.stack : undefined },
    });
    const detail = `the ${command.name} handler failed`;
    return outcome(command.headers, command.key, problemReply(500, detail), [], command.name);
  } finally {
    recording.close();
  }

  function outcome(
    headers: Readonly<Record<string, string>>,
    key: string,
    encoded: EncodedReply,
    records: readonly OutputRecord[],
    command?: string,
  ): Outcome {
    const correlationId = headers[spec.correlationHeader];
    const topic = headers[spec.replyToHeader];
    const done = {
      status: encoded.status,
      records,
      ...(command === undefined ? {} : { command }),
      ...(traceId === undefined ? {} : { traceId }),
    };
    if (correlationId === undefined || topic === undefined || topic === '') return done;
    // The reply goes on in the command's trace, as everything its handler wrote does (unless
    // the handler set its own trace headers: a span of its own).
    const trace = traceHeaders(headers);
    return {
      ...done,
      reply: {
        topic,
        key: key === '' ? null : key,
        correlationId,
        encoded: { ...encoded, headers: { ...trace, ...encoded.headers } },
      },
    };
  }
}

/** The command's W3C trace context headers, when it has them. */
function traceHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const trace: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = headers[name];
    if (value !== undefined) trace[name] = value;
  }
  return trace;
}
