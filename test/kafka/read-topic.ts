// Reads what is in a topic right now, from the beginning, WITHOUT a consumer group.
//
// Why not a kafkajs consumer: kafkajs 2.2.4 has no assign(). Its consumer always joins a group
// (FindCoordinator, JoinGroup, SyncGroup, heartbeats), so "read the topic" would cost a rebalance,
// leave a group on the broker, and need a "have I reached the end?" guess. A random groupId that
// never commits works, but is slow and leaves that litter. Instead this uses the two internals
// the kafkajs consumer itself is built on:
//   - `src/cluster` (Cluster): metadata, leader lookup, connections, ListOffsets;
//   - `Broker.fetch` (the Fetch API, v11 against Kafka 4.x), reading each partition from its
//     log start offset up to the high watermark (read_uncommitted) or the last stable offset
//     (read_committed), both of which every Fetch response carries;
//   - `src/consumer/batch.js` (Batch), which drops aborted transactional records and control
//     records exactly as the consumer does.
// These paths are not public API, but kafkajs has had no release since 2.2.4 (2023), and the
// Kafka smoke test (test/smoke/kafka-smoke.test.ts) exercises every one of them.
import { createRequire } from 'node:module';
import { logLevel, type IHeaders, type logCreator, type RetryOptions } from 'kafkajs';
import { kafkaBrokers } from './brokers.ts';

/** One record as stored in the topic. */
export interface TopicRecord {
  readonly partition: number;
  /** Int64 as a decimal string, as kafkajs gives it. */
  readonly offset: string;
  readonly key: Buffer | null;
  /** null for a tombstone. */
  readonly value: Buffer | null;
  readonly headers: IHeaders;
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

/** Fetch isolation levels (kafkajs src/protocol/isolationLevel.js). */
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

/** Every record now visible in `topic`, partition by partition, in offset order. */
export async function readTopic(
  topic: string,
  options: ReadTopicOptions = {},
): Promise<TopicRecord[]> {
  const isolationLevel =
    options.isolation === 'read_uncommitted' ? READ_UNCOMMITTED : READ_COMMITTED;
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const cluster = new internals.Cluster({
    logger: internals.createLogger({ level: logLevel.NOTHING, logCreator: silent }),
    socketFactory: internals.socketFactory(),
    brokers: [...(options.brokers ?? kafkaBrokers())],
    clientId: 'specgate-test-read-topic',
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    enforceRequestTimeout: true,
    metadataMaxAge: 300_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel,
    instrumentationEmitter: null,
    offsets: new Map(),
  });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    const partitions = [...cluster.findTopicPartitionMetadata(topic)].sort(
      (a, b) => a.partitionId - b.partitionId,
    );
    if (partitions.length === 0) throw new Error(`readTopic: topic "${topic}" has no partitions`);
    const starts = await cluster.fetchTopicsOffset([
      {
        topic,
        fromBeginning: true,
        partitions: partitions.map(({ partitionId }) => ({ partition: partitionId })),
      },
    ]);
    const records: TopicRecord[] = [];
    for (const { partitionId, leader } of partitions) {
      const start = starts
        .find((entry) => entry.topic === topic)
        ?.partitions.find((entry) => entry.partition === partitionId)?.offset;
      if (start === undefined) {
        throw new Error(`readTopic: no start offset for ${topic}/${partitionId}`);
      }
      const broker = await cluster.findBroker({ nodeId: String(leader) });
      records.push(
        ...(await readPartition(broker, topic, partitionId, start, isolationLevel, deadline)),
      );
    }
    return records;
  } finally {
    await cluster.disconnect();
  }
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

async function readPartition(
  broker: InternalBroker,
  topic: string,
  partition: number,
  start: string,
  isolationLevel: number,
  deadline: number,
): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  let next = BigInt(start);
  for (;;) {
    if (Date.now() > deadline) {
      throw new Error(`readTopic: timed out reading ${topic}/${partition} at offset ${next}`);
    }
    const response = await broker.fetch({
      replicaId: -1,
      isolationLevel,
      // Answer at once: we only read what is there, and stop at the end offset below.
      maxWaitTime: 0,
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      topics: [
        {
          topic,
          partitions: [{ partition, fetchOffset: String(next), maxBytes: 4 * 1024 * 1024 }],
        },
      ],
    });
    const data = response.responses
      .find((entry) => entry.topicName === topic)
      ?.partitions.find((entry) => entry.partition === partition);
    if (data === undefined) throw new Error(`readTopic: no Fetch data for ${topic}/${partition}`);
    const end = BigInt(
      isolationLevel === READ_COMMITTED ? data.lastStableOffset : data.highWatermark,
    );
    if (next >= end) return records;

    for (const message of new internals.Batch(topic, String(next), data).messages) {
      records.push({
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers,
        timestamp: message.timestamp,
        producerId: message.batchContext.producerId,
      });
    }
    // Continue after the last batch returned, counting the offsets that compaction removed and
    // the control records and aborted records that Batch dropped.
    let after = next;
    for (const { batchContext } of data.messages) {
      const batchEnd = BigInt(batchContext.firstOffset) + BigInt(batchContext.lastOffsetDelta) + 1n;
      if (batchEnd > after) after = batchEnd;
    }
    // A batch that compaction emptied entirely decodes to no records at all: step over it.
    next = after > next ? after : next + 1n;
  }
}

const silent: logCreator = () => () => undefined;

// The slices of kafkajs 2.2.4 internals used above, typed from its JavaScript sources.
interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
  readonly isControlRecord: boolean;
  readonly batchContext: {
    readonly firstOffset: string;
    readonly lastOffsetDelta: number;
    readonly producerId: string;
  };
}

interface FetchedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly lastStableOffset: string;
  readonly abortedTransactions: readonly { producerId: string; firstOffset: string }[];
  readonly messages: readonly FetchedMessage[];
}

interface InternalBroker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: {
      topic: string;
      partitions: { partition: number; fetchOffset: string; maxBytes: number }[];
    }[];
  }): Promise<{ responses: { topicName: string; partitions: FetchedPartition[] }[] }>;
}

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): readonly { partitionId: number; leader: number }[];
  findBroker(query: { nodeId: string }): Promise<InternalBroker>;
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

interface Internals {
  Cluster: new (options: {
    logger: object;
    socketFactory: unknown;
    brokers: string[];
    clientId: string;
    connectionTimeout: number;
    requestTimeout: number;
    enforceRequestTimeout: boolean;
    metadataMaxAge: number;
    retry: RetryOptions;
    allowAutoTopicCreation: boolean;
    maxInFlightRequests: number | null;
    isolationLevel: number;
    instrumentationEmitter: null;
    offsets: Map<string, unknown>;
  }) => InternalCluster;
  createLogger: (options: { level: logLevel; logCreator: logCreator }) => object;
  socketFactory: () => unknown;
  Batch: new (
    topic: string,
    fetchedOffset: string,
    partitionData: FetchedPartition,
  ) => { readonly messages: readonly FetchedMessage[] };
}

const internals = loadInternals();

function loadInternals(): Internals {
  const require = createRequire(import.meta.url);
  const { createLogger } = require('kafkajs/src/loggers/index.js');
  return {
    Cluster: require('kafkajs/src/cluster/index.js'),
    createLogger,
    socketFactory: require('kafkajs/src/network/socketFactory.js'),
    Batch: require('kafkajs/src/consumer/batch.js'),
  };
}
