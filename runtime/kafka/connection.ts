/**
 * A kafkajs Cluster (connections, metadata) that can be thrown away. After a connection error or
 * a request timeout the owner calls `reset()`: the next `get()` bootstraps a fresh Cluster, and
 * the old one closes in the background once its pending requests have settled or timed out. A
 * broker that went away and came back is thus met with new connections and new metadata, as the
 * Java client does, instead of kafkajs' half-reconnected state.
 */
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { KafkaError } from './errors.ts';
import { internals, type InternalCluster, type PartitionMetadata } from './internals.ts';
import type { KafkaLog } from './log.ts';
import { refusalOf } from './refusal.ts';
import { addTo } from './wait.ts';

/** The client configuration, resolved once with its defaults (style.md §22). */
export interface ResolvedConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly sasl: SASLOptions | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly log: KafkaLog;
}

/** Fetch and ListOffsets isolation levels (kafkajs src/protocol/isolationLevel.js). */
export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

export interface ConnectionOptionsOverride {
  readonly isolationLevel?: number;
  /** Default: the client's requestTimeoutMs. */
  readonly requestTimeoutMs?: number;
  /** How old metadata may get before a request refreshes it. Default 30 s. */
  readonly metadataMaxAgeMs?: number;
}

export class ClusterConnection {
  readonly #config: ResolvedConfig;
  readonly #options: ConnectionOptionsOverride;
  #cluster: InternalCluster | undefined;
  #connecting: Promise<InternalCluster> | undefined;
  #closed = false;

  constructor(config: ResolvedConfig, options: ConnectionOptionsOverride = {}) {
    this.#config = config;
    this.#options = options;
  }

  /** A connected Cluster: the current one, or a new one. */
  get(): Promise<InternalCluster> {
    if (this.#closed) {
      return Promise.reject(new KafkaError('CLOSED', 'The Kafka connection is closed'));
    }
    const current = this.#cluster;
    if (current !== undefined && this.#connecting === undefined && current.isConnected()) {
      return Promise.resolve(current);
    }
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** Drops the current Cluster; it disconnects in the background. */
  reset(): void {
    const old = this.#cluster;
    this.#cluster = undefined;
    if (old !== undefined) void old.disconnect().catch(() => undefined);
  }

  /** Disconnects; waits at most `waitMs` for requests still in flight. */
  async close(waitMs = 1000): Promise<void> {
    this.#closed = true;
    const old = this.#cluster;
    this.#cluster = undefined;
    if (old === undefined) return;
    const disconnected = old.disconnect().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([disconnected, waited]);
    clearTimeout(timer);
  }

  async #open(): Promise<InternalCluster> {
    const cluster = this.#cluster ?? this.#create();
    this.#cluster = cluster;
    try {
      await cluster.connect();
    } catch (error) {
      if (this.#cluster === cluster) this.reset();
      // A refused login or TLS handshake, said plainly; the loops above treat it as fatal.
      throw refusalOf(error, this.#config) ?? error;
    }
    if (this.#cluster !== cluster) {
      void cluster.disconnect().catch(() => undefined);
      throw new KafkaError('KAFKA_UNAVAILABLE', 'The Kafka connection was reset while connecting');
    }
    return cluster;
  }

  #create(): InternalCluster {
    const config = this.#config;
    return new internals.Cluster({
      logger: internals.createLogger({
        level: config.log.kafkajsLevel,
        logCreator: config.log.kafkajsLogCreator,
      }),
      socketFactory: internals.socketFactory(),
      brokers: [...config.brokers],
      ssl: config.ssl,
      sasl: config.sasl,
      clientId: config.clientId,
      connectionTimeout: config.connectionTimeoutMs,
      authenticationTimeout: config.connectionTimeoutMs * 3,
      reauthenticationThreshold: 10_000,
      requestTimeout: this.#options.requestTimeoutMs ?? config.requestTimeoutMs,
      enforceRequestTimeout: true,
      metadataMaxAge: this.#options.metadataMaxAgeMs ?? 30_000,
      // One attempt per call: the producer and reader loops retry with their own deadlines and
      // backoff, on fresh connections (reset()).
      retry: { retries: 0, initialRetryTime: 100, maxRetryTime: 1000 },
      allowAutoTopicCreation: false,
      maxInFlightRequests: null,
      isolationLevel: this.#options.isolationLevel ?? READ_COMMITTED,
      instrumentationEmitter: null,
      offsets: new Map(),
    });
  }
}

/** The topic's partitions in id order, from fresh metadata; TOPIC_NOT_FOUND when it has none. */
export async function topicPartitions(
  cluster: InternalCluster,
  topic: string,
  refresh: boolean,
): Promise<PartitionMetadata[]> {
  await cluster.addTargetTopic(topic);
  if (refresh) await cluster.refreshMetadata();
  const partitions = [...cluster.findTopicPartitionMetadata(topic)].sort(
    (a, b) => a.partitionId - b.partitionId,
  );
  if (partitions.length === 0) {
    throw new KafkaError('TOPIC_NOT_FOUND', `Topic "${topic}" does not exist`);
  }
  return partitions;
}

/** ListOffsets timestamps: the log start, and the end (high watermark or last stable offset). */
const EARLIEST = -2;
const LATEST = -1;

/**
 * The earliest or latest offset of each partition, asking each leader. `latest` is the high
 * watermark with READ_UNCOMMITTED and the last stable offset with READ_COMMITTED. A time (ms
 * since the epoch) asks for the first record stamped at or after it (ListOffsets by timestamp),
 * and gives `latest` where no record is that recent.
 */
export async function listOffsets(
  cluster: InternalCluster,
  topic: string,
  partitions: readonly PartitionMetadata[],
  which: 'earliest' | 'latest' | number,
  isolationLevel: number,
): Promise<Map<number, bigint>> {
  const byLeader = new Map<number, number[]>();
  for (const { partitionId, leader } of partitions) {
    if (leader < 0) {
      throw new KafkaError('KAFKA_UNAVAILABLE', `${topic}/${partitionId} has no leader`);
    }
    addTo(byLeader, leader, partitionId);
  }
  const offsets = new Map<number, bigint>();
  await Promise.all(
    [...byLeader].map(async ([leader, ids]) => {
      const broker = await cluster.findBroker({ nodeId: String(leader) });
      const { responses } = await broker.listOffsets({
        replicaId: -1,
        isolationLevel,
        topics: [
          {
            topic,
            partitions: ids.map((partition) => ({
              partition,
              timestamp: which === 'earliest' ? EARLIEST : which === 'latest' ? LATEST : which,
            })),
          },
        ],
      });
      for (const response of responses) {
        if (response.topic !== topic) continue;
        for (const { partition, offset } of response.partitions) {
          offsets.set(partition, BigInt(offset));
        }
      }
    }),
  );
  for (const { partitionId } of partitions) {
    if (!offsets.has(partitionId)) {
      throw new KafkaError('KAFKA_UNAVAILABLE', `No ${which} offset for ${topic}/${partitionId}`);
    }
  }
  // By time, a partition with no record that recent answers -1.
  const none = partitions.filter(({ partitionId }) => offsets.get(partitionId) === -1n);
  if (typeof which === 'number' && none.length > 0) {
    const ends = await listOffsets(cluster, topic, none, 'latest', isolationLevel);
    for (const [partition, offset] of ends) offsets.set(partition, offset);
  }
  return offsets;
}
