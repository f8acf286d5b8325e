// Reads what is in a topic right now, from the beginning, WITHOUT a consumer group: a one-shot
// use of the runtime's topic reader (runtime/kafka/reader.ts), which tails every partition with
// plain Fetch requests (kafkajs 2.2.4 has no assign(), and its consumer always joins a group).
// The reader starts at the log start, and this stops it once every partition has reached the
// end offset it read at start: the high watermark (read_uncommitted) or the last stable offset
// (read_committed). Records written after that are left out.
import type { IHeaders } from 'kafkajs';
import { ClusterConnection } from '../../runtime/kafka/connection.ts';
import type { FetchedRecord } from '../../runtime/kafka/fetch.ts';
import { resolveConfig } from '../../runtime/kafka/index.ts';
import { KafkajsTopicReader } from '../../runtime/kafka/reader.ts';
import { kafkaBrokers } from './brokers.ts';

/** One record as stored in the topic. */
export interface TopicRecord {
  readonly partition: number;
  /** Int64 as a decimal string, as kafkajs gives it. */
  readonly offset: string;
  readonly key: Buffer | null;
  /** null for a tombstone. */
  readonly value: Buffer | null;
  /** Values decoded as UTF-8; a repeated header name collects its values in an array. */
  readonly headers: IHeaders;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
  /** The writer's producer id; `-1` unless it was an idempotent or transactional producer. */
  readonly producerId: string;
}

export interface ReadTopicOptions {
  /** Default `read_committed`, what a kafkajs consumer sees by default. */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
  /** Default: this run's broker. */
  readonly brokers?: readonly string[];
  /** Give up after this long; default 20 s. */
  readonly timeoutMs?: number;
}

/** Every record now visible in `topic`, partition by partition, in offset order. */
export async function readTopic(
  topic: string,
  options: ReadTopicOptions = {},
): Promise<TopicRecord[]> {
  const config = resolveConfig({
    brokers: options.brokers ?? kafkaBrokers(),
    clientId: 'specgate-test-read-topic',
    logLevel: 'warn',
    log: ({ level, namespace, message }) => console.warn(`${level} [${namespace}] ${message}`),
  });
  const records: FetchedRecord[] = [];
  const reader = new KafkajsTopicReader(
    new ClusterConnection(config),
    topic,
    {
      from: 'earliest',
      isolation: options.isolation ?? 'read_committed',
      // Nothing to wait for once caught up: answer at once rather than hold a long poll.
      maxWaitMs: 0,
      onRecords: (batch) => {
        records.push(...batch);
      },
    },
    config.log,
    config.requestTimeoutMs,
  );
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      reader.caughtUp,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const where = JSON.stringify({
            positions: reader.positions(),
            ends: reader.highWatermarks() ?? 'not read (no broker, or no such topic)',
          });
          reject(
            new Error(`readTopic: timed out after ${timeoutMs} ms reading ${topic}: ${where}`),
          );
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await reader.stop();
  }
  const ends = reader.highWatermarks() ?? {};
  return records
    .filter((record) => BigInt(record.offset) < BigInt(ends[record.partition] ?? '0'))
    .sort((a, b) => a.partition - b.partition || compareOffsets(a.offset, b.offset))
    .map(toTopicRecord);
}

/**
 * The latest value per key, as a compacted topic's reader rebuilds it: later records win, and a
 * tombstone (null value) deletes the key. Keys and values are decoded as UTF-8.
 */
export function latestState(records: readonly TopicRecord[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const record of records) {
    if (record.key === null) continue;
    const key = record.key.toString('utf8');
    if (record.value === null) state.delete(key);
    else state.set(key, record.value.toString('utf8'));
  }
  return state;
}

function toTopicRecord(record: FetchedRecord): TopicRecord {
  const headers: IHeaders = {};
  for (const [name, value] of record.headerEntries) {
    const earlier = headers[name];
    headers[name] = earlier === undefined ? value : [...[earlier].flat(), value];
  }
  return {
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    value: record.value,
    headers,
    timestamp: String(record.timestamp),
    producerId: record.producerId,
  };
}

function compareOffsets(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
