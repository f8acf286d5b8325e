/**
 * A server-sent events stream over an event topic (not compacted; design.md §6): live records
 * only, no state. The streams of a topic (its address filled from the path parameters) share
 * one reader of it, the topic's tail (topic-tail.ts), which formats each event once for all of
 * them; a stream resuming from behind the tail, or whose client falls behind, reads on its own
 * until it has caught up with the tail, then joins it.
 *
 * - The first byte never waits for data (Zilla issue #1628): headers and `retry:` go out as soon
 *   as the broker has told the end offsets of the topic — bounded by `startBoundMs` (default
 *   1 s), after which they go out anyway and the reader finds the end itself.
 * - Live: the reader starts at those end offsets. A record acknowledged before the request is
 *   never sent; one acknowledged after the client got the headers always is.
 * - Every event's id is Zilla's `["<base64url key>","<progress>[/<etag>]"]`, the progress being
 *   per partition the next offset after what this client has been sent (records a filter hid
 *   count as sent). A reconnect with `Last-Event-ID` (or `?lastEventId=`) starts the reader at
 *   that progress: exactly the records after it, in offset order per partition. Partitions the
 *   progress does not name start at their current end (live-start.ts). An id that does not
 *   parse is ignored: the stream starts live.
 * - A record with a null value goes out as `event: delete` with the base64url key as data, as a
 *   tombstone does on a compacted topic (design.md §6); a null key is the empty key.
 * - Backpressure, not memory: when a write leaves more than `maxBufferBytes` in the socket's
 *   buffer, the stream leaves the tail and goes on with a reader of its own from its progress,
 *   which takes no more records until the buffer is back under the limit. At most about `maxBufferBytes` plus one event wait in
 *   the socket, and one fetch (the reader's fetch size is `maxBufferBytes` too) in the reader.
 *   A client that falls behind this way is not cut off (Kafka keeps the records it has still to
 *   read); one that takes no byte for `maxStallMs` is: the stream ends with `buffer-full` and its
 *   socket is destroyed, so a dead client does not pin a reader. It resumes from its last id.
 * - Read-your-writes (`specgate-progress`) is validated (400 when malformed) and otherwise has
 *   nothing to wait for: a write acknowledged before the request is below the stream's start,
 *   and one acknowledged after it is sent live.
 * - When the resume point's end offsets cannot be read (topic missing, broker down), the stream
 *   ends at once with `server`; the client reconnects after `retry:` with the same id. Without a
 *   resume point the reader itself retries (a broker outage, a topic not created yet) and the
 *   stream stays open with heartbeats; it starts at the end as of the reader's first answer.
 */
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { KafkaClient, KafkaRecord, ReaderStart, TopicReader } from '../../kafka/types.ts';
import { encodeProgress, progressAfter, type Progress } from '../progress.ts';
import { invalidRequest, sendProblem } from '../problems.ts';
import { stringValues, topicName } from '../record.ts';
import {
  filterPredicate,
  recordEntry,
  type RecordPredicate,
  type ViewEntry,
  type ViewFilter,
} from '../views/materialized-view.ts';
import { encodeEventId, encodeKey, formatEvent, parseEventId } from './event-format.ts';
import { TopicTails, type TailEvent, type TailSubscriber, type TopicTail } from './topic-tail.ts';
import { liveStart, resumeStart } from './live-start.ts';
import { eventName, lastEventIdOf, parseFilters } from './sse-stream.ts';
import {
  connectionOptions,
  streamEndsAt,
  hijack,
  SseConnection,
  streamProgress,
  type StreamEnd,
  type StreamHandler,
} from './sse-connection.ts';
import type { StreamRouteSpec } from './stream-spec.ts';

export interface LiveStreamContext {
  readonly kafka: KafkaClient;
  /** Sent as `retry:`. Default 2000 ms. */
  readonly retryMs?: number;
  /** A comment line this often; 0 for none. Default 15 s. */
  readonly heartbeatMs?: number;
  /**
   * Bytes in the socket's buffer past which the stream waits for the client before it takes
   * more records; also the reader's fetch size. Default 1 MiB.
   */
  readonly maxBufferBytes?: number;
  /** A client that takes no byte for this long while over `maxBufferBytes` is cut. Default 30 s. */
  readonly maxStallMs?: number;
  /** Longest wait for the topic's end offsets before the headers go out anyway. Default 1 s. */
  readonly startBoundMs?: number;
  /** The identity filter: which records this request may see (all when undefined). */
  readonly predicate?: (request: FastifyRequest) => RecordPredicate | undefined;
  /** Aborting ends every open stream (server shutdown). */
  readonly signal?: AbortSignal;
  /** Told when a stream starts; `onStreamEnd` follows once for each. */
  readonly onStreamStart?: () => void;
  /** Told when a stream ends, and why. */
  readonly onStreamEnd?: (end: StreamEnd) => void;
  /**
   * Told when a stream is live: its reader (the topic's shared one, or its own) has its start.
   * For tests and metrics.
   */
  readonly onStreamLive?: (live: {
    readonly reader: TopicReader;
    readonly shared: boolean;
  }) => void;
  /** How long a topic's shared reader goes on after its last stream left. Default 10 s. */
  readonly tailIdleMs?: number;
}

interface ResolvedContext {
  readonly kafka: KafkaClient;
  /** The route's shared readers, by topic (topic-tail.ts). */
  readonly tails: TopicTails;
  readonly retryMs: number;
  readonly heartbeatMs: number;
  readonly maxBufferBytes: number;
  readonly maxStallMs: number;
  readonly startBoundMs: number;
  readonly ctx: LiveStreamContext;
}

/** Kafka's legal topic names (`Topic.validate`). */
const topicPattern = /^[A-Za-z0-9._-]{1,249}$/;

/** The Fastify handler of one stream route over an event topic. */
export function createLiveStreamHandler(
  route: StreamRouteSpec,
  ctx: LiveStreamContext,
): StreamHandler {
  if (route.compacted) {
    throw new Error(`stream ${route.operationId}: a compacted topic streams from its view`);
  }
  const tails = new TopicTails(
    ctx.kafka,
    (record, id) => formatRecord(route, record, id),
    ctx.tailIdleMs ?? 10_000,
  );
  ctx.signal?.addEventListener('abort', () => void tails.stop(), { once: true });
  const resolved: ResolvedContext = {
    kafka: ctx.kafka,
    tails,
    retryMs: ctx.retryMs ?? 2000,
    heartbeatMs: ctx.heartbeatMs ?? 15_000,
    maxBufferBytes: ctx.maxBufferBytes ?? 1024 * 1024,
    maxStallMs: ctx.maxStallMs ?? 30_000,
    startBoundMs: ctx.startBoundMs ?? 1000,
    ctx,
  };
  // Async: a FastifyReply is thenable, so Promise.resolve(reply) would wait for it.
  return async (request, reply) => {
    const params = stringValues(request.params);
    const channelParams = route.params ?? {};
    const topic = topicName(
      { address: route.topic, params: channelParams, compacted: false },
      { params, query: {}, headers: request.headers },
    );
    if (!topicPattern.test(topic)) {
      const param = Object.values(channelParams).find((name) => {
        const value = params[name];
        return value === undefined || !topicPattern.test(value);
      });
      return sendProblem(
        reply,
        invalidRequest(`/params${param === undefined ? '' : `/${param}`}`, 'is not usable here'),
      );
    }
    // Read-your-writes has nothing to wait for here (see above), but a bad token is a 400.
    if (streamProgress(request, reply, topic) === undefined) return reply;
    const filters = parseFilters(route, request);
    const lastEventId = lastEventIdOf(request);
    const headers = hijack(reply);
    const stream = new LiveStream(route, resolved, reply.raw, {
      topic,
      filters,
      own: ctx.predicate?.(request),
      resume: lastEventId === undefined ? undefined : parseEventId(lastEventId)?.progress,
      headers,
      endsAt: streamEndsAt(request),
    });
    void stream.run();
    return reply;
  };
}

interface LiveRequest {
  /** The filled topic address. */
  readonly topic: string;
  readonly filters: readonly ViewFilter[];
  /** The request's own predicate (identity filtering). */
  readonly own: RecordPredicate | undefined;
  readonly resume: Progress | undefined;
  readonly headers: Readonly<Record<string, string | number | string[]>>;
  /** The caller's token expiry: the stream ends then. */
  readonly endsAt: number | undefined;
}

class LiveStream implements TailSubscriber {
  readonly #route: StreamRouteSpec;
  readonly #ctx: ResolvedContext;
  readonly #request: LiveRequest;
  readonly #connection: SseConnection;
  readonly #matches: RecordPredicate;
  readonly #matchesHeaders: RecordPredicate;
  #reader: TopicReader | undefined;
  #tail: TopicTail | undefined;
  /**
   * On the tail: the partitions this stream starts ahead of the tail's progress, with the
   * stream's start; its progress is the tail's with these. Empty: the stream is in step with the
   * tail and takes its events as formatted once for all.
   */
  readonly #ahead = new Map<number, bigint>();

  constructor(
    route: StreamRouteSpec,
    ctx: ResolvedContext,
    raw: ServerResponse,
    request: LiveRequest,
  ) {
    this.#route = route;
    this.#ctx = ctx;
    this.#request = request;
    this.#matches = filterPredicate(request.filters);
    this.#matchesHeaders = filterPredicate(request.filters.filter((f) => f.on === 'header'));
    // Stopping waits for a running onRecords, which returns now that the stream is closed.
    this.#connection = new SseConnection(
      raw,
      request.headers,
      connectionOptions(ctx, request.endsAt),
      () => {
        this.#tail?.remove(this);
        void this.#reader?.stop();
      },
    );
  }

  get #closed(): boolean {
    return this.#connection.closed;
  }

  async run(): Promise<void> {
    const connection = this.#connection;
    const { kafka } = this.#ctx;
    const { topic, resume } = this.#request;
    let from: ReaderStart =
      resume === undefined ? await liveStart(kafka, topic, this.#ctx.startBoundMs) : 'latest';
    connection.open();
    if (resume !== undefined) {
      try {
        from = await resumeStart(kafka, topic, resume, connection.signal);
      } catch {
        // Closed meanwhile, or no end offsets: the client retries with the same id.
        return connection.close('server');
      }
    }
    if (this.#closed) return;
    const tail = from === 'earliest' ? undefined : this.#joinTail(from, resume !== undefined);
    if (tail !== undefined) this.#told(tail.reader, true);
    else this.#told(this.#readAlone(from), false);
  }

  /**
   * Joins the topic's shared reader: always for a fresh stream (records the tail delivered
   * before now were acknowledged before this stream's headers went out); for a resume only when
   * the tail has not passed its start in any partition (it has nothing to replay).
   */
  #joinTail(
    from: Readonly<Record<number, string>> | 'latest',
    resumed: boolean,
  ): TopicTail | undefined {
    const { tails } = this.#ctx;
    const { topic } = this.#request;
    const running = tails.get(topic);
    const progress = running?.progress() ?? {};
    const starts = from === 'latest' ? [] : Object.entries(from);
    if (resumed) {
      if (running === undefined) return undefined;
      for (const [partition, offset] of starts) {
        const at = progress[Number(partition)];
        if (at === undefined || BigInt(offset) < BigInt(at)) return undefined;
      }
    }
    for (const [partition, offset] of starts) {
      const at = progress[Number(partition)];
      if (at === undefined || BigInt(offset) > BigInt(at)) {
        this.#ahead.set(Number(partition), BigInt(offset));
      }
    }
    const tail = tails.join(topic, from, this);
    this.#tail = tail;
    return tail;
  }

  /** A reader of this stream's own, from `from`: the stream waits for its client as it goes. */
  #readAlone(from: ReaderStart): TopicReader {
    const { kafka, maxBufferBytes } = this.#ctx;
    const reader = kafka.reader(this.#request.topic, {
      from,
      onRecords: (records) => this.#onRecords(reader, records),
      maxBytes: maxBufferBytes,
      partitionMaxBytes: maxBufferBytes,
    });
    this.#reader = reader;
    // onRecords does not throw; should the reader end anyway, so does the stream (unless the
    // stream let it go to join the tail).
    const ended = (): void => {
      if (this.#reader === reader) this.#connection.close('server');
    };
    reader.done.then(ended, ended);
    return reader;
  }

  /** One record from the tail. Never waits: a client that falls behind leaves the tail. */
  deliver(event: TailEvent): void {
    if (this.#closed) return;
    const { record } = event;
    const start = this.#ahead.get(record.partition);
    let text: string | undefined;
    if (start !== undefined) {
      // Before this stream's start in that partition: not its record.
      if (BigInt(record.offset) < start) return;
      this.#ahead.delete(record.partition);
    }
    if (this.#visible(record, event.entry)) {
      text = this.#ahead.size === 0 ? event.sharedText() : event.textWith(this.#progress(event));
    }
    if (text !== undefined) this.#connection.writeEvent(text);
    if (this.#connection.buffered > this.#ctx.maxBufferBytes) {
      // Behind its client: on with a reader of its own, from just after this record.
      const progress = this.#progress(event);
      this.#tail?.remove(this);
      this.#tail = undefined;
      this.#ahead.clear();
      this.#readAlone(progress);
    }
  }

  end(): void {
    this.#connection.close('server');
  }

  #told(reader: TopicReader, shared: boolean): void {
    const { onStreamLive } = this.#ctx.ctx;
    if (onStreamLive === undefined) return;
    reader.caughtUp.then(
      () => onStreamLive({ reader, shared }),
      () => undefined,
    );
  }

  /** This stream's progress after `event`: the tail's, with the partitions it started ahead. */
  #progress(event: TailEvent): Record<number, string> {
    const progress: Record<number, string> = { ...event.progress };
    for (const [partition, start] of this.#ahead) progress[partition] = start.toString();
    return progress;
  }

  /** Writes the records' events in order, waiting for the client whenever it is behind. */
  async #onRecords(reader: TopicReader, records: readonly KafkaRecord[]): Promise<void> {
    // Positions move only after this returns: they cover every record delivered before.
    const cursor: Record<number, string> = reader.positions();
    for (const record of records) {
      if (this.#closed) return;
      Object.assign(cursor, progressAfter(record.partition, record.offset));
      if (!this.#visible(record, recordEntry(record))) continue;
      const key = record.key ?? Buffer.alloc(0);
      this.#connection.writeEvent(
        formatRecord(
          this.#route,
          record,
          encodeEventId(key, encodeProgress(cursor), record.headers.etag),
        ),
      );
      await this.#paced();
    }
    if (!this.#closed) this.#rejoin(reader, cursor);
  }

  /**
   * A stream reading on its own (a resume, or a client that fell behind) that has caught up
   * with the topic's tail joins it, and lets its own reader go: a reconnect storm after a
   * restart ends with one reader per topic again, not one per client.
   */
  #rejoin(reader: TopicReader, cursor: Readonly<Record<number, string>>): void {
    if (this.#reader !== reader || this.#connection.buffered > this.#ctx.maxBufferBytes) return;
    if (this.#joinTail(cursor, true) === undefined) return;
    this.#reader = undefined;
    // Not awaited: stop waits for this very onRecords call to return.
    void reader.stop();
  }

  /** False when a filter or the request's predicate hides the record. */
  #visible(record: KafkaRecord, entry: ViewEntry): boolean {
    const { own } = this.#request;
    if (own !== undefined && !own(entry)) return false;
    // No value: header filters see a valueless entry; field filters cannot tell and let it
    // through, as for deletes on compacted topics (sse-stream.ts).
    return record.value === null ? this.#matchesHeaders(entry) : this.#matches(entry);
  }

  /**
   * Over `maxBufferBytes`: waits until the socket's buffer is back under it. `drain` says when
   * it emptied; a periodic look sees partial progress (and a limit under the socket's own high
   * water mark, where no `drain` comes). No progress for `maxStallMs` ends the stream.
   */
  async #paced(): Promise<void> {
    const connection = this.#connection;
    const { maxBufferBytes, maxStallMs } = this.#ctx;
    const lookMs = Math.max(10, Math.min(1000, maxStallMs / 4));
    let buffered = connection.buffered;
    let deadline = Date.now() + maxStallMs;
    while (!connection.closed && connection.buffered > maxBufferBytes) {
      await connection.waitForDrain(lookMs);
      const now = connection.buffered;
      if (now < buffered) {
        buffered = now;
        deadline = Date.now() + maxStallMs;
      } else if (Date.now() >= deadline) {
        connection.close('buffer-full');
      }
    }
  }
}

/** A record's event: `delete` with the base64url key for a null value, else its data. */
function formatRecord(route: StreamRouteSpec, record: KafkaRecord, id: string): string {
  if (record.value === null) {
    return formatEvent({ event: 'delete', id, data: encodeKey(record.key ?? Buffer.alloc(0)) });
  }
  const name = eventName(route, record.headers);
  const data = record.value.toString('utf8');
  return formatEvent(name === undefined ? { id, data } : { event: name, id, data });
}
