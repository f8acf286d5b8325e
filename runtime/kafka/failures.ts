/**
 * What a kafkajs error, or a Kafka error code in a response, means for the loops in producer.ts
 * and reader.ts: retry as is, refresh metadata first, start a new producer id, or give up.
 * Protocol codes: https://kafka.apache.org/protocol#protocol_error_codes
 */
import { KafkaError } from './errors.ts';
import type { KafkaErrorCode } from './types.ts';

export type FailureKind =
  /** No connection, or it broke: retry, on fresh connections. */
  | 'connection'
  /** A request got no answer in time; whether it took effect is unknown. */
  | 'timeout'
  /** Leadership moved, or metadata is behind: refresh metadata, then retry. */
  | 'stale-metadata'
  /** The broker is busy or degraded: retry. */
  | 'transient'
  /** The broker rejected the producer id, epoch or sequence; nothing was written. */
  | 'producer-state'
  /** Retrying will not help. */
  | 'fatal';

export interface Failure {
  readonly kind: FailureKind;
  /** The code to reject with: as is when fatal, when retries run out otherwise. */
  readonly code: KafkaErrorCode;
  readonly message: string;
  readonly cause: unknown;
}

/** Kafka error code → [name, kind, code to reject with]. */
const codeKinds: ReadonlyMap<number, readonly [string, FailureKind, KafkaErrorCode]> = new Map([
  [2, ['CORRUPT_MESSAGE', 'fatal', 'INVALID_RECORD']],
  [3, ['UNKNOWN_TOPIC_OR_PARTITION', 'stale-metadata', 'TOPIC_NOT_FOUND']],
  [5, ['LEADER_NOT_AVAILABLE', 'stale-metadata', 'KAFKA_UNAVAILABLE']],
  [6, ['NOT_LEADER_OR_FOLLOWER', 'stale-metadata', 'KAFKA_UNAVAILABLE']],
  // acks=all not met within the produce request's own timeout.
  [7, ['REQUEST_TIMED_OUT', 'timeout', 'PRODUCE_TIMEOUT']],
  [10, ['MESSAGE_TOO_LARGE', 'fatal', 'RECORD_TOO_LARGE']],
  [13, ['NETWORK_EXCEPTION', 'connection', 'KAFKA_UNAVAILABLE']],
  [14, ['COORDINATOR_LOAD_IN_PROGRESS', 'transient', 'KAFKA_UNAVAILABLE']],
  [15, ['COORDINATOR_NOT_AVAILABLE', 'transient', 'KAFKA_UNAVAILABLE']],
  [16, ['NOT_COORDINATOR', 'transient', 'KAFKA_UNAVAILABLE']],
  [17, ['INVALID_TOPIC_EXCEPTION', 'fatal', 'TOPIC_NOT_FOUND']],
  [18, ['RECORD_LIST_TOO_LARGE', 'fatal', 'RECORD_TOO_LARGE']],
  [19, ['NOT_ENOUGH_REPLICAS', 'transient', 'KAFKA_UNAVAILABLE']],
  [20, ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'transient', 'KAFKA_UNAVAILABLE']],
  [29, ['TOPIC_AUTHORIZATION_FAILED', 'fatal', 'NOT_AUTHORIZED']],
  [31, ['CLUSTER_AUTHORIZATION_FAILED', 'fatal', 'NOT_AUTHORIZED']],
  [45, ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'producer-state', 'KAFKA_ERROR']],
  [47, ['INVALID_PRODUCER_EPOCH', 'producer-state', 'KAFKA_ERROR']],
  [51, ['CONCURRENT_TRANSACTIONS', 'transient', 'KAFKA_UNAVAILABLE']],
  [56, ['KAFKA_STORAGE_ERROR', 'transient', 'KAFKA_UNAVAILABLE']],
  [58, ['SASL_AUTHENTICATION_FAILED', 'fatal', 'NOT_AUTHORIZED']],
  [59, ['UNKNOWN_PRODUCER_ID', 'producer-state', 'KAFKA_ERROR']],
  [74, ['FENCED_LEADER_EPOCH', 'stale-metadata', 'KAFKA_UNAVAILABLE']],
  [75, ['UNKNOWN_LEADER_EPOCH', 'stale-metadata', 'KAFKA_UNAVAILABLE']],
  [87, ['INVALID_RECORD', 'fatal', 'INVALID_RECORD']],
  [89, ['THROTTLING_QUOTA_EXCEEDED', 'transient', 'KAFKA_UNAVAILABLE']],
]);

/** A Kafka error code from a response, thrown to end a loop that `failureOf` then classifies. */
export class ResponseError extends Error {
  readonly errorCode: number;

  constructor(errorCode: number, message: string) {
    super(message);
    this.name = 'ResponseError';
    this.errorCode = errorCode;
  }
}

/** Kafka error code → failure; codes not listed are fatal. */
export function failureOfCode(errorCode: number, cause?: unknown): Failure {
  const [name, kind, code] = codeKinds.get(errorCode) ?? [
    `error code ${errorCode}`,
    'fatal',
    'KAFKA_ERROR',
  ];
  const message = `Kafka answered ${name}`;
  return { kind, code, message, cause: cause ?? new ResponseError(errorCode, message) };
}

/** Node's socket error codes: the broker is not reachable. */
const socketErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** kafkajs error class names (`error.name`) that mean the connection is gone or never came. */
const connectionErrors = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);
const staleMetadataErrors = new Set([
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
]);
/** kafkajs wraps the error that ended its retries; the cause says what happened. */
const wrapperErrors = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);

/** Classifies anything a kafkajs call threw. */
export function failureOf(error: unknown): Failure {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof KafkaError) {
      const kind: FailureKind = current.retriable ? 'transient' : 'fatal';
      return { kind, code: current.code, message: current.message, cause: current };
    }
    if (current instanceof ResponseError) return failureOfCode(current.errorCode, error);
    if (!(current instanceof Error)) break;
    const { name } = current;
    const protocolCode = numberProperty(current, 'code');
    if (name === 'KafkaJSProtocolError' && protocolCode !== undefined) {
      return { ...failureOfCode(protocolCode, error), message: current.message };
    }
    if (wrapperErrors.has(name) && current.cause !== undefined && current.cause !== current) {
      current = current.cause;
      continue;
    }
    if (name === 'KafkaJSRequestTimeoutError') {
      return { kind: 'timeout', code: 'PRODUCE_TIMEOUT', message: current.message, cause: error };
    }
    if (connectionErrors.has(name) || socketErrorCodes.has(stringProperty(current, 'code') ?? '')) {
      return {
        kind: 'connection',
        code: 'KAFKA_UNAVAILABLE',
        message: current.message,
        cause: error,
      };
    }
    if (staleMetadataErrors.has(name)) {
      return {
        kind: 'stale-metadata',
        code: 'KAFKA_UNAVAILABLE',
        message: current.message,
        cause: error,
      };
    }
    if (name === 'KafkaJSSASLAuthenticationError') {
      return { kind: 'fatal', code: 'NOT_AUTHORIZED', message: current.message, cause: error };
    }
    break;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'fatal', code: 'KAFKA_ERROR', message, cause: error };
}

/** True for failures after which a request may have taken effect without our knowing. */
export function isUncertain(failure: Failure): boolean {
  return failure.kind === 'connection' || failure.kind === 'timeout';
}

export function toKafkaError(failure: Failure, context: string): KafkaError {
  if (failure.cause instanceof KafkaError && failure.cause.code === failure.code) {
    return failure.cause;
  }
  return new KafkaError(failure.code, `${context}: ${failure.message}`, { cause: failure.cause });
}

function numberProperty(value: object, name: string): number | undefined {
  const property: unknown = Reflect.get(value, name);
  return typeof property === 'number' ? property : undefined;
}

function stringProperty(value: object, name: string): string | undefined {
  const property: unknown = Reflect.get(value, name);
  return typeof property === 'string' ? property : undefined;
}
