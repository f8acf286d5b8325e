/**
 * Helpers for compaction-restart.test.ts: the todo specs with a snapshot topic of the run's own,
 * loading a generated gateway without starting it, and a bounded wait for the log cleaner.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { GatewaySpec, RegisterRoutes } from '../../runtime/index.ts';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';
import { repoRoot } from './support.ts';

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

/**
 * Copies specs/todo into a fresh folder under test/.tmp with the snapshot channel's address
 * renamed to `topic`, so its configs can be changed without touching the `task-snapshots` topic
 * other tests share. Returns the two spec paths.
 */
export async function todoSpecsWithSnapshotTopic(
  topic: string,
): Promise<{ openapi: string; asyncapi: string }> {
  const dir = join(repoRoot, 'test/.tmp', `compaction-specs-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  const source = await readFile(join(repoRoot, 'specs/todo/asyncapi.yaml'), 'utf8');
  const renamed = source.replace(/^(\s+address: )task-snapshots$/m, `$1${topic}`);
  if (renamed === source) {
    throw new Error('specs/todo/asyncapi.yaml has no `address: task-snapshots` line to rename');
  }
  const openapi = join(dir, 'openapi.yaml');
  const asyncapi = join(dir, 'asyncapi.yaml');
  await copyFile(join(repoRoot, 'specs/todo/openapi.yaml'), openapi);
  await writeFile(asyncapi, renamed);
  return { openapi, asyncapi };
}

/** A generated gateway's spec and routes, for calling createGateway directly. */
export async function importGenerated(
  out: string,
): Promise<{ spec: GatewaySpec; routes: RegisterRoutes }> {
  const specModule: unknown = await import(pathToFileURL(join(out, 'gateway/spec.ts')).href);
  const routesModule: unknown = await import(pathToFileURL(join(out, 'gateway/routes.ts')).href);
  return {
    spec: (specModule as { spec: GatewaySpec }).spec,
    routes: (routesModule as { routes: RegisterRoutes }).routes,
  };
}

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
