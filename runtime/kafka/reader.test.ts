// The topic reader against the test broker: start points, catching up, live records, stop and
// resume, compaction gaps, transactions, partitions added later.
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokers, kafkaClient, uniqueId, uniqueTopic } from '../../test/kafka/brokers.ts';
import { readTopic } from '../../test/kafka/read-topic.ts';
import { ClusterConnection } from './connection.ts';
import { fetchRequest } from './fetch.ts';
import { createKafkaClient, resolveConfig } from './index.ts';
import type { KafkaClient, KafkaRecord, ReaderOptions, TopicReader } from './types.ts';

/** Makes the cleaner compact within seconds (as in test/smoke/kafka-smoke.test.ts). */
const FAST_COMPACTION = {
  'segment.ms': '100',
  'min.cleanable.dirty.ratio': '0.01',
  'min.compaction.lag.ms': '0',
  'delete.retention.ms': '100',
};

describe('TopicReader', () => {
  let shared: KafkaClient | undefined;
  let readers: TopicReader[] = [];

  function client(): KafkaClient {
    shared ??= createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-reader-test' });
    return shared;
  }

  afterEach(async () => {
    await Promise.all(readers.map((reader) => reader.stop()));
    readers = [];
  });

  afterAll(async () => {
    await shared?.close();
  });

  async function topic(prefix: string, partitions = 3): Promise<string> {
    const name = uniqueTopic(prefix);
    await client().admin.ensureTopics([{ topic: name, partitions }]);
    return name;
  }

  /** Sends `count` keyed records concurrently; values are `${prefix}${i}`. */
  async function produce(name: string, prefix: string, count: number): Promise<void> {
    const producer = client().producer();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        producer.send({ topic: name, key: `k${i}`, value: `${prefix}${i}` }),
      ),
    );
  }

  /** A reader that collects what it gets, checking it is never called concurrently. */
  function collect(
    name: string,
    options: Omit<ReaderOptions, 'onRecords'> & { slowMs?: number } = {},
  ): { reader: TopicReader; records: KafkaRecord[] } {
    const records: KafkaRecord[] = [];
    let active = 0;
    const reader = client().reader(name, {
      ...options,
      onRecords: async (batch) => {
        active++;
        expect(active, 'onRecords ran concurrently').toBe(1);
        if (options.slowMs !== undefined) await sleep(options.slowMs);
        records.push(...batch);
        active--;
      },
    });
    readers.push(reader);
    return { reader, records };
  }

  it('reads from the earliest offset, catches up, then delivers live records in order', async () => {
    const name = await topic('reader-earliest');
    await produce(name, 'a', 60);
    const states: string[] = [];
    const { reader, records } = collect(name, { slowMs: 5, onStateChange: (s) => states.push(s) });
    await reader.caughtUp;
    expect(records).toHaveLength(60);
    const ends = await client().admin.highWatermarks(name);
    expect(reader.highWatermarks()).toEqual(ends);
    expect(reader.positions()).toEqual(ends);
    expect(reader.state()).toBe('connected');
    expect(states).toEqual(['connected']);

    await produce(name, 'b', 30);
    await until(() => records.length >= 90);
    await sleep(100);
    expect(records).toHaveLength(90);
    expectOrderedWithoutGaps(records);
    expect(new Set(records.map(text))).toEqual(
      new Set([...range(60).map((i) => `a${i}`), ...range(30).map((i) => `b${i}`)]),
    );
  });

  it("from 'latest' delivers only records written after the start", async () => {
    const name = await topic('reader-latest');
    await produce(name, 'old', 10);
    const { reader, records } = collect(name, { from: 'latest' });
    await reader.caughtUp;
    expect(Object.values(reader.positions()).reduce((sum, p) => sum + Number(p), 0)).toBe(10);
    await produce(name, 'new', 5);
    await until(() => records.length >= 5);
    await sleep(100);
    expect(records.map(text).sort()).toEqual(['new0', 'new1', 'new2', 'new3', 'new4']);
  });

  it('from explicit offsets starts there; partitions it does not name start at the log start', async () => {
    const name = await topic('reader-explicit');
    const producer = client().producer();
    for (let i = 0; i < 4; i++) {
      await Promise.all(
        [0, 1, 2].map((partition) =>
          producer.send({ topic: name, key: null, value: `p${partition}-${i}`, partition }),
        ),
      );
    }
    const { reader, records } = collect(name, { from: { 0: '2', 1: '3' } });
    await reader.caughtUp;
    expect(records.map(text).sort()).toEqual([
      'p0-2',
      'p0-3',
      'p1-3',
      'p2-0',
      'p2-1',
      'p2-2',
      'p2-3',
    ]);
    expect(reader.positions()).toEqual({ 0: '4', 1: '4', 2: '4' });
  });

  it('reads everything when each fetch brings one batch (KIP-74 size limits)', async () => {
    const name = await topic('reader-small-fetch');
    const producer = client().producer();
    for (let i = 0; i < 10; i++) {
      await Promise.all(
        [0, 1, 2].map((partition) =>
          producer.send({ topic: name, key: null, value: `p${partition}-${i}`, partition }),
        ),
      );
    }
    // The broker then fills only the first partition of a response; the others come empty and
    // are asked for again on their own.
    const { reader, records } = collect(name, { maxBytes: 1, partitionMaxBytes: 1 });
    await reader.caughtUp;
    expect(records).toHaveLength(30);
    expectOrderedWithoutGaps(records);
  });

  it('resumes from positions() after stop() with no record lost or repeated', async () => {
    const name = await topic('reader-resume');
    const producer = client().producer();
    const total = 400;
    const writing = (async () => {
      for (let i = 0; i < total; i += 20) {
        await Promise.all(
          range(20).map((j) =>
            producer.send({ topic: name, key: `k${i + j}`, value: `v${i + j}` }),
          ),
        );
        await sleep(5);
      }
    })();

    const first = collect(name, { maxWaitMs: 100 });
    await until(() => first.records.length >= 100);
    const stopStarted = performance.now();
    await first.reader.stop();
    const stopMs = performance.now() - stopStarted;
    const seenByFirst = first.records.length;
    const resumeAt = first.reader.positions();

    const second = collect(name, { from: resumeAt, maxWaitMs: 100 });
    await writing;
    await until(() => first.records.length + second.records.length >= total);
    await sleep(200);
    expect(first.records).toHaveLength(seenByFirst);
    const all = [...first.records, ...second.records];
    expect(all.map(text).sort()).toEqual(
      range(total)
        .map((i) => `v${i}`)
        .sort(),
    );
    expectOrderedWithoutGaps(all);
    // The second reader starts exactly where the first stopped.
    for (const [partition, offset] of Object.entries(resumeAt)) {
      const firstOfSecond = second.records.find((r) => r.partition === Number(partition));
      if (firstOfSecond !== undefined) expect(firstOfSecond.offset).toBe(offset);
    }
    console.log(`reader stop() while tailing: ${stopMs.toFixed(1)} ms`);
    expect(stopMs).toBeLessThan(1500);
  });

  it('steps over compaction gaps, an emptied batch kept for its producer included', async () => {
    const name = uniqueTopic('reader-compacted');
    await client().admin.ensureTopics([
      { topic: name, partitions: 1, compacted: true, config: FAST_COMPACTION },
    ]);
    // One producer writes k1..k3 in one batch (offsets 0-2), then goes away; another overwrites
    // them. The cleaner removes the three records but keeps the batch's header (the first
    // producer's last batch), so a fetch at 0 returns a batch without records that ends at 2.
    const gone = client().producer();
    await Promise.all(
      ['k1', 'k2', 'k3'].map((key) => gone.send({ topic: name, key, value: 'old' })),
    );
    await gone.close();
    const producer = client().producer();
    await Promise.all(
      ['k1', 'k2', 'k3'].map((key) => producer.send({ topic: name, key, value: 'new' })),
    );
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      const stored = await readTopic(name, { isolation: 'read_uncommitted' });
      if (!stored.some((record) => text(record) === 'old')) break;
      await sleep(250);
      await producer.send({ topic: name, key: 'roll', value: null });
    }
    const first = await firstBatch(name);
    expect(first, 'compaction did not run within 40 s').toMatchObject({
      firstOffset: 0n,
      lastOffset: 2n,
      records: 0,
    });

    for (const from of ['earliest', { 0: '1' }] as const) {
      const { reader, records } = collect(name, { from });
      await reader.caughtUp;
      const latest = new Map(records.map((r) => [r.key?.toString() ?? '', text(r)]));
      expect(latest.get('k1')).toBe('new');
      expect(records.every((r) => BigInt(r.offset) >= 3n)).toBe(true);
      expect(reader.positions()).toEqual(reader.highWatermarks());
    }
  }, 60_000);

  it('read_committed: skips aborted transactions, waits for open ones, catches up to the last stable offset', async () => {
    const name = await topic('reader-tx', 1);
    const kafka = kafkaClient('specgate-reader-tx');
    const transactional = kafka.producer({
      transactionalId: uniqueId('reader-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    try {
      const committed = await transactional.transaction();
      await committed.send({ topic: name, messages: [{ value: 'c1' }, { value: 'c2' }] });
      await committed.commit();
      const aborted = await transactional.transaction();
      await aborted.send({ topic: name, messages: [{ value: 'aborted' }] });
      await aborted.abort();
      const open = await transactional.transaction();
      await open.send({ topic: name, messages: [{ value: 'later' }] });

      const { reader, records } = collect(name);
      await reader.caughtUp;
      expect(records.map(text)).toEqual(['c1', 'c2']);
      const uncommitted = collect(name, { isolation: 'read_uncommitted' });
      await uncommitted.reader.caughtUp;
      expect(uncommitted.records.map(text)).toEqual(['c1', 'c2', 'aborted', 'later']);

      await open.commit();
      await until(() => records.length >= 3);
      expect(records.map(text)).toEqual(['c1', 'c2', 'later']);
    } finally {
      await transactional.disconnect();
    }
  });

  it('reads partitions added while it runs', async () => {
    const name = await topic('reader-grow', 1);
    const { reader, records } = collect(name, { metadataRefreshMs: 200 });
    await reader.caughtUp;
    const admin = kafkaClient('specgate-reader-grow').admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: name, count: 3 }] });
    } finally {
      await admin.disconnect();
    }
    await until(async () => (await client().admin.partitions(name)).length === 3);
    const producer = client().producer();
    await producer.send({ topic: name, key: null, value: 'in-2', partition: 2 });
    await until(() => records.length >= 1);
    expect(records.map((r) => [r.partition, text(r)])).toEqual([[2, 'in-2']]);
  });
});

/** The header of the first record batch of partition 0, from a raw Fetch at offset 0. */
async function firstBatch(
  topic: string,
): Promise<{ firstOffset: bigint; lastOffset: bigint; records: number } | undefined> {
  const connection = new ClusterConnection(
    resolveConfig({ brokers: kafkaBrokers(), clientId: 'specgate-reader-test-raw' }),
  );
  try {
    const cluster = await connection.get();
    await cluster.addTargetTopic(topic);
    const leader = cluster.findTopicPartitionMetadata(topic)[0]?.leader ?? -1;
    const broker = await cluster.findBroker({ nodeId: String(leader) });
    const response = await broker.connectionPool.send(
      fetchRequest(
        {
          replicaId: -1,
          isolationLevel: 0,
          maxWaitTime: 0,
          minBytes: 1,
          maxBytes: 1024 * 1024,
          topics: [
            { topic, partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1024 * 1024 }] },
          ],
        },
        10_000,
      ),
    );
    const batch = response.partitions[0]?.batches[0];
    return batch === undefined
      ? undefined
      : {
          firstOffset: batch.firstOffset,
          lastOffset: batch.lastOffset,
          records: batch.records.length,
        };
  } finally {
    await connection.close();
  }
}

/** Per partition: offsets strictly increase and every record appears once. */
function expectOrderedWithoutGaps(records: readonly KafkaRecord[]): void {
  const byPartition = new Map<number, bigint[]>();
  for (const record of records) {
    byPartition.set(record.partition, [
      ...(byPartition.get(record.partition) ?? []),
      BigInt(record.offset),
    ]);
  }
  for (const [partition, offsets] of byPartition) {
    // These topics are not compacted: offsets are consecutive from 0.
    expect(offsets, `partition ${partition}`).toEqual(range(offsets.length).map(BigInt));
  }
}

function text(record: { readonly value: Buffer | null }): string | undefined {
  return record.value?.toString();
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
