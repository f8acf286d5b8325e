/**
 * A server-sent events stream over a compacted topic's materialized view (design.md §6): the
 * current state (one event per live key), then live records.
 *
 * - The first byte never waits: headers and `retry:` go out at once, before the view is ready
 *   (Zilla issue #1628: a stream that waits for every partition looks dead).
 * - No gap, no duplicate between state and live: the stream subscribes to the view and takes the
 *   state in the same synchronous turn (the view applies records synchronously, so nothing falls
 *   between), buffers changes while the state is written, then drains them.
 * - Every event's id is Zilla's `["<base64url key>","<progress>[/<etag>]"]`. The progress covers
 *   exactly what the client has been sent: state events go out in (partition, offset) order, and
 *   a partition's progress stays at its first unsent event until it is done. A reconnect with
 *   `Last-Event-ID` (or `?lastEventId=`) gets the entries written after that progress and the
 *   deletes after it (from the `TombstoneLog`), then live records.
 * - Slow clients are bounded: while the state is written the stream waits for the socket to
 *   drain, and changes that arrive meanwhile count against `maxBufferBytes`; once live, a write
 *   that leaves more than `maxBufferBytes` in the socket's buffer ends the stream (the socket is
 *   destroyed so the memory is freed now). The client resumes from its last id.
 */
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import {
  covers,
  coversProgress,
  decodeProgress,
  encodeProgress,
  mergeProgress,
  type Progress,
} from '../progress.ts';
import {
  filterPredicate,
  type MaterializedView,
  type RecordPredicate,
  type ViewChange,
  type ViewEntry,
  type ViewFilter,
} from '../views/materialized-view.ts';
import { encodeEventId, encodeKey, formatEvent, parseEventId } from './event-format.ts';
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
import { TombstoneLog, type Tombstone } from './tombstone-log.ts';

/** The query parameter carrying the last event id, for clients that cannot set headers. */
export const lastEventIdParam = 'lastEventId';

export interface StreamContext {
  readonly view: MaterializedView;
  /**
   * Deletes for resuming clients; share one per view. Default: one created with the handler
   * (it then knows only deletes applied after that).
   */
  readonly tombstones?: TombstoneLog;
  /** Sent as `retry:`. Default 2000 ms. */
  readonly retryMs?: number;
  /** A comment line this often; 0 for none. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Most bytes waiting for one client before its stream is ended. Default 1 MiB. */
  readonly maxBufferBytes?: number;
  /** The identity filter: which records this request may see (all when undefined). */
  readonly predicate?: (request: FastifyRequest) => RecordPredicate | undefined;
  /** Longest read-your-writes wait before the state is sent. Default 5 s. */
  readonly readYourWritesMs?: number;
  /** Aborting ends every open stream (server shutdown). */
  readonly signal?: AbortSignal;
  /** Told when a stream starts; `onStreamEnd` follows once for each. */
  readonly onStreamStart?: () => void;
  /** Told when a stream ends, and why. */
  readonly onStreamEnd?: (end: StreamEnd) => void;
}

export type { StreamEnd, StreamEndReason, StreamHandler } from './sse-connection.ts';

interface ResolvedContext {
  readonly view: MaterializedView;
  readonly tombstones: TombstoneLog;
  readonly retryMs: number;
  readonly heartbeatMs: number;
  readonly maxBufferBytes: number;
  readonly readYourWritesMs: number;
  readonly ctx: StreamContext;
}

/** The Fastify handler of one stream route over a compacted topic. */
export function createStreamHandler(route: StreamRouteSpec, ctx: StreamContext): StreamHandler {
  if (!route.compacted) {
    throw new Error(`stream ${route.operationId}: only compacted topics are streamed so far`);
  }
  const resolved: ResolvedContext = {
    view: ctx.view,
    tombstones: ctx.tombstones ?? new TombstoneLog(ctx.view),
    retryMs: ctx.retryMs ?? 2000,
    heartbeatMs: ctx.heartbeatMs ?? 15_000,
    maxBufferBytes: ctx.maxBufferBytes ?? 1024 * 1024,
    readYourWritesMs: ctx.readYourWritesMs ?? 5000,
    ctx,
  };
  // Async: a FastifyReply is thenable, so Promise.resolve(reply) would wait for it.
  return async (request, reply) => {
    const filters = parseFilters(route, request);
    const matches = filterPredicate(filters);
    const own = ctx.predicate?.(request);
    const lastEventId = lastEventIdOf(request);
    const asked = streamProgress(request, reply, ctx.view.topic);
    if (asked === undefined) return reply;
    const headers = hijack(reply);
    const stream = new SseStream(route, resolved, reply.raw, {
      filters,
      own,
      visible: (entry) => matches(entry) && (own === undefined || own(entry)),
      resume: lastEventId === undefined ? undefined : parseEventId(lastEventId)?.progress,
      progress: asked.kind === 'progress' ? asked.progress : undefined,
      headers,
      endsAt: streamEndsAt(request),
    });
    void stream.run();
    return reply;
  };
}

interface StreamRequest {
  readonly filters: readonly ViewFilter[];
  /** The request's own predicate (identity filtering). */
  readonly own: RecordPredicate | undefined;
  /** Filters and predicate together. */
  readonly visible: RecordPredicate;
  readonly resume: Progress | undefined;
  /** Read-your-writes: the state waits (bounded) until the view has applied this. */
  readonly progress: Progress | undefined;
  readonly headers: Readonly<Record<string, string | number | string[]>>;
  /** The caller's token expiry: the stream ends then. */
  readonly endsAt: number | undefined;
}

/** What the state part sends: an entry or a delete, in (partition, offset) order. */
type StateItem =
  | { readonly kind: 'entry'; readonly entry: ViewEntry }
  | { readonly kind: 'delete'; readonly tombstone: Tombstone };

class SseStream {
  readonly #route: StreamRouteSpec;
  readonly #ctx: ResolvedContext;
  readonly #request: StreamRequest;
  readonly #connection: SseConnection;
  /** Changes that arrived while the state was written; undefined once live. */
  #pending: ViewChange[] | undefined = [];
  #pendingBytes = 0;
  /** The state's progress: changes it covers are already sent. */
  #stateProgress: Progress = {};
  /** A resume point ahead of this view (another instance's): live ids never go below it. */
  #idFloor: Progress | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    route: StreamRouteSpec,
    ctx: ResolvedContext,
    raw: ServerResponse,
    request: StreamRequest,
  ) {
    this.#route = route;
    this.#ctx = ctx;
    this.#request = request;
    this.#connection = new SseConnection(
      raw,
      request.headers,
      connectionOptions(ctx, request.endsAt),
      () => {
        this.#unsubscribe?.();
        this.#pending = undefined;
      },
    );
  }

  get #closed(): boolean {
    return this.#connection.closed;
  }

  async run(): Promise<void> {
    const connection = this.#connection;
    connection.open();
    const { view } = this.#ctx;
    while (!this.#closed && !view.isReady()) {
      try {
        await Promise.race([view.ready, connection.waitForDrain()]);
      } catch {
        // The view stopped before it was ready: there is nothing to stream.
        return connection.close('server');
      }
    }
    if (this.#request.progress !== undefined) {
      await view.waitForProgress(
        this.#request.progress,
        this.#ctx.readYourWritesMs,
        connection.signal,
      );
    }
    if (this.#closed) return;
    // One synchronous turn: subscribe, then read the state and its progress.
    this.#unsubscribe = view.subscribe((change) => this.#onChange(change));
    const resume = this.#resumePoint();
    const progress = view.progressOffsets();
    this.#stateProgress = resume === undefined ? progress : mergeProgress(progress, resume);
    if (resume !== undefined && !coversProgress(progress, resume)) this.#idFloor = resume;
    const items = this.#stateItems(resume);
    await this.#writeState(items);
    while (!this.#closed && this.#pending !== undefined && this.#pending.length > 0) {
      const change = this.#pending.shift();
      if (change === undefined) break;
      this.#pendingBytes -= changeBytes(change);
      const text = this.#formatChange(change);
      if (text !== undefined) await this.#writePaced(text);
    }
    this.#pending = undefined;
  }

  /** The request's resume point, unless deletes since then are no longer known (then: none). */
  #resumePoint(): Progress | undefined {
    const { resume } = this.#request;
    return resume !== undefined && this.#ctx.tombstones.covers(resume) ? resume : undefined;
  }

  /** Entries (and deletes on resume) the client lacks, in (partition, offset) order. */
  #stateItems(resume: Progress | undefined): StateItem[] {
    const { view, tombstones } = this.#ctx;
    const items: StateItem[] = [];
    for (const entry of view.list().entries) {
      if (resume !== undefined && covers(resume, entry.partition, entry.offset)) continue;
      if (this.#request.visible(entry)) items.push({ kind: 'entry', entry });
    }
    if (resume !== undefined) {
      for (const tombstone of tombstones.since(resume)) {
        if (
          this.#deleteVisible(
            tombstone.key,
            tombstone.partition,
            tombstone.offset,
            tombstone.headers,
          )
        ) {
          items.push({ kind: 'delete', tombstone });
        }
      }
    }
    return items.sort(compareItems);
  }

  async #writeState(items: readonly StateItem[]): Promise<void> {
    // Per partition, the progress stays at the first unsent item, then moves to the state's.
    const cursor: Record<number, string> = { ...this.#stateProgress };
    // Items are sorted: walking backwards, the last write per partition is its first item.
    for (const item of [...items].reverse())
      cursor[position(item).partition] = position(item).offset;
    for (const [i, item] of items.entries()) {
      if (this.#closed) return;
      const { partition } = position(item);
      const next = items[i + 1];
      cursor[partition] =
        next !== undefined && position(next).partition === partition
          ? position(next).offset
          : (this.#stateProgress[partition] ?? '0');
      const token = encodeProgress(cursor);
      const text =
        item.kind === 'entry'
          ? this.#formatEntry(item.entry, token)
          : formatDelete(item.tombstone.key, token, item.tombstone.headers.etag);
      await this.#writePaced(text);
    }
  }

  #onChange(change: ViewChange): void {
    if (this.#closed) return;
    if (this.#pending !== undefined) {
      this.#pending.push(change);
      this.#pendingBytes += changeBytes(change);
      if (this.#pendingBytes > this.#ctx.maxBufferBytes) this.#connection.close('buffer-full');
      return;
    }
    const text = this.#formatChange(change);
    if (text !== undefined) this.#writeLive(text);
  }

  /** The event of a change the client should see; undefined when the state covered it or it is filtered out. */
  #formatChange(change: ViewChange): string | undefined {
    const { record, key, entry } = change;
    const floor = this.#idFloor;
    const decoded = floor === undefined ? undefined : decodeProgress(change.progress);
    const progress =
      floor === undefined || decoded === undefined
        ? change.progress
        : encodeProgress(mergeProgress(decoded, floor));
    if (covers(this.#stateProgress, record.partition, record.offset)) return undefined;
    if (entry !== undefined) {
      return this.#request.visible(entry) ? this.#formatEntry(entry, progress) : undefined;
    }
    if (!this.#deleteVisible(key, record.partition, record.offset, record.headers))
      return undefined;
    return formatDelete(key, progress, record.headers.etag);
  }

  #formatEntry(entry: ViewEntry, token: string): string {
    const id = encodeEventId(entry.key, token, entry.headers.etag);
    const name = eventName(this.#route, entry.headers);
    const data = entry.value.toString('utf8');
    return formatEvent(name === undefined ? { id, data } : { event: name, id, data });
  }

  /**
   * A delete has no value: header filters and the request's predicate see a valueless entry;
   * field filters cannot tell and let it through (a delete of a key the client never had is
   * harmless to it).
   */
  #deleteVisible(
    key: string,
    partition: number,
    offset: string,
    headers: Readonly<Record<string, string>>,
  ): boolean {
    const entry: ViewEntry = { key, value: Buffer.alloc(0), headers, partition, offset, etag: '' };
    const { filters, own } = this.#request;
    const headerFilters = filters.filter((filter) => filter.on === 'header');
    return filterPredicate(headerFilters)(entry) && (own === undefined || own(entry));
  }

  /** State and buffered changes: wait for the socket to drain rather than cut the client off. */
  async #writePaced(text: string): Promise<void> {
    const connection = this.#connection;
    connection.writeEvent(text);
    while (!connection.closed && connection.buffered >= this.#ctx.maxBufferBytes) {
      await connection.waitForDrain();
    }
  }

  /** Live: a write that leaves too much in the socket's buffer ends the stream. */
  #writeLive(text: string): void {
    const connection = this.#connection;
    connection.writeEvent(text);
    if (connection.buffered > this.#ctx.maxBufferBytes) connection.close('buffer-full');
  }
}

/** `event:` with several message types: the record's name header when it is one of them. */
export function eventName(
  route: StreamRouteSpec,
  headers: Readonly<Record<string, string>>,
): string | undefined {
  const { names, eventNameHeader } = route.messages;
  if (names.length < 2 || eventNameHeader === undefined) return undefined;
  const name = headers[eventNameHeader];
  return name !== undefined && names.includes(name) ? name : undefined;
}

/** A tombstone is `event: delete` with the base64url key as data (design.md §6). */
function formatDelete(key: string, token: string, recordEtag: string | undefined): string {
  return formatEvent({
    event: 'delete',
    id: encodeEventId(key, token, recordEtag),
    data: encodeKey(key),
  });
}

function position(item: StateItem): { partition: number; offset: string } {
  return item.kind === 'entry' ? item.entry : item.tombstone;
}

function compareItems(a: StateItem, b: StateItem): number {
  const pa = position(a);
  const pb = position(b);
  if (pa.partition !== pb.partition) return pa.partition - pb.partition;
  const oa = BigInt(pa.offset);
  const ob = BigInt(pb.offset);
  return oa < ob ? -1 : oa > ob ? 1 : 0;
}

function changeBytes(change: ViewChange): number {
  return (change.entry?.value.length ?? 0) + change.key.length + 64;
}

export function parseFilters(route: StreamRouteSpec, request: FastifyRequest): ViewFilter[] {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const filters: ViewFilter[] = [];
  for (const filter of route.filters) {
    const raw = query[filter.param];
    const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
    if (typeof value === 'string') filters.push({ on: filter.on, name: filter.name, value });
  }
  return filters;
}

/** `Last-Event-ID` wins over `?lastEventId=` (EventSource sets the header on its reconnects). */
export function lastEventIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return header;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const param = query[lastEventIdParam];
  return typeof param === 'string' && param !== '' ? param : undefined;
}
