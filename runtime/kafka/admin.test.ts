// The admin helpers against the test broker.
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../test/kafka/brokers.ts';
import { createKafkaClient } from './index.ts';
import type { KafkaClient } from './types.ts';

describe('KafkaAdmin', () => {
  let shared: KafkaClient | undefined;

  function client(): KafkaClient {
    shared ??= createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-admin-test' });
    return shared;
  }

  afterAll(async () => {
    await shared?.close();
  });

  it('creates missing topics once, with their configs, and waits for their leaders', async () => {
    const plain = uniqueTopic('admin-plain');
    const compacted = uniqueTopic('admin-compacted');
    const { admin } = client();
    expect(await admin.ensureTopics([{ topic: plain, partitions: 3 }])).toEqual([plain]);
    expect(
      await admin.ensureTopics([
        { topic: plain, partitions: 3 },
        { topic: compacted, compacted: true, config: { 'segment.ms': '100000' } },
      ]),
    ).toEqual([compacted]);
    expect(await admin.ensureTopics([{ topic: plain }, { topic: compacted }])).toEqual([]);
    expect(await admin.partitions(plain)).toEqual([0, 1, 2]);
    expect(await admin.partitions(compacted)).toEqual([0]);
    // Written at once after creation: leaders are in place.
    await client().producer().send({ topic: compacted, key: 'k', value: 'v' });
    expect(await admin.highWatermarks(compacted)).toEqual({ 0: '1' });
    expect(await admin.highWatermarks(plain, { isolation: 'read_committed' })).toEqual({
      0: '0',
      1: '0',
      2: '0',
    });
  });

  it('answers TOPIC_NOT_FOUND for a topic that does not exist', async () => {
    const missing = uniqueTopic('admin-missing');
    await expect(client().admin.partitions(missing)).rejects.toMatchObject({
      code: 'TOPIC_NOT_FOUND',
      status: 500,
    });
    await expect(client().admin.highWatermarks(missing)).rejects.toMatchObject({
      code: 'TOPIC_NOT_FOUND',
    });
  });
});
