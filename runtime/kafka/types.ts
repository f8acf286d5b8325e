/**
 * The runtime's own small interface over a Kafka client (style.md §4): what the gateway, the
 * reply reader and the views use. Nothing here names kafkajs; `index.ts` builds the kafkajs
 * implementation, and a test can hand the gateway a fake of these types instead.
 */
import type { ConnectionOptions } from 'node:tls';

/** One record read from a topic. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  /** Int64 as a decimal string. */
  readonly offset: string;
  /** A copy: holding a record does not pin the fetch response it came in. */
  readonly key: Buffer | null;
  /** null for a tombstone. A copy, like `key`. */
  readonly value: Buffer | null;
  /**
   * Header values decoded as UTF-8. A name that occurs more than once keeps its FIRST value
   * here (as HTTP does); every value is in `headerEntries`.
   */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Every header with values decoded as UTF-8, repeated names included, values of one name in
   * record order. Names are grouped (all values of a name together), and a name that looks like
   * an array index ("0", "17") comes first: the kafkajs decoder collects headers in an object.
   */
  readonly headerEntries: readonly (readonly [name: string, value: string])[];
  /** Milliseconds since the epoch: the producer's create time, or the broker's append time. */
  readonly timestamp: number;
}

/** A record to write. */
export interface OutgoingRecord {
  readonly topic: string;
  /** Strings are written as UTF-8. */
  readonly key: Buffer | string | null;
  /** null writes a tombstone (deletes the key in a compacted topic). */
  readonly value: Buffer | string | null;
  /** A name with several values is written as that many headers, in order. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * Default: murmur2 of the key modulo the partition count, as the Java client's default
   * partitioner does, so keys land where Java, librdkafka (murmur2_random) and kafkajs put them.
   * Without a key: every keyless record of one batch goes to one partition, the next batch's to
   * the next (sticky, as the Java client since KIP-480).
   */
  readonly partition?: number;
}

/** Where a record was written. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  /** Int64 as a decimal string. */
  readonly offset: string;
}

/**
 * Branch on this, never on a message or class name (style.md §17). Statuses and retriability
 * are in `errors.ts`.
 */
export type KafkaErrorCode =
  /** No broker answered: connection refused, reset or timed out. 503, retriable. */
  | 'KAFKA_UNAVAILABLE'
  /** A produce request got no answer in time; the record may or may not be written. 503. */
  | 'PRODUCE_TIMEOUT'
  /** Too many records wait for the broker already (during an outage). 503, retriable. */
  | 'PRODUCER_QUEUE_FULL'
  /** The producer, reader or client was closed. 503, retriable (on another instance). */
  | 'CLOSED'
  /** The topic does not exist (topics are never created implicitly). 500. */
  | 'TOPIC_NOT_FOUND'
  /** An explicit partition outside the topic's partitions. 500. */
  | 'INVALID_PARTITION'
  /** Larger than the producer's or the broker's limit. 413. */
  | 'RECORD_TOO_LARGE'
  /** The broker refused the record, e.g. no key on a compacted topic. 500. */
  | 'INVALID_RECORD'
  /** Authentication failed or an ACL denies the operation. 500. */
  | 'NOT_AUTHORIZED'
  /** Anything else the broker or client reported. 500. */
  | 'KAFKA_ERROR';

export interface ProducerOptions {
  /**
   * A `send` settles within this many ms: resolved, or rejected with a 503 KafkaError
   * (`KAFKA_UNAVAILABLE` / `PRODUCE_TIMEOUT`). Default 5000.
   */
  readonly timeoutMs?: number;
  /**
   * How long a batch waits for more sends before it is written, when no produce request is in
   * flight. Default 0: the end of the current event-loop turn (setImmediate). Sends made while a
   * request is in flight always wait for it and go together in the next one.
   */
  readonly lingerMs?: number;
  /** Most records in one produce request. Default 2000. */
  readonly maxBatchRecords?: number;
  /** Most bytes (estimated) in one produce request. Default 1,000,000. */
  readonly maxBatchBytes?: number;
  /**
   * Larger records fail at once with RECORD_TOO_LARGE. Default 1,000,000, under the broker's
   * default `message.max.bytes` (1 MiB + 12). A topic with a lower `max.message.bytes` fails
   * the whole batch at the broker instead.
   */
  readonly maxRecordBytes?: number;
  /** Sends beyond this many waiting records fail at once with PRODUCER_QUEUE_FULL. Default 10,000. */
  readonly maxQueuedRecords?: number;
  /** Told, once a micro-batch has settled, how many records it held (metrics). */
  readonly onBatch?: (records: number) => void;
}

/** Counters since the producer was created; `records / produceRequests` is the batching ratio. */
export interface ProducerStats {
  /** `send` calls accepted into the queue. */
  readonly records: number;
  /** Records whose send resolved. */
  readonly recordsWritten: number;
  /** Records whose send rejected. */
  readonly recordsFailed: number;
  /** Micro-batches formed (each is one or more produce requests). */
  readonly batches: number;
  /** Produce requests sent to brokers, retries included. */
  readonly produceRequests: number;
  /** Producer ids obtained (InitProducerId); more than one means the producer was reset. */
  readonly producerIds: number;
}

/** An idempotent (acks=all) producer that groups concurrent sends into few produce requests. */
export interface KafkaProducer {
  /** Resolves with where the record was written, or rejects with a `KafkaError`. */
  send(record: OutgoingRecord): Promise<RecordPosition>;
  stats(): ProducerStats;
  /** Resolves when every send made so far has settled. */
  flush(): Promise<void>;
  /** Flushes, then disconnects; later sends reject with CLOSED. */
  close(): Promise<void>;
}

/**
 * Where a reader starts: the log start, the current end (the last stable offset for
 * read_committed), or the next offset per partition (as `positions()` returns them).
 * Partitions missing from an explicit map, and partitions added to the topic later, start at
 * the log start.
 */
export type ReaderStart = 'earliest' | 'latest' | Readonly<Record<number, string>>;

/** `connected` once a fetch succeeds; `disconnected` while no broker answers. */
export type ReaderState = 'connected' | 'disconnected';

export interface ReaderOptions {
  /** Default 'earliest'. */
  readonly from?: ReaderStart;
  /**
   * Instead of `from`: start each partition at its first record stamped at or after this time
   * (ms since the epoch), or at its end where there is none.
   */
  readonly since?: number;
  /**
   * Gets records in offset order per partition; the reader fetches no more until the returned
   * promise settles. Never called concurrently. If it throws, the reader stops and `done`
   * rejects with that error.
   */
  readonly onRecords: (records: readonly KafkaRecord[]) => Promise<void> | void;
  readonly onStateChange?: (state: ReaderState) => void;
  /** Default 'read_committed': records of aborted transactions are skipped. */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
  /** Long poll: how long the broker holds a fetch that finds nothing new. Default 500 ms. */
  readonly maxWaitMs?: number;
  /** Checks for added partitions and moved leaders this often. Default 30 s. */
  readonly metadataRefreshMs?: number;
  /**
   * Per partition per fetch (at least one batch is always returned). Default 256 KiB: reading a
   * topic from the start, smaller fetches hold fewer records at once (bench B4: 1.6× the
   * records/s and half the peak RSS of 1 MiB; 128 and 512 KiB were slower).
   */
  readonly partitionMaxBytes?: number;
  /** Per fetch. Default 16 MiB. */
  readonly maxBytes?: number;
}

/** A continuous tail of every partition of one topic, without a consumer group. */
export interface TopicReader {
  readonly topic: string;
  /**
   * Resolves when every partition has been read up to its end offset as it was when the reader
   * started (`highWatermarks()`); rejects with CLOSED if the reader stops first.
   */
  readonly caughtUp: Promise<void>;
  /** Settles when the reader stops: resolves after `stop()`, rejects if `onRecords` threw. */
  readonly done: Promise<void>;
  state(): ReaderState;
  /** The next offset to deliver, per partition; after `stop()`, a restart point. */
  positions(): Record<number, string>;
  /**
   * End offsets per partition read at start (the last stable offset for read_committed);
   * undefined until the first broker answered.
   */
  highWatermarks(): Record<number, string> | undefined;
  /**
   * Stops fetching; waits for a running `onRecords` call, never starts another. Resolves within
   * about a second even while the broker is unreachable.
   */
  stop(): Promise<void>;
}

/** A topic `ensureTopics` creates when it is missing. */
export interface TopicSpec {
  readonly topic: string;
  /** Default 1. */
  readonly partitions?: number;
  /** Default: 3, or the number of brokers when there are fewer. */
  readonly replicationFactor?: number;
  /** Sets `cleanup.policy=compact`. */
  readonly compacted?: boolean;
  /** Further topic configs; they override `compacted`. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface KafkaAdmin {
  /**
   * Creates the topics that do not exist and waits for their leaders; existing topics are left
   * as they are. Resolves with the names it created.
   */
  ensureTopics(topics: readonly TopicSpec[]): Promise<string[]>;
  /**
   * The offset after the last record per partition: the high-water mark, or with
   * `read_committed` the last stable offset (what a read_committed reader can reach).
   */
  highWatermarks(
    topic: string,
    options?: { readonly isolation?: 'read_committed' | 'read_uncommitted' },
  ): Promise<Record<number, string>>;
  /** The topic's partition ids in order; rejects with TOPIC_NOT_FOUND. */
  partitions(topic: string): Promise<number[]>;
}

export interface KafkaClient {
  producer(options?: ProducerOptions): KafkaProducer;
  reader(topic: string, options: ReaderOptions): TopicReader;
  readonly admin: KafkaAdmin;
  /** Stops every reader, closes (flushes) every producer, then the admin connection. */
  close(): Promise<void>;
}

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

/** A log line from runtime/kafka or from kafkajs under it (`source`). */
export interface KafkaLogEntry {
  readonly level: KafkaLogLevel;
  readonly source: 'specgate' | 'kafkajs';
  /** e.g. `reader`, `producer`, or a kafkajs namespace such as `Connection`. */
  readonly namespace: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface KafkaClientConfig {
  readonly brokers: readonly string[];
  /** Default 'specgate'. */
  readonly clientId?: string;
  /** TLS: true for the platform defaults, or tls.connect options. */
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: KafkaSaslConfig;
  /** Entries below this level are dropped. Default 'warn'. */
  readonly logLevel?: KafkaLogLevel | 'nothing';
  /** Where log entries go; default nowhere (quiet). The gateway passes its pino logger here. */
  readonly log?: (entry: KafkaLogEntry) => void;
  /** TCP connect timeout. Default 3000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Default for requests that have no deadline of their own. Default 10,000 ms. */
  readonly requestTimeoutMs?: number;
}

export type KafkaSaslConfig =
  | {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    }
  | {
      readonly mechanism: 'oauthbearer';
      readonly token: () => Promise<string>;
    };
