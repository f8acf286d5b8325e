/**
 * The admin helpers the gateway needs at start-up and for readiness. Topic creation goes
 * through kafkajs' public Admin; metadata and offsets through a Cluster of our own, so the
 * isolation level of `highWatermarks` is ours to choose (kafkajs' Admin always asks for the
 * last stable offset). Every call settles within its deadline: 503 KAFKA_UNAVAILABLE when the
 * broker does not answer.
 */
import { Kafka, type Admin } from 'kafkajs';
import {
  ClusterConnection,
  listOffsets,
  READ_COMMITTED,
  READ_UNCOMMITTED,
  topicPartitions,
  type ResolvedConfig,
} from './connection.ts';
import { KafkaError } from './errors.ts';
import { failureOf, toKafkaError, type Failure } from './failures.ts';
import { refusalOf } from './refusal.ts';
import type { KafkaAdmin, TopicSpec } from './types.ts';
import { Aborted, abortable, Backoff, sleep } from './wait.ts';

const ENSURE_TOPICS_TIMEOUT_MS = 30_000;
const DEFAULT_REPLICATION = 3;

export class KafkajsAdmin implements KafkaAdmin {
  readonly #config: ResolvedConfig;
  readonly #connection: ClusterConnection;
  #admin: Promise<Admin> | undefined;

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#connection = new ClusterConnection(config, { isolationLevel: READ_UNCOMMITTED });
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<string[]> {
    return this.#withRetries('ensureTopics', ENSURE_TOPICS_TIMEOUT_MS, async (signal) => {
      const cluster = await abortable(this.#connection.get(), signal);
      const missing: TopicSpec[] = [];
      for (const spec of topics) {
        try {
          await abortable(topicPartitions(cluster, spec.topic, false), signal);
        } catch (error) {
          if (failureOf(error).code !== 'TOPIC_NOT_FOUND') throw error;
          missing.push(spec);
        }
      }
      if (missing.length === 0) return [];
      const brokers = cluster.brokerPool.metadata?.brokers.length ?? 1;
      const admin = await abortable(this.#adminClient(), signal);
      // Resolves false when another client created them first: fine, they exist.
      await abortable(
        admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((spec) => ({
            topic: spec.topic,
            numPartitions: spec.partitions ?? 1,
            replicationFactor: spec.replicationFactor ?? Math.min(DEFAULT_REPLICATION, brokers),
            configEntries: Object.entries({
              ...(spec.compacted === true ? { 'cleanup.policy': 'compact' } : {}),
              ...spec.config,
            }).map(([name, value]) => ({ name, value })),
          })),
        }),
        signal,
      );
      // Until every new partition has a leader (kafkajs' metadata parse throws before).
      const backoff = new Backoff(50, 500);
      for (const spec of missing) {
        for (;;) {
          try {
            const partitions = await abortable(topicPartitions(cluster, spec.topic, true), signal);
            if (partitions.every(({ leader }) => leader >= 0)) break;
          } catch (error) {
            const failure = failureOf(error);
            if (failure.kind === 'fatal' && failure.code !== 'TOPIC_NOT_FOUND') throw error;
          }
          await sleep(backoff.next(), signal);
        }
      }
      return missing.map((spec) => spec.topic);
    });
  }

  highWatermarks(
    topic: string,
    options: { readonly isolation?: 'read_committed' | 'read_uncommitted' } = {},
  ): Promise<Record<number, string>> {
    const isolationLevel =
      options.isolation === 'read_committed' ? READ_COMMITTED : READ_UNCOMMITTED;
    return this.#withRetries('highWatermarks', this.#config.requestTimeoutMs, async (signal) => {
      const cluster = await abortable(this.#connection.get(), signal);
      const partitions = await abortable(topicPartitions(cluster, topic, true), signal);
      const offsets = await abortable(
        listOffsets(cluster, topic, partitions, 'latest', isolationLevel),
        signal,
      );
      return Object.fromEntries([...offsets].map(([p, offset]) => [p, offset.toString()]));
    });
  }

  partitions(topic: string): Promise<number[]> {
    return this.#withRetries('partitions', this.#config.requestTimeoutMs, async (signal) => {
      const cluster = await abortable(this.#connection.get(), signal);
      const partitions = await abortable(topicPartitions(cluster, topic, true), signal);
      return partitions.map(({ partitionId }) => partitionId);
    });
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await Promise.all([
      admin?.then((client) => client.disconnect()).catch(() => undefined),
      this.#connection.close(),
    ]);
  }

  #adminClient(): Promise<Admin> {
    if (this.#admin !== undefined) return this.#admin;
    const config = this.#config;
    const admin = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      ssl: config.ssl,
      sasl: config.sasl,
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      logLevel: config.log.kafkajsLevel,
      logCreator: config.log.kafkajsLogCreator,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    }).admin();
    const connected = admin.connect().then(
      () => admin,
      (error: unknown) => {
        throw refusalOf(error, config) ?? error;
      },
    );
    this.#admin = connected;
    connected.catch(() => {
      if (this.#admin === connected) this.#admin = undefined;
    });
    return connected;
  }

  /** Runs `operation` until it succeeds, fails for good, or `timeoutMs` passes. */
  async #withRetries<T>(
    name: string,
    timeoutMs: number,
    operation: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const backoff = new Backoff(50, 1000);
    let last: Failure | undefined;
    try {
      for (;;) {
        try {
          return await operation(deadline.signal);
        } catch (error) {
          if (error instanceof Aborted) break;
          const failure = failureOf(error);
          last = failure;
          if (
            failure.kind === 'connection' ||
            failure.kind === 'timeout' ||
            failure.code === 'TOPIC_NOT_FOUND'
          ) {
            this.#connection.reset();
            this.#resetAdmin();
          }
          // A missing topic is an answer here, not a hiccup to wait out.
          if (failure.kind === 'fatal' || failure.code === 'TOPIC_NOT_FOUND') {
            throw toKafkaError(failure, name);
          }
        }
        try {
          await sleep(backoff.next(), deadline.signal);
        } catch {
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    throw new KafkaError(
      'KAFKA_UNAVAILABLE',
      `${name}: no answer from Kafka within ${timeoutMs} ms${last === undefined ? '' : `: ${last.message}`}`,
      { cause: last?.cause },
    );
  }

  #resetAdmin(): void {
    const admin = this.#admin;
    this.#admin = undefined;
    void admin?.then((client) => client.disconnect()).catch(() => undefined);
  }
}
