/**
 * The slices of kafkajs 2.2.4 internals runtime/kafka is built on, typed from its JavaScript
 * sources. kafkajs' public producer retries on its own schedule (an idempotent one forever) and
 * its consumer always joins a group; what this layer needs (a deadline per send, a group-free
 * tail of a topic, the header of every record batch) is one level down:
 *   - `src/cluster` (Cluster): bootstrap, metadata, leader lookup, connections per broker;
 *   - `Broker.connectionPool.send`: sends a protocol request and decodes its response;
 *   - `Broker.listOffsets`, `Broker.initProducerId`;
 *   - `src/protocol/requests` Fetch v11 and Produce v3+ encoders, and the Produce decoders;
 *   - `src/protocol/recordBatch/v0/decoder` (one record batch, its header and records) and
 *     `src/protocol/decoder` (the byte reader it takes);
 *   - `src/loggers` and `src/network/socketFactory`, to build a Cluster as kafkajs does.
 * kafkajs has had no release since 2.2.4 (2023); the Kafka tests next to this file exercise
 * every one of these paths against a real broker.
 */
import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'node:tls';
import type { logCreator, logLevel, RetryOptions, SASLOptions } from 'kafkajs';

export interface PartitionMetadata {
  readonly partitionId: number;
  /** -1 while the partition has no leader. */
  readonly leader: number;
  readonly partitionErrorCode: number;
}

export interface ApiVersionRange {
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** What `Encoder`-based request builders return: the connection encodes and frames it. */
export interface EncodableRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly apiName: string;
}

export interface ResponseDecoder<T> {
  decode(raw: Buffer): Promise<T>;
  parse(decoded: T): Promise<T>;
}

export interface ProtocolRequest<T> {
  readonly request: EncodableRequest;
  readonly response: ResponseDecoder<T>;
  /** Overrides the connection's request timeout when larger. */
  readonly requestTimeout?: number;
  readonly logResponseError?: boolean;
}

export interface ListOffsetsResponse {
  readonly responses: readonly {
    readonly topic: string;
    readonly partitions: readonly { readonly partition: number; readonly offset: string }[];
  }[];
}

export interface InternalBroker {
  readonly nodeId: number | null;
  /** ApiVersions of the broker, by api key; set once connected. */
  readonly versions: Readonly<Record<number, ApiVersionRange>> | null;
  readonly connectionPool: { send<T>(request: ProtocolRequest<T>): Promise<T> };
  disconnect(): Promise<void>;
  /** Throws the first partition error as a KafkaJSProtocolError. */
  listOffsets(request: {
    replicaId?: number;
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[];
  }): Promise<ListOffsetsResponse>;
  initProducerId(request: {
    transactionalId?: string;
    transactionTimeout: number;
  }): Promise<{ readonly producerId: string; readonly producerEpoch: number }>;
}

export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  /** Adds the topic to the metadata this cluster keeps; throws for an unknown topic. */
  addTargetTopic(topic: string): Promise<void>;
  /** [] for a topic without metadata. */
  findTopicPartitionMetadata(topic: string): readonly PartitionMetadata[];
  findBroker(query: { nodeId: string }): Promise<InternalBroker>;
  /** Any broker, in KRaft: fine for InitProducerId without a transactional id. */
  findControllerBroker(): Promise<InternalBroker>;
  readonly brokerPool: { readonly metadata: { readonly brokers: readonly unknown[] } | null };
}

export interface ClusterOptions {
  logger: InternalLogger;
  socketFactory: unknown;
  brokers: string[];
  ssl: boolean | ConnectionOptions | undefined;
  sasl: SASLOptions | undefined;
  clientId: string;
  connectionTimeout: number;
  authenticationTimeout: number;
  reauthenticationThreshold: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  metadataMaxAge: number;
  retry: RetryOptions;
  allowAutoTopicCreation: boolean;
  maxInFlightRequests: number | null;
  isolationLevel: number;
  instrumentationEmitter: null;
  offsets: Map<string, unknown>;
}

/** kafkajs' logger object; only passed through. */
export interface InternalLogger {
  namespace(name: string): unknown;
}

/** One decoded record (`src/protocol/recordBatch/record/v0/decoder.js`). */
export interface DecodedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** A repeated name collects its values in an array. */
  readonly headers: Readonly<Record<string, Buffer | Buffer[]>>;
}

/** One record batch: header fields and records (`src/protocol/recordBatch/v0/decoder.js`). */
export interface DecodedRecordBatch {
  readonly firstOffset: string;
  readonly lastOffsetDelta: number;
  readonly producerId: string;
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  readonly records: readonly DecodedRecord[];
}

/** `src/protocol/decoder.js`, the parts used here. */
export interface ProtocolDecoder {
  readonly offset: number;
}

export interface FetchRequestArgs {
  replicaId: number;
  isolationLevel: number;
  maxWaitTime: number;
  minBytes: number;
  maxBytes: number;
  topics: {
    topic: string;
    partitions: { partition: number; fetchOffset: string; maxBytes: number }[];
  }[];
}

export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  producerId: string;
  producerEpoch: number;
  topicData: {
    topic: string;
    partitions: {
      partition: number;
      firstSequence: number;
      messages: {
        key: Buffer | null;
        value: Buffer | null;
        headers: Record<string, string | string[]>;
        timestamp: number;
      }[];
    }[];
  }[];
}

export interface ProduceResponse {
  readonly topics: readonly {
    readonly topicName: string;
    readonly partitions: readonly {
      readonly partition: number;
      readonly errorCode: number;
      readonly baseOffset: string;
    }[];
  }[];
}

interface Internals {
  Cluster: new (options: ClusterOptions) => InternalCluster;
  createLogger: (options: { level: logLevel; logCreator: logCreator }) => InternalLogger;
  socketFactory: () => unknown;
  /** Fetch request builders by version. */
  fetchRequest: (version: number) => (args: FetchRequestArgs) => { request: EncodableRequest };
  /** Produce request builders by version, with kafkajs' own (throwing) response parser. */
  produceRequest: (version: number) => (args: ProduceRequestArgs) => {
    request: EncodableRequest;
    response: ResponseDecoder<ProduceResponse>;
  };
  produceVersions: readonly number[];
  Decoder: new (buffer: Buffer) => ProtocolDecoder;
  decodeRecordBatch: (decoder: ProtocolDecoder) => Promise<DecodedRecordBatch>;
  apiKeys: { readonly Produce: number; readonly Fetch: number };
}

export const internals: Internals = loadInternals();

function loadInternals(): Internals {
  const require = createRequire(import.meta.url);
  const { createLogger } = require('kafkajs/src/loggers/index.js');
  const requests = require('kafkajs/src/protocol/requests/index.js').requests;
  const produceVersions: number[] = requests.Produce.versions.map(Number);
  return {
    Cluster: require('kafkajs/src/cluster/index.js'),
    createLogger,
    socketFactory: require('kafkajs/src/network/socketFactory.js'),
    fetchRequest: (version) => requests.Fetch.protocol({ version }),
    produceRequest: (version) => requests.Produce.protocol({ version }),
    produceVersions,
    Decoder: require('kafkajs/src/protocol/decoder.js'),
    decodeRecordBatch: require('kafkajs/src/protocol/recordBatch/v0/decoder.js'),
    apiKeys: require('kafkajs/src/protocol/requests/apiKeys.js'),
  };
}
