/**
 * Reads every record of one key from an event topic, up to the end offsets at the start of the
 * scan (design.md §5, History). Only the partition the key hashes to is read from its log start:
 * the Java default partitioner, kafkajs' and ours all place a key there (partitioner.ts). The
 * reader tails every partition of a topic, so the other partitions start at their current end
 * and are (almost) never fetched from.
 */
import { KafkaError, partitionForKey } from '../../kafka/index.ts';
import type { KafkaClient, KafkaRecord } from '../../kafka/types.ts';
import { abortable } from '../../kafka/wait.ts';

export interface KeyScanOptions {
  /** Aborting stops the scan; it then rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /**
   * Gets the key's records in offset order (tombstones and all). Returning false ends the scan
   * early: the caller has what it needs.
   */
  readonly onRecord: (record: KafkaRecord) => boolean;
}

export interface KeyScanResult {
  /** The partition the key hashes to. */
  readonly partition: number;
  /**
   * Its end offset when the scan started (the last stable offset, read_committed): every record
   * before it was seen, none after it.
   */
  readonly end: string;
  /** False when `onRecord` ended the scan early. */
  readonly complete: boolean;
}

/**
 * Scans `topic` for the records of `key`. Rejects with a KafkaError when the topic's end offsets
 * cannot be read (TOPIC_NOT_FOUND, KAFKA_UNAVAILABLE); while the reader cannot fetch it retries,
 * so an outage shows as the signal aborting. Resolves only once the reader has stopped.
 */
export async function scanKey(
  kafka: KafkaClient,
  topic: string,
  key: Buffer,
  options: KeyScanOptions,
): Promise<KeyScanResult> {
  const { signal } = options;
  signal.throwIfAborted();
  // Read after the request arrived: a write acknowledged before it is below these offsets
  // (read-your-writes). The keys are the topic's partitions, so no separately cached count
  // can be stale after partitions were added.
  const ends = await abortable(
    kafka.admin.highWatermarks(topic, { isolation: 'read_committed' }),
    signal,
  );
  const partitions = Object.keys(ends).map(Number);
  const partition = partitionForKey(key, partitions.length);
  const endText = ends[partition];
  if (endText === undefined) {
    throw new KafkaError('KAFKA_ERROR', `${topic} has no partition ${partition}`);
  }
  const end = BigInt(endText);
  if (end === 0n) return { partition, end: endText, complete: true };

  // Partitions missing from a start map start at the log start: list all but the key's own.
  const from: Record<number, string> = {};
  for (const other of partitions) {
    const offset = ends[other];
    if (other !== partition && offset !== undefined) from[other] = offset;
  }

  let complete = true;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let ended = false;
  const endScan = (): void => {
    ended = true;
    finish();
  };
  const reader = kafka.reader(topic, {
    from,
    onRecords: (records) => {
      if (ended) return;
      for (const record of records) {
        if (record.partition !== partition) continue;
        const offset = BigInt(record.offset);
        if (offset >= end) return endScan();
        if (record.key !== null && record.key.equals(key) && !options.onRecord(record)) {
          complete = false;
          return endScan();
        }
        if (offset + 1n >= end) return endScan();
      }
      // The records before the end may be control records or aborted ones, never delivered:
      // the position, which the reader moves right after this returns, still says how far it is.
      setImmediate(() => {
        const position = reader.positions()[partition];
        if (position !== undefined && BigInt(position) >= end) endScan();
      });
    },
  });
  try {
    await abortable(
      Promise.race([
        finished,
        // Every partition read to the end offsets the reader itself read at start, which are at
        // or past ours. Rejects with CLOSED when onRecords threw: `done` then says what it threw.
        reader.caughtUp.catch(() => reader.done),
        reader.done,
      ]),
      signal,
    );
  } finally {
    ended = true;
    await reader.stop();
  }
  return { partition, end: endText, complete };
}
