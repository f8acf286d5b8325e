/**
 * History routes (design.md §5): `GET /tasks/{id}/history` answers the events of one key of an
 * event topic, oldest first, each with its message name, record timestamp, offset, the identity
 * that caused it when the record carries one, and its payload. A key with no events has an
 * empty history (`[]`, not 404): an id is not known to be absent from an event log.
 *
 * Each request scans the key's partition from its log start (key-scan.ts) up to the end offsets
 * read when it arrived, so a write acknowledged before the request is in the answer. There is no
 * index by key: the cost is one partition read per request, bounded in time (`timeoutMs`) and in
 * concurrency (`maxConcurrentScans`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KafkaClient, KafkaRecord } from '../../kafka/types.ts';
import { HttpProblem, sendProblem } from '../problems.ts';
import { stringValues, topicName } from '../record.ts';
import { historyEntryJson, historyJson } from './history-entry.ts';
import type { HistoryRouteSpec } from './history-spec.ts';
import { scanKey } from './key-scan.ts';
import { ScanSlots } from './scan-slots.ts';

export { identityHeader, type HistoryEntry } from './history-entry.ts';

/** Set to `true` on an answer cut at `maxEvents`: the key has more events than it lists. */
export const historyTruncatedHeader = 'specgate-history-truncated';

/** What an identity filter sees of a record of the key. */
export interface HistoryRecordView {
  /** The record key, decoded as UTF-8 (the path parameter). */
  readonly key: string;
  /** Header values decoded as UTF-8; a repeated name keeps its first value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  /** Int64 as a decimal string. */
  readonly offset: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

/** Decides per record whether the request may see it (the identity-filter hook). */
export type HistoryPredicate = (record: HistoryRecordView) => boolean;

export interface HistoryContext {
  readonly kafka: KafkaClient;
  /**
   * Most events in one answer. Default 10,000. Past it the answer holds the OLDEST `maxEvents`
   * events (the order and the start of the history stay intact, and the scan stops there) and
   * carries `specgate-history-truncated: true`.
   */
  readonly maxEvents?: number;
  /** The identity filter: which records this request may see (all when undefined). */
  readonly predicate?: (request: FastifyRequest) => HistoryPredicate | undefined;
  /**
   * Bound on one request: waiting for a scan slot, reading the end offsets and the scan. Past it
   * the answer is 503 KAFKA_UNAVAILABLE with `Retry-After: 1`. Default 10 s.
   */
  readonly timeoutMs?: number;
  /** Scans running at once, per handler; more requests wait (within `timeoutMs`). Default 16. */
  readonly maxConcurrentScans?: number;
}

export type HistoryHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<FastifyReply>;

/**
 * The Fastify handler of one history route. Kafka failures are thrown as they are (a KafkaError,
 * which the gateway answers with `kafkaProblem`); a timeout is thrown as an HttpProblem.
 */
export function createHistoryHandler(route: HistoryRouteSpec, ctx: HistoryContext): HistoryHandler {
  const maxEvents = ctx.maxEvents ?? 10_000;
  const timeoutMs = ctx.timeoutMs ?? 10_000;
  const slots = new ScanSlots(ctx.maxConcurrentScans ?? 16);
  return async (request, reply) => {
    const params = stringValues(request.params);
    const key = params[route.keyParam];
    if (key === undefined) {
      const pointer = `/params/${route.keyParam}`;
      throw new HttpProblem('VALIDATION_FAILED', `${pointer} is missing`, {
        errors: [{ pointer, detail: 'is missing' }],
      });
    }
    const topic = topicName(route.topic, { params, query: {}, headers: request.headers });
    const visible = ctx.predicate?.(request);

    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error(`no history within ${timeoutMs} ms`)),
      timeoutMs,
    );
    // The client went away: stop reading for it.
    const gone = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableEnded) gone.abort(new Error('the client closed the request'));
    };
    reply.raw.once('close', onClose);
    const signal = AbortSignal.any([timeout.signal, gone.signal]);

    const entries: string[] = [];
    const onRecord = (record: KafkaRecord): boolean => {
      if (visible !== undefined && !visible(recordView(record, key))) return true;
      const entry = historyEntryJson(record, route.messages);
      if (entry === undefined) return true;
      // One past the bound: only now is it known that the history is longer.
      if (entries.length >= maxEvents) return false;
      entries.push(entry);
      return true;
    };
    let complete: boolean;
    try {
      const release = await slots.acquire(signal);
      try {
        ({ complete } = await scanKey(ctx.kafka, topic, Buffer.from(key, 'utf8'), {
          signal,
          onRecord,
        }));
      } finally {
        release();
      }
    } catch (error) {
      // Nobody reads the answer; sent rather than thrown, so it is not logged as a failure.
      if (gone.signal.aborted) {
        return sendProblem(
          reply,
          new HttpProblem('KAFKA_UNAVAILABLE', 'the client closed the request', { cause: error }),
        );
      }
      if (timeout.signal.aborted) {
        throw new HttpProblem(
          'KAFKA_UNAVAILABLE',
          `the history of "${key}" could not be read from ${topic} within ${timeoutMs} ms`,
          { retryAfter: 1, cause: error },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      reply.raw.off('close', onClose);
    }
    if (!complete) reply.header(historyTruncatedHeader, 'true');
    return reply.code(200).type('application/json').send(historyJson(entries));
  };
}

function recordView(record: KafkaRecord, key: string): HistoryRecordView {
  return {
    key,
    headers: record.headers,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
  };
}
