/**
 * The one error runtime/kafka throws (style.md §17): a stable `code` to branch on, the HTTP
 * status a gateway answers with, whether a retry may succeed, and the client's error as `cause`.
 */
import type { KafkaErrorCode } from './types.ts';

/** HTTP status and retriability per code (design.md §10: Kafka unavailable → 503). */
const meaning: Readonly<Record<KafkaErrorCode, readonly [status: number, retriable: boolean]>> = {
  KAFKA_UNAVAILABLE: [503, true],
  PRODUCE_TIMEOUT: [503, true],
  PRODUCER_QUEUE_FULL: [503, true],
  CLOSED: [503, true],
  TOPIC_NOT_FOUND: [500, false],
  INVALID_PARTITION: [500, false],
  RECORD_TOO_LARGE: [413, false],
  INVALID_RECORD: [500, false],
  NOT_AUTHORIZED: [500, false],
  KAFKA_ERROR: [500, false],
};

export class KafkaError extends Error {
  readonly code: KafkaErrorCode;
  /** The HTTP status a gateway answers with. */
  readonly status: number;
  /** True when the same request may succeed later (503s). */
  readonly retriable: boolean;

  constructor(code: KafkaErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const [status, retriable] = meaning[code];
    this.name = 'KafkaError';
    this.code = code;
    this.status = status;
    this.retriable = retriable;
  }
}

export function isKafkaError(error: unknown): error is KafkaError {
  return error instanceof KafkaError;
}
