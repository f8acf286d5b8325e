/**
 * Helpers for compaction-restart.test.ts: topic configs that make the cleaner run at once, and a
 * bounded wait for it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';

/**
 * Makes the cleaner compact within seconds (as in test/smoke/kafka-smoke.test.ts). Kafka 4
 * refuses `segment.bytes` below 1 MiB, so segments roll by age: a record appended more than
 * `segment.ms` after the segment opened rolls it, and the closed segment is cleanable at once.
 * The test broker looks for dirty logs every second (`log.cleaner.backoff.ms`,
 * scripts/kafka/broker-config.ts).
 */
export const FAST_COMPACTION = {
  'segment.ms': '100',
  'min.cleanable.dirty.ratio': '0.01',
  'min.compaction.lag.ms': '0',
  'delete.retention.ms': '100',
} as const;

export interface CompactionWait {
  readonly topic: string;
  readonly brokers: readonly string[];
  /** What compacted means for this topic, judged on everything stored in it. */
  readonly compacted: (records: readonly TopicRecord[]) => boolean;
  /**
   * Appends to every partition. The cleaner never touches a partition's active segment, and
   * `segment.ms` rolls one only on an append, so the last written records become cleanable
   * only after this.
   */
  readonly roll: () => Promise<void>;
  readonly timeoutMs: number;
}

/**
 * Reads the topic raw (every stored record, read_uncommitted, no consumer group) until
 * `compacted` holds, rolling segments between reads. Throws with what it last saw after
 * `timeoutMs`; the records and the time it took otherwise.
 */
export async function waitForCompaction(
  wait: CompactionWait,
): Promise<{ records: TopicRecord[]; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const records = await readTopic(wait.topic, {
      brokers: wait.brokers,
      isolation: 'read_uncommitted',
    });
    if (wait.compacted(records)) return { records, waitedMs: Date.now() - started };
    if (Date.now() - started > wait.timeoutMs) {
      throw new Error(
        `the log cleaner did not compact ${wait.topic} within ${wait.timeoutMs} ms ` +
          `(${records.length} records stored); is log.cleaner.backoff.ms small on this broker?`,
      );
    }
    await sleep(250);
    await wait.roll();
  }
}
