/**
 * runtime/kafka: the runtime's Kafka client (style.md §4). `createKafkaClient` builds the kafkajs
 * implementation of the interface in types.ts; the rest of the runtime sees only that interface.
 */
import { checkAccess } from './access-check.ts';
import { KafkajsAdmin } from './admin.ts';
import { ClusterConnection, READ_COMMITTED, type ResolvedConfig } from './connection.ts';
import { KafkaError } from './errors.ts';
import { createKafkaLog } from './log.ts';
import { KafkajsProducer, resolveProducerOptions } from './producer.ts';
import { KafkajsTopicReader } from './reader.ts';
import { toKafkajsSasl } from './security.ts';
import type {
  KafkaAdmin,
  KafkaClient,
  KafkaClientConfig,
  KafkaProducer,
  ProducerOptions,
  ReaderOptions,
  TopicReader,
} from './types.ts';

export { KafkaError, isKafkaError } from './errors.ts';
export { describeSasl, resolveKafkaSecurity, toKafkajsSasl } from './security.ts';
export type { KafkaEnv, KafkaSaslMechanism, KafkaSecurity, KafkaSecuritySpec } from './security.ts';
export { murmur2, partitionForKey } from './partitioner.ts';
export type {
  KafkaAdmin,
  KafkaClient,
  KafkaClientConfig,
  KafkaErrorCode,
  KafkaLogEntry,
  KafkaLogLevel,
  KafkaProducer,
  KafkaRecord,
  KafkaSaslConfig,
  OutgoingRecord,
  ProducerOptions,
  ProducerStats,
  ReaderOptions,
  ReaderStart,
  ReaderState,
  RecordPosition,
  TopicReader,
  TopicSpec,
} from './types.ts';

/** A Kafka client over kafkajs; connects lazily, on the first call that needs the broker. */
export function createKafkaClient(config: KafkaClientConfig): KafkaClient {
  return new KafkajsClient(resolveConfig(config));
}

/**
 * Resolves once a broker has let a client of this config in (TLS, SASL, a metadata request);
 * rejects with NOT_AUTHORIZED, saying what was refused, when a broker refuses its settings, and
 * with CLOSED when `signal` fires first. While no broker answers it keeps trying (see
 * access-check.ts).
 */
export function checkKafkaAccess(config: KafkaClientConfig, signal: AbortSignal): Promise<void> {
  return checkAccess(resolveConfig(config), signal);
}

/** The configuration with its defaults, in the shape the implementation files take. */
export function resolveConfig(config: KafkaClientConfig): ResolvedConfig {
  const brokers = config.brokers.map((broker) => broker.trim()).filter((broker) => broker !== '');
  if (brokers.length === 0) {
    throw new KafkaError('KAFKA_ERROR', 'createKafkaClient: no bootstrap brokers given');
  }
  return {
    brokers,
    clientId: config.clientId ?? 'specgate',
    ssl: config.ssl,
    sasl: config.sasl === undefined ? undefined : toKafkajsSasl(config.sasl),
    connectionTimeoutMs: config.connectionTimeoutMs ?? 3000,
    requestTimeoutMs: config.requestTimeoutMs ?? 10_000,
    log: createKafkaLog(config),
  };
}

class KafkajsClient implements KafkaClient {
  readonly admin: KafkaAdmin;
  readonly #config: ResolvedConfig;
  readonly #adminImpl: KafkajsAdmin;
  readonly #producers = new Set<KafkaProducer>();
  readonly #readers = new Set<TopicReader>();
  #closed = false;

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#adminImpl = new KafkajsAdmin(config);
    this.admin = this.#adminImpl;
  }

  producer(options: ProducerOptions = {}): KafkaProducer {
    this.#throwIfClosed();
    const resolved = resolveProducerOptions(options);
    // Requests outliving every send's deadline are of no use to anyone.
    const connection = new ClusterConnection(this.#config, {
      requestTimeoutMs: resolved.timeoutMs,
    });
    const producer = new KafkajsProducer(connection, resolved, this.#config.log);
    this.#producers.add(producer);
    return producer;
  }

  reader(topic: string, options: ReaderOptions): TopicReader {
    this.#throwIfClosed();
    const reader = new KafkajsTopicReader(
      new ClusterConnection(this.#config, { isolationLevel: READ_COMMITTED }),
      topic,
      options,
      this.#config.log,
      this.#config.requestTimeoutMs,
    );
    this.#readers.add(reader);
    void reader.done.catch(() => undefined).then(() => this.#readers.delete(reader));
    return reader;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#readers].map((reader) => reader.stop()));
    await Promise.all([...this.#producers].map((producer) => producer.close()));
    await this.#adminImpl.close();
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new KafkaError('CLOSED', 'The Kafka client is closed');
  }
}
