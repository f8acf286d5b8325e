// The producer against the test broker: positions, batching, tombstones, headers, errors.
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../test/kafka/brokers.ts';
import { readTopic, type TopicRecord } from '../../test/kafka/read-topic.ts';
import { KafkaError } from './errors.ts';
import { createKafkaClient } from './index.ts';
import { partitionForKey } from './partitioner.ts';
import type { KafkaClient, RecordPosition } from './types.ts';

describe('KafkaProducer', () => {
  let shared: KafkaClient | undefined;

  /** Made by the first test that needs it: without a broker every test must fail, not skip. */
  function client(): KafkaClient {
    shared ??= createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-producer-test' });
    return shared;
  }

  afterAll(async () => {
    await shared?.close();
  });

  async function topics(...specs: { prefix: string; compacted?: boolean }[]): Promise<string[]> {
    const names = specs.map(({ prefix }) => uniqueTopic(prefix));
    const created = await client().admin.ensureTopics(
      specs.map(({ compacted }, i) => ({ topic: names[i] ?? '', partitions: 3, compacted })),
    );
    expect(created).toEqual(names);
    return names;
  }

  it('resolves each of many concurrent sends with its own partition and offset, across topics', async () => {
    const [first = '', second = ''] = await topics(
      { prefix: 'producer-a' },
      { prefix: 'producer-b' },
    );
    const producer = client().producer();
    type Sent = { topic: string; key: string | null; partition?: number; value: string };
    const sent: Sent[] = [];
    for (let i = 0; i < 300; i++) {
      const topic = i % 2 === 0 ? first : second;
      // Keys, no keys, and explicit partitions, interleaved in one batch.
      if (i % 10 === 3) sent.push({ topic, key: null, value: `v${i}` });
      else if (i % 10 === 7) sent.push({ topic, key: `k${i}`, partition: i % 3, value: `v${i}` });
      else sent.push({ topic, key: `k${i % 40}`, value: `v${i}` });
    }
    const positions = await Promise.all(sent.map((record) => producer.send(record)));

    const stored = new Map<string, TopicRecord>();
    for (const topic of [first, second]) {
      for (const record of await readTopic(topic)) {
        stored.set(`${topic}/${record.partition}/${record.offset}`, record);
      }
    }
    expect(stored.size).toBe(sent.length);
    const seen = new Set<string>();
    positions.forEach((position, i) => {
      const record = sent[i];
      const id = `${position.topic}/${position.partition}/${position.offset}`;
      expect(seen.has(id), `two sends resolved to ${id}`).toBe(false);
      seen.add(id);
      expect(position.topic).toBe(record?.topic);
      expect(stored.get(id)?.value?.toString(), `send ${i} resolved to ${id}`).toBe(record?.value);
      if (record?.partition !== undefined) expect(position.partition).toBe(record.partition);
      else if (record?.key != null) {
        // Java's default partitioner: murmur2(key) mod partition count.
        expect(position.partition).toBe(partitionForKey(Buffer.from(record.key), 3));
      }
    });
    // 300 sends made in one event-loop turn leave in one or two batches.
    expect(producer.stats().batches).toBeLessThanOrEqual(2);
  });

  it('groups 200 concurrent sends into a few produce requests', async () => {
    const [topic = ''] = await topics({ prefix: 'producer-batching' });
    const producer = client().producer();
    await producer.send({ topic, key: 'warm-up', value: 'x' });
    const before = producer.stats();

    const started = performance.now();
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        producer.send({ topic, key: `k${i}`, value: `v${i}` }).then((position) => {
          latencies.push(performance.now() - started);
          return position;
        }),
      ),
    );
    const after = producer.stats();
    const requests = after.produceRequests - before.produceRequests;
    const records = after.recordsWritten - before.recordsWritten;
    console.log(
      `batching: ${records} records in ${requests} produce requests ` +
        `(${(records / requests).toFixed(1)} per request), all written in ` +
        `${(performance.now() - started).toFixed(1)} ms, median send ${median(latencies).toFixed(1)} ms`,
    );
    expect(records).toBe(200);
    expect(requests).toBeLessThanOrEqual(5);
    expect(after.producerIds).toBe(1);

    // One at a time, each send is its own request, answered at once (no linger).
    const single: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      await producer.send({ topic, key: `s${i}`, value: 's' });
      single.push(performance.now() - start);
    }
    console.log(`sequential send latency: median ${median(single).toFixed(2)} ms`);
    expect(producer.stats().produceRequests - after.produceRequests).toBe(20);
    // Sequence numbers continued correctly from batch to batch: no producer id was replaced.
    expect(producer.stats().producerIds).toBe(1);
  });

  it('writes tombstones and headers, repeated header names included', async () => {
    const [topic = ''] = await topics({ prefix: 'producer-tombstone', compacted: true });
    const producer = client().producer();
    const [put, remove] = await Promise.all([
      producer.send({
        topic,
        key: 'k',
        value: Buffer.from([0, 1, 2, 255]),
        headers: { 'content-type': 'application/octet-stream', trace: ['t1', 't2'], empty: '' },
      }),
      producer.send({ topic, key: 'k', value: null, headers: { ':status': '204' } }),
    ]);
    expect(remove.partition).toBe(put.partition);
    expect(BigInt(remove.offset)).toBe(BigInt(put.offset) + 1n);

    const records = await readTopic(topic);
    expect(records.map(({ partition, offset }) => ({ partition, offset }))).toEqual([
      { partition: put.partition, offset: put.offset },
      { partition: remove.partition, offset: remove.offset },
    ]);
    expect(records[0]?.value).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(records[0]?.headers).toEqual({
      'content-type': 'application/octet-stream',
      trace: ['t1', 't2'],
      empty: '',
    });
    expect(records[1]?.value).toBeNull();
    expect(records[1]?.headers).toEqual({ ':status': '204' });
  });

  it('fails what cannot be written with a code, and still writes the rest of the batch', async () => {
    const [plain = '', compacted = ''] = await topics(
      { prefix: 'producer-plain' },
      { prefix: 'producer-compacted', compacted: true },
    );
    const producer = client().producer({ maxRecordBytes: 10_000 });
    const results = await Promise.allSettled([
      producer.send({ topic: plain, key: 'ok', value: 'fine' }),
      // A compacted topic refuses records without a key (broker: INVALID_RECORD).
      producer.send({ topic: compacted, key: null, value: 'no key' }),
      producer.send({ topic: uniqueTopic('producer-missing'), key: 'k', value: 'v' }),
      producer.send({ topic: plain, key: 'k', value: 'v', partition: 3 }),
      producer.send({ topic: plain, key: 'big', value: Buffer.alloc(20_000) }),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { topic: plain } });
    expect(results.slice(1).map(codeOf)).toEqual([
      ['INVALID_RECORD', 500],
      ['TOPIC_NOT_FOUND', 500],
      ['INVALID_PARTITION', 500],
      ['RECORD_TOO_LARGE', 413],
    ]);
    // The producer carries on.
    const after: RecordPosition = await producer.send({ topic: plain, key: 'ok', value: 'again' });
    expect(after.topic).toBe(plain);
  });

  it('rejects sends after close, and flushes what was sent before', async () => {
    const [topic = ''] = await topics({ prefix: 'producer-close' });
    const producer = client().producer();
    const pending = Array.from({ length: 10 }, (_, i) =>
      producer.send({ topic, key: `k${i}`, value: 'v' }),
    );
    await producer.close();
    expect((await Promise.allSettled(pending)).every((r) => r.status === 'fulfilled')).toBe(true);
    await expect(producer.send({ topic, key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'CLOSED',
      status: 503,
    });
  });
});

function codeOf(result: PromiseSettledResult<unknown>): unknown {
  if (result.status === 'fulfilled') return 'fulfilled';
  const error: unknown = result.reason;
  return error instanceof KafkaError ? [error.code, error.status] : String(error);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
