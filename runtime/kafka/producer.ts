/**
 * The idempotent producer (acks=all) commands go through (design.md §4), with two properties the
 * kafkajs producer lacks:
 *
 * - Micro-batching. Sends wait in a queue; when no produce request is in flight, everything
 *   queued (up to the batch limits) goes out as one request with one record batch per
 *   partition, at the end of the event-loop turn (or after `lingerMs`). Sends made while it is
 *   in flight form the next one. Under load a request carries many records; alone, a send
 *   waits for nothing.
 * - A deadline. Every send settles within `timeoutMs`: with its position, or with a 503
 *   `KafkaError` when the broker is unreachable or silent. kafkajs retries an idempotent
 *   producer's request forever (and limiting its retries breaks the sequence numbers), so
 *   batch-writer.ts speaks Produce itself over kafkajs' Cluster and keeps the sequence numbers.
 *   Connections are rebuilt after connection errors, so the same producer works again once
 *   the broker is back.
 */
import {
  BatchRun,
  BatchWriter,
  failSend,
  type PendingSend,
  type ProducerCounters,
} from './batch-writer.ts';
import type { ClusterConnection } from './connection.ts';
import { KafkaError } from './errors.ts';
import { failureOf, toKafkaError, type Failure } from './failures.ts';
import type { KafkaLog } from './log.ts';
import type {
  KafkaProducer,
  OutgoingRecord,
  ProducerOptions,
  ProducerStats,
  RecordPosition,
} from './types.ts';
import { Aborted } from './wait.ts';

interface ResolvedProducerOptions {
  readonly timeoutMs: number;
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly maxRecordBytes: number;
  readonly maxQueuedRecords: number;
  readonly onBatch: ((records: number) => void) | undefined;
}

export function resolveProducerOptions(options: ProducerOptions = {}): ResolvedProducerOptions {
  return {
    timeoutMs: options.timeoutMs ?? 5000,
    lingerMs: options.lingerMs ?? 0,
    maxBatchRecords: options.maxBatchRecords ?? 2000,
    maxBatchBytes: options.maxBatchBytes ?? 1_000_000,
    maxRecordBytes: options.maxRecordBytes ?? 1_000_000,
    maxQueuedRecords: options.maxQueuedRecords ?? 10_000,
    onBatch: options.onBatch,
  };
}

/** Record batch header (61) plus the request's per-topic and per-partition fields. */
const BATCH_OVERHEAD = 100;
/** Record framing at most: length, attributes, timestamp and offset deltas, key/value lengths. */
const RECORD_OVERHEAD = 30;
const HEADER_OVERHEAD = 10;

export class KafkajsProducer implements KafkaProducer {
  readonly #connection: ClusterConnection;
  readonly #options: ResolvedProducerOptions;
  readonly #log: KafkaLog;
  readonly #queue: PendingSend[] = [];
  #running: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;
  #available = true;
  readonly #writer: BatchWriter;
  readonly #stats: ProducerCounters = {
    records: 0,
    recordsWritten: 0,
    recordsFailed: 0,
    batches: 0,
    produceRequests: 0,
    producerIds: 0,
  };

  constructor(connection: ClusterConnection, options: ResolvedProducerOptions, log: KafkaLog) {
    this.#connection = connection;
    this.#options = options;
    this.#log = log;
    this.#writer = new BatchWriter(connection, this.#stats, log);
  }

  send(record: OutgoingRecord): Promise<RecordPosition> {
    if (this.#closed) {
      return Promise.reject(new KafkaError('CLOSED', 'The producer is closed'));
    }
    const key = toBuffer(record.key);
    const value = toBuffer(record.value);
    const headers = copyHeaders(record.headers);
    const bytes = estimateSize(key, value, headers);
    if (bytes + BATCH_OVERHEAD > this.#options.maxRecordBytes) {
      return Promise.reject(
        new KafkaError(
          'RECORD_TOO_LARGE',
          `Record of about ${bytes} bytes for ${record.topic} exceeds the limit of ${this.#options.maxRecordBytes}`,
        ),
      );
    }
    if (this.#queue.length >= this.#options.maxQueuedRecords) {
      return Promise.reject(
        new KafkaError(
          'PRODUCER_QUEUE_FULL',
          `${this.#queue.length} records already wait for Kafka; try again later`,
        ),
      );
    }
    const now = Date.now();
    return new Promise<RecordPosition>((resolve, reject) => {
      this.#queue.push({
        topic: record.topic,
        key,
        value,
        headers,
        explicitPartition: record.partition,
        bytes,
        timestamp: now,
        deadline: now + this.#options.timeoutMs,
        partition: undefined,
        state: 'queued',
        resolve,
        reject,
      });
      this.#stats.records++;
      this.#schedule();
    });
  }

  stats(): ProducerStats {
    return { ...this.#stats };
  }

  async flush(): Promise<void> {
    while (this.#running !== undefined || this.#scheduled || this.#queue.length > 0) {
      await (this.#running ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#connection.close();
  }

  #schedule(): void {
    if (this.#running !== undefined || this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    const start = (): void => {
      this.#scheduled = false;
      this.#startBatch();
    };
    if (this.#options.lingerMs > 0) setTimeout(start, this.#options.lingerMs);
    else setImmediate(start);
  }

  #startBatch(): void {
    if (this.#running !== undefined) return;
    const sends = this.#takeBatch();
    if (sends.length === 0) return;
    this.#running = this.#runBatch(new BatchRun(sends)).finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
  }

  /** The oldest queued sends, up to the batch limits (always at least one). */
  #takeBatch(): PendingSend[] {
    let count = 0;
    let bytes = BATCH_OVERHEAD;
    for (const send of this.#queue) {
      if (count === this.#options.maxBatchRecords) break;
      if (count > 0 && bytes + send.bytes > this.#options.maxBatchBytes) break;
      bytes += send.bytes;
      count++;
    }
    const now = Date.now();
    const batch: PendingSend[] = [];
    for (const send of this.#queue.splice(0, count)) {
      // Waited out its time behind an earlier batch: it was never sent.
      if (send.deadline <= now) {
        this.#fail(send, new KafkaError('KAFKA_UNAVAILABLE', this.#unavailableMessage()));
      } else {
        batch.push(send);
      }
    }
    return batch;
  }

  async #runBatch(run: BatchRun): Promise<void> {
    this.#stats.batches++;
    const timer = setTimeout(
      () => {
        run.inFlightAtDeadline = run.requestsInFlight > 0;
        run.controller.abort();
      },
      Math.max(0, run.deadline - Date.now()),
    );
    try {
      await this.#writer.write(run);
    } catch (error) {
      if (!(error instanceof Aborted)) {
        // A bug, not a Kafka answer; fail the sends rather than leave them hanging.
        const failure = failureOf(error);
        for (const send of run.sends) this.#fail(send, toKafkaError(failure, 'Produce failed'));
      }
    } finally {
      clearTimeout(timer);
    }
    const unsettled = run.sends.filter((send) => send.state === 'queued');
    if (unsettled.length > 0) {
      const error = this.#deadlineError(run);
      for (const send of unsettled) this.#fail(send, error);
      this.#markUnavailable(error);
    } else if (run.sends.every((send) => send.state === 'written')) {
      this.#markAvailable();
    }
    try {
      this.#options.onBatch?.(run.sends.length);
    } catch {
      // A metrics hook must not break the producer.
    }
  }

  #deadlineError(run: BatchRun): KafkaError {
    const failure = run.lastFailure;
    if (run.inFlightAtDeadline || failure?.kind === 'timeout') {
      return new KafkaError(
        'PRODUCE_TIMEOUT',
        `Kafka did not confirm the record within ${this.#options.timeoutMs} ms; it may or may not have been written`,
        { cause: failure?.cause },
      );
    }
    return new KafkaError('KAFKA_UNAVAILABLE', this.#unavailableMessage(failure), {
      cause: failure?.cause,
    });
  }

  #unavailableMessage(failure?: Failure): string {
    const why = failure === undefined ? '' : `: ${failure.message}`;
    return `Kafka could not take the record within ${this.#options.timeoutMs} ms${why}`;
  }

  #markUnavailable(error: KafkaError): void {
    if (!this.#available) return;
    this.#available = false;
    this.#log.warn('producer', `sends are failing: ${error.message}`, { code: error.code });
  }

  #markAvailable(): void {
    if (this.#available) return;
    this.#available = true;
    this.#log.info('producer', 'sends succeed again', {});
  }

  #fail(send: PendingSend, error: KafkaError): void {
    failSend(send, error, this.#stats);
  }
}

function toBuffer(value: Buffer | string | null): Buffer | null {
  if (value === null) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function copyHeaders(
  headers: Readonly<Record<string, string | readonly string[]>> | undefined,
): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    Object.defineProperty(copy, name, {
      value: typeof value === 'string' ? value : [...value],
      enumerable: true,
      writable: true,
    });
  }
  return copy;
}

function estimateSize(
  key: Buffer | null,
  value: Buffer | null,
  headers: Readonly<Record<string, string | string[]>>,
): number {
  let size = RECORD_OVERHEAD + (key?.length ?? 0) + (value?.length ?? 0);
  for (const [name, values] of Object.entries(headers)) {
    for (const one of typeof values === 'string' ? [values] : values) {
      size += HEADER_OVERHEAD + Buffer.byteLength(name) + Buffer.byteLength(one);
    }
  }
  return size;
}
