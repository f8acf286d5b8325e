/**
 * One record of an event topic as an element of a history answer (design.md §5, the
 * `HistoryEntryBase` schema of specs/todo/openapi.yaml): pure functions, no Kafka.
 */
import type { KafkaRecord } from '../../kafka/types.ts';
import type { StreamMessagesSpec } from '../streams/stream-spec.ts';

/** The record header carrying the identity that caused an event (the security issue). */
export const identityHeader = 'specgate-identity';

/** One element of a history answer, as its JSON says. */
export interface HistoryEntry {
  /** The AsyncAPI message name of the event. */
  readonly event: string;
  /** The record timestamp, ISO 8601 (UTC). */
  readonly timestamp: string;
  /** The record's offset in its partition: an int64 as a decimal string. */
  readonly offset: string;
  /** The `specgate-identity` header, when the record has one. */
  readonly identity?: string;
  /** The record value, parsed as JSON. */
  readonly data: unknown;
}

/**
 * The message name of a record: with one name, that name (whatever the record says); with
 * several, the `eventNameHeader` value when it is one of them. Otherwise undefined: the answer's
 * schema lets `event` be only a declared name, so a typed client can narrow `data` by it.
 */
export function eventNameOf(
  messages: StreamMessagesSpec,
  headers: Readonly<Record<string, string>>,
): string | undefined {
  const [only, ...others] = messages.names;
  if (only !== undefined && others.length === 0) return only;
  const header = messages.eventNameHeader;
  const name = header === undefined ? undefined : headers[header];
  return name !== undefined && messages.names.includes(name) ? name : undefined;
}

/**
 * The JSON text of a record's history entry, or undefined when the record has none: a tombstone
 * or empty value (no event to show), a value that is not JSON (the schema wants `data` to be
 * the message payload), a message type that cannot be told (see `eventNameOf`), or a timestamp
 * a Date cannot hold. The value's own text is embedded as it is, so numbers beyond 2^53 keep
 * their digits.
 */
export function historyEntryJson(
  record: KafkaRecord,
  messages: StreamMessagesSpec,
): string | undefined {
  if (record.value === null || record.value.length === 0) return undefined;
  const event = eventNameOf(messages, record.headers);
  if (event === undefined) return undefined;
  const timestamp = isoTimestamp(record.timestamp);
  if (timestamp === undefined) return undefined;
  const data = record.value.toString('utf8');
  try {
    JSON.parse(data);
  } catch {
    return undefined;
  }
  const identity = record.headers[identityHeader];
  return (
    `{"event":${JSON.stringify(event)},"timestamp":${JSON.stringify(timestamp)},` +
    `"offset":${JSON.stringify(record.offset)},` +
    (identity === undefined ? '' : `"identity":${JSON.stringify(identity)},`) +
    `"data":${data}}`
  );
}

/** The JSON array of entries made by `historyEntryJson`. */
export function historyJson(entries: readonly string[]): string {
  return `[${entries.join(',')}]`;
}

function isoTimestamp(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
