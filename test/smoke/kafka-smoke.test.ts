// Proves that kafkajs 2.2.4 does, against this run's broker (Kafka 4.1.1 unless KAFKA_BROKERS
// says otherwise), everything the gateway and its tests rely on: topic creation with configs,
// keyed produce with headers, group-free reads, group commits, transactions, and compaction.
import {
  ConfigResourceTypes,
  type Admin,
  type Consumer,
  type Kafka,
  type KafkaMessage,
} from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTopic, kafkaClient, uniqueId, uniqueTopic } from '../kafka/brokers.ts';
import { latestState, readTopic, type TopicRecord } from '../kafka/read-topic.ts';

/**
 * Makes the cleaner compact within seconds. Kafka 4 refuses `segment.bytes` below 1 MiB, so
 * segments roll by age: a record appended more than `segment.ms` after the segment opened rolls
 * it, and the closed segment is cleanable at once (dirty ratio 0.01, no minimum lag).
 */
const FAST_COMPACTION = {
  'segment.ms': '100',
  'min.cleanable.dirty.ratio': '0.01',
  'min.compaction.lag.ms': '0',
  'delete.retention.ms': '100',
};

describe('Kafka smoke: kafkajs 2.2.4 against the test broker', () => {
  /** Producers and consumers a test opened; closed after it even when it fails. */
  let open: { disconnect(): Promise<void> }[] = [];
  let shared: Promise<{ kafka: Kafka; admin: Admin }> | undefined;

  /**
   * The client and admin every test shares, made by the first test that asks. Not in beforeAll:
   * without a broker, every test must fail with the reason, and a failing beforeAll would only
   * mark them skipped.
   */
  function connect(): Promise<{ kafka: Kafka; admin: Admin }> {
    shared ??= (async () => {
      const kafka = kafkaClient('specgate-smoke');
      const admin = kafka.admin();
      await admin.connect();
      return { kafka, admin };
    })();
    return shared;
  }

  afterEach(async () => {
    await Promise.allSettled(open.map((client) => client.disconnect()));
    open = [];
  });

  afterAll(async () => {
    const clients = await shared?.catch(() => undefined);
    await clients?.admin.disconnect();
  });

  function opened<T extends { disconnect(): Promise<void> }>(client: T): T {
    open.push(client);
    return client;
  }

  it('creates topics, one compacted with fast-compaction configs', async () => {
    const { admin } = await connect();
    const plain = uniqueTopic('smoke-plain');
    const compacted = uniqueTopic('smoke-compacted');
    await createTopic(admin, plain, { partitions: 3 });
    await createTopic(admin, compacted, { compacted: true, config: FAST_COMPACTION });

    const { topics } = await admin.fetchTopicMetadata({ topics: [plain, compacted] });
    const partitionCounts = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
    expect(partitionCounts).toEqual({ [plain]: 3, [compacted]: 1 });

    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: compacted,
          configNames: ['cleanup.policy', ...Object.keys(FAST_COMPACTION)],
        },
      ],
    });
    const configs = Object.fromEntries(
      (resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
    );
    expect(configs).toEqual({ 'cleanup.policy': 'compact', ...FAST_COMPACTION });

    await expect(createTopic(admin, plain)).rejects.toThrow(/already exists/);
  });

  it('produces keyed records with headers (acks=all, idempotent) and reads them back without a consumer group', async () => {
    const { kafka, admin } = await connect();
    const topic = uniqueTopic('smoke-produce');
    await createTopic(admin, topic, { partitions: 2 });
    const producer = opened(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();

    const sent = await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          partition: 0,
          key: 'order-1',
          value: '{"n":1}',
          headers: { 'content-type': 'application/json', trace: ['t1', 't2'] },
        },
        { partition: 1, key: 'order-2', value: '{"n":2}' },
        { partition: 0, key: 'order-1', value: '{"n":3}' },
      ],
    });
    expect(
      sent.map(({ partition, errorCode }) => ({ partition, errorCode })).sort(byPartition),
    ).toEqual([
      { partition: 0, errorCode: 0 },
      { partition: 1, errorCode: 0 },
    ]);

    const groupsBefore = await groupIds(admin);
    const records = await readTopic(topic);
    expect(records.map(summary)).toEqual([
      { partition: 0, offset: '0', key: 'order-1', value: '{"n":1}' },
      { partition: 0, offset: '1', key: 'order-1', value: '{"n":3}' },
      { partition: 1, offset: '0', key: 'order-2', value: '{"n":2}' },
    ]);
    const headers = records[0]?.headers ?? {};
    expect(String(headers['content-type'])).toBe('application/json');
    expect([headers.trace].flat().map(String)).toEqual(['t1', 't2']);
    // An idempotent producer stamps its batches with a producer id; a plain one writes -1.
    expect(records.every((record) => record.producerId !== '-1')).toBe(true);
    // Reading joined no group.
    expect(await groupIds(admin)).toEqual(groupsBefore);
  });

  it('commits in a consumer group, and the next member resumes after the committed offset', async () => {
    const { kafka, admin } = await connect();
    const topic = uniqueTopic('smoke-group');
    await createTopic(admin, topic);
    const groupId = uniqueId('smoke-group');
    const producer = opened(kafka.producer());
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'].map((value) => ({ value })),
    });

    // The first member reads m0..m2, commits "next is 3", and leaves.
    const first = opened(testConsumer(kafka, groupId));
    const firstSeen = await consumeUntil(first, topic, async (message, seen) => {
      if (message.offset !== '2') return false;
      await first.commitOffsets([{ topic, partition: 0, offset: '3' }]);
      return seen.length >= 3;
    });
    await first.disconnect();
    expect(firstSeen.slice(0, 3).map(text)).toEqual(['m0', 'm1', 'm2']);
    expect(await committedOffsets(admin, groupId, topic)).toEqual([{ partition: 0, offset: '3' }]);

    // fromBeginning applies only without a committed offset: the second member starts at 3.
    const second = opened(testConsumer(kafka, groupId));
    const secondSeen = await consumeUntil(second, topic, (_message, seen) => seen.length >= 3);
    expect(secondSeen.map((message) => [message.offset, text(message)])).toEqual([
      ['3', 'm3'],
      ['4', 'm4'],
      ['5', 'm5'],
    ]);
  });

  it('commits a transaction with sendOffsets, and read_committed readers skip an aborted one', async () => {
    const { kafka, admin } = await connect();
    const input = uniqueTopic('smoke-tx-in');
    const output = uniqueTopic('smoke-tx-out');
    await createTopic(admin, input);
    await createTopic(admin, output);
    const groupId = uniqueId('smoke-tx-group');
    const producer = opened(
      kafka.producer({
        transactionalId: uniqueId('smoke-tx'),
        idempotent: true,
        maxInFlightRequests: 1,
      }),
    );
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({
      topic: output,
      acks: -1,
      messages: [
        { key: 'a', value: 'committed-1' },
        { key: 'b', value: 'committed-2' },
      ],
    });
    await committed.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }],
    });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, acks: -1, messages: [{ key: 'c', value: 'aborted-1' }] });
    await aborted.abort();

    // A later commit: once a reader has it, anything visible before it has been delivered.
    const last = await producer.transaction();
    await last.send({ topic: output, acks: -1, messages: [{ key: 'd', value: 'committed-3' }] });
    await last.commit();

    expect(await committedOffsets(admin, groupId, input)).toEqual([{ partition: 0, offset: '2' }]);
    // The aborted record is in the log (read_uncommitted shows it) ...
    expect((await readTopic(output, { isolation: 'read_uncommitted' })).map(text)).toEqual([
      'committed-1',
      'committed-2',
      'aborted-1',
      'committed-3',
    ]);
    // ... and read_committed readers do not see it: the group-free reader and a kafkajs consumer.
    const wanted = ['committed-1', 'committed-2', 'committed-3'];
    expect((await readTopic(output, { isolation: 'read_committed' })).map(text)).toEqual(wanted);
    const reader = opened(testConsumer(kafka, uniqueId('smoke-tx-reader')));
    const seen = await consumeUntil(reader, output, (message) => text(message) === 'committed-3');
    expect(seen.map(text)).toEqual(wanted);
  });

  it('compacts a topic: the latest state survives, overwritten values and tombstoned keys go', async () => {
    const { kafka, admin } = await connect();
    const topic = uniqueTopic('smoke-compact');
    await createTopic(admin, topic, { compacted: true, config: FAST_COMPACTION });
    const producer = opened(kafka.producer());
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'k1', value: 'v1' },
        { key: 'k1', value: 'v2' },
        { key: 'k2', value: 'x' },
        { key: 'k2', value: null },
      ],
    });
    const before = await readTopic(topic);
    expect(before.map(summary).slice(0, 1)).toEqual([
      { partition: 0, offset: '0', key: 'k1', value: 'v1' },
    ]);
    expect(Object.fromEntries(latestState(before))).toEqual({ k1: 'v2' });

    // Roll segments with tombstones of a key nobody uses, until the cleaner has removed k1=v1.
    const deadline = Date.now() + 40_000;
    let after: TopicRecord[] = before;
    while (after.some(isOverwrittenK1) && Date.now() < deadline) {
      await sleep(250);
      await producer.send({ topic, acks: -1, messages: [{ key: 'roll', value: null }] });
      after = await readTopic(topic, { isolation: 'read_uncommitted' });
    }
    expect(after.some(isOverwrittenK1), 'compaction did not run within 40 s').toBe(false);
    expect(Object.fromEntries(latestState(after))).toEqual({ k1: 'v2' });
    expect(after.find((record) => text(record) === 'v2')?.offset).toBe('1');
  }, 60_000);
});

/** A group member that stops at the end of the topic quickly and never auto-commits. */
function testConsumer(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
}

/**
 * Runs `consumer` on `topic` from the beginning (or its group's committed offset) with
 * autoCommit off, until `isDone(message, seenSoFar)` is true; then stops it and returns what was
 * seen. Fails on a consumer crash or after `timeoutMs`.
 */
async function consumeUntil(
  consumer: Consumer,
  topic: string,
  isDone: (message: KafkaMessage, seen: readonly KafkaMessage[]) => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<KafkaMessage[]> {
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`consumeUntil(${topic}): timed out; saw ${JSON.stringify(seen.map(text))}`),
        ),
      timeoutMs,
    );
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      clearTimeout(timer);
      reject(payload.error);
    });
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        seen.push(message);
        if (await isDone(message, seen)) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await finished;
  await consumer.stop();
  return seen;
}

async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ partition: number; offset: string }[]> {
  const topics = await admin.fetchOffsets({ groupId, topics: [topic] });
  return topics
    .filter((entry) => entry.topic === topic)
    .flatMap((entry) => entry.partitions.map(({ partition, offset }) => ({ partition, offset })));
}

async function groupIds(admin: Admin): Promise<string[]> {
  return (await admin.listGroups()).groups.map((group) => group.groupId).sort();
}

function summary(record: TopicRecord): Record<string, unknown> {
  return {
    partition: record.partition,
    offset: record.offset,
    key: record.key?.toString(),
    value: record.value?.toString(),
  };
}

function text(message: { readonly value: Buffer | null }): string | undefined {
  return message.value?.toString();
}

function isOverwrittenK1(record: TopicRecord): boolean {
  return record.key?.toString() === 'k1' && text(record) === 'v1';
}

function byPartition(a: { partition: number }, b: { partition: number }): number {
  return a.partition - b.partition;
}
