/**
 * Item and list queries over a materialized view (design.md §5): ETags, `If-None-Match` → 304,
 * long poll with `Prefer: wait=N`, and read-your-writes.
 *
 * Read-your-writes: a request may send `specgate-progress: <token>` (a progress token, or an
 * ETag whose progress part is one); the answer then waits, up to `readYourWritesMs`, until the
 * view has applied those offsets. Past the bound it answers with what the view holds.
 *
 * Pagination: a page that is not the last carries `Link: <…?cursor=…>; rel="next"` (RFC 8288)
 * and the bare cursor in `specgate-next-cursor`, for clients that do not parse `Link`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parsePrefer, waitMs } from '../prefer.ts';
import { HttpProblem, invalidRequest, sendProblem } from '../problems.ts';
import { stringValues } from '../record.ts';
import {
  etagOf,
  opaqueTag,
  progressFor,
  progressHeader,
  type ProgressRequest,
} from '../progress.ts';
import {
  decodeCursor,
  filterPredicate,
  type ListOptions,
  type MaterializedView,
  type RecordPredicate,
  type ViewFilter,
} from './materialized-view.ts';
import type { QueryRouteSpec } from './query-spec.ts';

export { progressHeader };

/**
 * What the request's `specgate-progress` header asks of the view of `topic` (a bare token, an
 * ETag, or a command's `topic=<token>, …` answer; see progress.ts).
 */
export function requestedProgress(request: FastifyRequest, topic: string): ProgressRequest {
  const value = request.headers[progressHeader];
  return typeof value === 'string' ? progressFor(value, topic) : { kind: 'none' };
}
/** The response header carrying the next page's cursor. */
export const nextCursorHeader = 'specgate-next-cursor';

export interface QueryContext {
  readonly view: MaterializedView;
  /** RFC 7240: `Prefer: wait` is capped by this. Default 60 s. */
  readonly maxWaitMs?: number;
  /** Longest read-your-writes wait. Default 5 s. */
  readonly readYourWritesMs?: number;
  /** The identity filter: which records this request may see (all when undefined). */
  readonly predicate?: (request: FastifyRequest) => RecordPredicate | undefined;
}

export type QueryHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** What a query answers, before conditional and long-poll handling. */
type Answer =
  | { readonly found: true; readonly etag: string; readonly body: Buffer; readonly next?: string }
  | { readonly found: false; readonly problem: HttpProblem };

/** The Fastify handler of one query route. */
export function createQueryHandler(route: QueryRouteSpec, ctx: QueryContext): QueryHandler {
  const maxWaitMs = ctx.maxWaitMs ?? 60_000;
  const readYourWritesMs = ctx.readYourWritesMs ?? 5000;
  return async (request, reply) => {
    const { view } = ctx;
    if (!view.isReady()) {
      return sendProblem(
        reply,
        new HttpProblem('KAFKA_UNAVAILABLE', `the view of ${view.topic} is still loading`, {
          retryAfter: 1,
        }),
      );
    }
    const parsed = parseRequest(route, request, view.topic);
    if (parsed instanceof HttpProblem) return sendProblem(reply, parsed);
    const predicate = ctx.predicate?.(request);
    const answer = (): Answer => answerQuery(route, view, parsed, predicate);

    const ifNoneMatch = request.headers['if-none-match'];
    const hold = waitMs(parsePrefer(request.headers.prefer), maxWaitMs);
    // Only a request that may wait needs to know when its client goes away (the common one,
    // answered at once, allocates nothing for it).
    const closed =
      parsed.progress !== undefined || (hold !== undefined && ifNoneMatch !== undefined)
        ? abortOnClose(reply)
        : undefined;
    if (parsed.progress !== undefined && closed !== undefined) {
      await view.waitForProgress(parsed.progress, readYourWritesMs, closed.signal);
    }
    let current = answer();
    if (hold !== undefined && ifNoneMatch !== undefined && closed !== undefined) {
      reply.header('preference-applied', `wait=${Math.round(hold / 1000)}`);
      const deadline = Date.now() + hold;
      while (current.found && etagMatches(ifNoneMatch, current.etag)) {
        const remaining = deadline - Date.now();
        if (remaining <= 0 || closed.signal.aborted) break;
        await view.waitForChange(view.version, remaining, closed.signal);
        current = answer();
      }
    }
    closed?.dispose();
    if (!current.found) return sendProblem(reply, current.problem);
    reply.header('etag', current.etag);
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, current.etag)) {
      return reply.code(304).send();
    }
    if (current.next !== undefined) {
      reply.header(nextCursorHeader, current.next);
      reply.header('link', `<${nextLink(request.url, route, current.next)}>; rel="next"`);
    }
    return reply.code(200).type('application/json').send(current.body);
  };
}

interface ParsedRequest {
  readonly key?: string;
  readonly list: ListOptions;
  readonly progress?: Readonly<Record<number, string>>;
}

function parseRequest(
  route: QueryRouteSpec,
  request: FastifyRequest,
  topic: string,
): ParsedRequest | HttpProblem {
  const query = stringValues(request.query);
  const filters: ViewFilter[] = [];
  for (const filter of route.filters) {
    const value = query[filter.param];
    if (value !== undefined) filters.push({ on: filter.on, name: filter.name, value });
  }
  let limit: number | undefined;
  let cursor: string | undefined;
  if (route.pagination !== undefined) {
    const { limitParam = 'limit', cursorParam = 'cursor', defaultLimit } = route.pagination;
    const maxLimit = route.pagination.maxLimit ?? 1000;
    const rawLimit = query[limitParam];
    if (rawLimit !== undefined && !/^[1-9]\d{0,8}$/.test(rawLimit)) {
      return invalidRequest(`/query/${limitParam}`, 'must be a positive integer');
    }
    limit = Math.min(
      rawLimit === undefined ? (defaultLimit ?? maxLimit) : Number(rawLimit),
      maxLimit,
    );
    cursor = query[cursorParam];
    if (cursor !== undefined && decodeCursor(cursor) === undefined) {
      return invalidRequest(`/query/${cursorParam}`, 'is not a cursor this gateway gave out');
    }
  }
  const list: ListOptions = { filters, limit, cursor };

  const asked = requestedProgress(request, topic);
  if (asked.kind === 'invalid') {
    return invalidRequest(`/headers/${progressHeader}`, 'is not a progress token');
  }
  const progress = asked.kind === 'progress' ? asked.progress : undefined;

  if (route.mode === 'list') return { list, progress };
  const params = stringValues(request.params);
  const key = params[route.keyParam ?? 'id'];
  if (key === undefined) return invalidRequest(`/params/${route.keyParam ?? 'id'}`, 'is missing');
  return { key, list, progress };
}

function answerQuery(
  route: QueryRouteSpec,
  view: MaterializedView,
  parsed: ParsedRequest,
  predicate: RecordPredicate | undefined,
): Answer {
  if (route.mode === 'item') {
    const key = parsed.key ?? '';
    const entry = view.get(key, combine(predicate, parsed.list.filters ?? []));
    if (entry === undefined) {
      return { found: false, problem: new HttpProblem('NOT_FOUND', `no ${route.path} "${key}"`) };
    }
    return { found: true, etag: entry.etag, body: entry.value };
  }
  const page = view.list(predicate === undefined ? parsed.list : { ...parsed.list, predicate });
  const etag = etagOf(view.progress());
  return page.nextCursor === undefined
    ? { found: true, etag, body: page.body }
    : { found: true, etag, body: page.body, next: page.nextCursor };
}

/** Item filters act as a predicate: a record that does not match is not found. */
function combine(
  predicate: RecordPredicate | undefined,
  filters: readonly ViewFilter[],
): RecordPredicate | undefined {
  if (filters.length === 0) return predicate;
  const matches = filterPredicate(filters);
  return predicate === undefined ? matches : (entry) => predicate(entry) && matches(entry);
}

/**
 * RFC 9110 §13.1.2: `If-None-Match` is `*` or a list of entity tags, compared weakly (an ETag
 * sent back unquoted, as some Zilla clients do, compares too).
 */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const current = opaqueTag(etag);
  if (ifNoneMatch.trim() === '*') return true;
  const tags = ifNoneMatch.match(/(?:W\/)?"[^"]*"|[^\s,][^,]*/g) ?? [];
  return tags.some((tag) => opaqueTag(tag) === current);
}

function nextLink(url: string, route: QueryRouteSpec, cursor: string): string {
  const cursorParam = route.pagination?.cursorParam ?? 'cursor';
  const parsed = new URL(url, 'http://gateway.invalid');
  parsed.searchParams.set(cursorParam, cursor);
  return `${parsed.pathname}${parsed.search}`;
}

/**
 * Query or path parameters as strings; a repeated query parameter keeps its first value. A
 * number or boolean is one that schema validation coerced from text: it compares as its text.
 */

/** Aborts when the client goes away, so a held long poll stops waiting for nobody. */
function abortOnClose(reply: FastifyReply): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!reply.raw.writableEnded) controller.abort();
  };
  reply.raw.once('close', onClose);
  return { signal: controller.signal, dispose: () => reply.raw.off('close', onClose) };
}
