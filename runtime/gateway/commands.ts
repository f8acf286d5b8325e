/**
 * Commands (design §4): validate, make the record, produce it (acks=all, idempotent producer),
 * and answer — at once for one-way commands, with the service's reply for request-reply ones,
 * 202 + Location on timeout or `Prefer: respond-async`, 504 without a declared 202. With an
 * Idempotency-Key, the first response is stored in Kafka and replayed to retries.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isKafkaError } from '../kafka/index.ts';
import { callerOf } from './auth/caller.ts';
import type { KafkaProducer, KafkaRecord, RecordPosition } from '../kafka/types.ts';
import type { BeginOutcome, Claim, IdempotencyStore, StoredResponse } from './idempotency.ts';
import { parsePrefer, waitMs } from './prefer.ts';
import { HttpProblem, kafkaProblem, problemMediaType } from './problems.ts';
import {
  encodeProgress,
  etagOf,
  formatTopicProgress,
  opaqueTag,
  parseTopicProgress,
  progressAfter,
  progressHeader,
  type Progress,
} from './progress.ts';
import { commandContentType, commandValue } from './command-value.ts';
import {
  identityHeaders,
  overrideHeaders,
  recordHeaders,
  recordKey,
  topicName,
  type RequestValues,
} from './record.ts';
import { zillaRecordHeaders } from './zilla-record.ts';
import type { ReplyRouter } from './replies.ts';
import type { CommandMetrics } from './metrics.ts';
import type { CommandRouteSpec } from './route-spec.ts';
import type { PayloadValidator } from './validation.ts';

export interface CommandContext {
  readonly producer: KafkaProducer;
  readonly idempotency: IdempotencyStore;
  /** By reply topic. */
  readonly replies: ReadonlyMap<string, ReplyRouter>;
  readonly payloads: PayloadValidator;
  readonly replyTimeoutMs: number;
  /** The topics the gateway keeps views of (a reply's `etag` takes their progress). */
  readonly viewTopics: ReadonlySet<string>;
  /** Cap on `Prefer: wait=N` (RFC 7240: a hint, capped by the server). */
  readonly maxWaitMs: number;
  /** The record header that carries the caller's identity (design.md §9). */
  readonly identityHeader: string;
  /** Told how long each reply wait took (metrics.ts). */
  readonly metrics?: CommandMetrics;
  /** The Zilla compatibility profile (design.md §4): Zilla's records, correlation and replies. */
  readonly compat?: 'zilla';
}

/** What the gateway answers: the same shape whether fresh, replayed or from a reply record. */
interface Answer {
  readonly status: number;
  readonly headers: { readonly [name: string]: string };
  readonly body: Buffer;
}

/** Reply headers that are transport, not response (design §4); trace context stays in Kafka. */
const replyTransportHeaders: ReadonlySet<string> = new Set(['traceparent', 'tracestate']);

export async function runCommand(
  ctx: CommandContext,
  route: CommandRouteSpec,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const values = requestValues(request);
  checkMediaType(route, request);
  ctx.payloads.check(route, request.body);
  const prefer = parsePrefer(request.headers.prefer);
  const respondAsync = prefer.respondAsync && route.reply !== undefined && route.accepts202;
  const record = commandRecord(ctx, route, request, values);

  let claim: Claim | undefined;
  if (values.idempotencyKey !== undefined) {
    // Per caller: one user's key never replays another user's answer. In the Zilla profile the
    // correlation id holds the key and a hash of the request: a reused key with another request
    // is another command, not a 422 (design.md §4).
    const id =
      ctx.compat !== 'zilla'
        ? values.idempotencyKey
        : (record.correlationId ?? `${values.idempotencyKey}-${requestHash(request)}`);
    const key =
      values.identity === undefined
        ? `${route.operationId}:${id}`
        : `${route.operationId}@${values.identity}:${id}`;
    const outcome: BeginOutcome = await ctx.idempotency.begin(
      key,
      requestHash(request),
      ctx.replyTimeoutMs,
    );
    switch (outcome.kind) {
      case 'replay':
        return send(reply, fromStored(outcome.response));
      case 'mismatch':
        throw new HttpProblem(
          'IDEMPOTENCY_KEY_REUSED',
          `Idempotency-Key "${values.idempotencyKey}" was already used for a different request`,
        );
      case 'in-flight':
        throw new HttpProblem(
          'IDEMPOTENCY_IN_FLIGHT',
          `a request with Idempotency-Key "${values.idempotencyKey}" is still being processed`,
          { retryAfter: 1 },
        );
      case 'produced':
        // The record is already in Kafka: never produce it twice. Await its reply, if any.
        return finish(
          ctx,
          route,
          request,
          reply,
          outcome.claim,
          outcome.correlationId,
          respondAsync,
        );
      case 'run':
        claim = outcome.claim;
    }
  }

  if (ctx.compat === 'zilla' && route.reply !== undefined && record.correlationId !== undefined) {
    // Zilla's replay: the first attempt's reply is already on the reply topic (it went through
    // this gateway or another instance, whose idempotency store this one may not have read):
    // answer it, produce nothing.
    const earlier = ctx.replies.get(route.reply.topic)?.get(record.correlationId);
    if (earlier !== undefined) {
      const answer = withWrites(
        fromReply(earlier, route.reply.correlationHeader, ctx),
        undefined,
        ctx,
      );
      if (claim !== undefined)
        await ctx.idempotency.complete(claim, toStored(answer)).catch(() => undefined);
      return send(reply, answer);
    }
  }

  let written: RecordPosition;
  try {
    written = await ctx.producer.send({
      topic: topicName(route.topic, values),
      key: record.key,
      value: record.value,
      headers: record.headers,
    });
  } catch (error) {
    if (claim !== undefined) await ctx.idempotency.release(claim).catch(() => undefined);
    throw unavailable(error);
  }
  if (claim !== undefined)
    await ctx.idempotency.produced(claim, record.correlationId).catch(() => undefined);
  return finish(ctx, route, request, reply, claim, record.correlationId, respondAsync, written);
}

/** The record a command writes, and the correlation id its reply will carry (if any). */
interface CommandRecord {
  readonly key: string | null;
  readonly value: Buffer | string | null;
  readonly headers: Record<string, string | string[]>;
  readonly correlationId: string | undefined;
}

function commandRecord(
  ctx: CommandContext,
  route: CommandRouteSpec,
  request: FastifyRequest,
  values: RequestValues,
): CommandRecord {
  const value = commandValue(route, request.body);
  const zilla = ctx.compat === 'zilla';
  // Zilla's `${idempotencyKey}` without the header is a random UUID: a POST keyed by it still
  // gets a key of its own, which also starts its correlation id.
  const seed = zilla ? (values.idempotencyKey ?? randomUUID()) : values.idempotencyKey;
  const key = recordKey(route.key, { ...values, idempotencyKey: seed });
  if (zilla && route.reply !== undefined) {
    const { headers, correlationId } = zillaRecordHeaders(
      {
        method: request.method,
        scheme: request.protocol,
        url: request.url,
        rawHeaders: request.raw.rawHeaders,
      },
      {
        seed: seed ?? randomUUID(),
        key,
        value,
        replyToHeader: route.reply.replyToHeader,
        replyTopic: route.reply.topic,
        overrides: overrideHeaders(route, values),
        correlationHeader: route.reply.correlationHeader,
        reserved: new Set(identityHeaders(route, ctx.identityHeader)),
        identity: values.identity,
      },
    );
    return { key, value, headers, correlationId };
  }
  const headers: Record<string, string | string[]> = recordHeaders(
    route,
    values,
    contentType(request),
    ctx.identityHeader,
  );
  if (route.reply === undefined) return { key, value, headers, correlationId: undefined };
  const correlationId = newCorrelationId(values);
  headers[route.reply.correlationHeader] = correlationId;
  headers[route.reply.replyToHeader] = route.reply.topic;
  headers[':method'] = request.method;
  headers[':path'] = request.url;
  return { key, value, headers, correlationId };
}

/** After the record is in Kafka: answer one-way at once, else wait for the reply. */
async function finish(
  ctx: CommandContext,
  route: CommandRouteSpec,
  request: FastifyRequest,
  reply: FastifyReply,
  claim: Claim | undefined,
  correlationId: string | undefined,
  respondAsync: boolean,
  written?: RecordPosition,
): Promise<void> {
  if (route.reply === undefined || correlationId === undefined) {
    const answer = withWrites(
      { status: route.successStatus, headers: {}, body: Buffer.alloc(0) },
      written,
      ctx,
    );
    if (claim !== undefined)
      await ctx.idempotency.complete(claim, toStored(answer)).catch(() => undefined);
    return send(reply, answer);
  }
  const location = asyncLocation(request.url, correlationId);
  if (respondAsync) return send(reply, withWrites(accepted(location), written, ctx));
  const router = ctx.replies.get(route.reply.topic);
  const waitStart = performance.now();
  const record = await router?.wait(correlationId, ctx.replyTimeoutMs);
  const waited = (performance.now() - waitStart) / 1000;
  ctx.metrics?.replyWaited(route.reply.topic, waited, record !== undefined);
  if (record === undefined) {
    if (route.accepts202) return send(reply, withWrites(accepted(location), written, ctx));
    throw new HttpProblem(
      'REPLY_TIMEOUT',
      `no reply on ${route.reply.topic} within ${ctx.replyTimeoutMs} ms`,
    );
  }
  const answer = withWrites(fromReply(record, route.reply.correlationHeader, ctx), written, ctx);
  if (claim !== undefined)
    await ctx.idempotency.complete(claim, toStored(answer)).catch(() => undefined);
  return send(reply, answer);
}

/** `GET <path>;cid=<id>`: the reply of an async command, holding up to `Prefer: wait=N`. */
export async function collectReply(
  ctx: CommandContext,
  routes: readonly CommandRouteSpec[],
  correlationId: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const routers = [
    ...new Set(
      routes.flatMap((route) =>
        route.reply === undefined ? [] : [ctx.replies.get(route.reply.topic)],
      ),
    ),
  ].filter((router) => router !== undefined);
  const hold = waitMs(parsePrefer(request.headers.prefer), ctx.maxWaitMs);
  let record = routers.map((router) => router.get(correlationId)).find((r) => r !== undefined);
  if (record === undefined && hold !== undefined && routers.length > 0) {
    const abort = new AbortController();
    record = await Promise.race(
      routers.map((router) => router.wait(correlationId, hold, abort.signal)),
    );
    abort.abort();
  }
  const router = routers.find((r) => record !== undefined && r.topic === record.topic);
  if (record === undefined || router === undefined) {
    if (hold !== undefined) reply.header('preference-applied', `wait=${Math.round(hold / 1000)}`);
    return send(reply, accepted(request.url));
  }
  return send(reply, withWrites(fromReply(record, router.correlationHeader, ctx), undefined, ctx));
}

/**
 * The answer a reply record makes: `:status` → status (default 200), its other headers →
 * response headers, value → body. By default transport headers (`zilla:*`, trace context) stay
 * in Kafka; Zilla's profile passes every header but the correlation id, as Zilla does. A header
 * HTTP cannot carry (a pseudo-header, a name or value with forbidden characters) is dropped
 * rather than failing the answer.
 */
function fromReply(
  record: KafkaRecord,
  correlationHeader: string,
  ctx: Pick<CommandContext, 'compat'>,
): Answer {
  const status = Number(record.headers[':status'] ?? '200');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (name === correlationHeader || name.startsWith(':') || name === 'content-length') continue;
    if (ctx.compat !== 'zilla' && (replyTransportHeaders.has(name) || name.startsWith('zilla:'))) {
      continue;
    }
    if (!httpToken.test(name) || !httpFieldValue.test(value)) continue;
    headers[name.toLowerCase()] = value;
  }
  const body = record.value ?? Buffer.alloc(0);
  if (body.length > 0 && headers['content-type'] === undefined) {
    headers['content-type'] = status >= 400 ? problemMediaType : 'application/json';
  }
  return {
    status: Number.isInteger(status) && status >= 200 && status < 600 ? status : 200,
    headers,
    body,
  };
}

/** RFC 9110 §5.1 field names (tokens) and §5.5 field values (no control characters). */
const httpToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const httpFieldValue = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Read-your-writes (design §4): the answer names where the command record went, merged with
 * what the service's reply says it wrote (its own `specgate-progress`, `topic=<token>, …`). A
 * malformed reply header is dropped rather than passed on.
 *
 * A reply's bare `etag` (the record's own version tag, `v3`) becomes Zilla's ETag shape,
 * `"<progress>/<etag>"`, with the progress of the first view topic the reply says it wrote: the
 * ETag a read of that view answers after it, and one whose `If-Match` reaches the service as
 * `if-match: v3` (a bare `v3` would not be forwarded, design §4).
 */
function withWrites(
  answer: Answer,
  written: RecordPosition | undefined,
  ctx: Pick<CommandContext, 'viewTopics' | 'compat'>,
): Answer {
  // A one-way command's answer (no headers of its own): the progress of its record alone.
  if (written !== undefined && Object.keys(answer.headers).length === 0) {
    const progress = progressAfter(written.partition, written.offset);
    return {
      ...answer,
      headers: { [progressHeader]: formatTopicProgress([[written.topic, progress]]) },
    };
  }
  const { [progressHeader]: reported, ...rest } = answer.headers;
  const headers: Record<string, string> = { ...rest };
  const parsed = reported === undefined ? undefined : parseTopicProgress(reported);
  const entries: [string, Progress][] = [];
  if (written !== undefined) {
    entries.push([written.topic, progressAfter(written.partition, written.offset)]);
  }
  if (parsed !== undefined) entries.push(...parsed);
  // Zilla passes the service's `etag` as it is (its clients take ETags from stream event ids).
  const etag = ctx.compat === 'zilla' ? undefined : headers.etag;
  if (etag !== undefined && !etag.includes('/')) {
    const view = entries.find(([topic]) => ctx.viewTopics.has(topic));
    if (view !== undefined) headers.etag = etagOf(encodeProgress(view[1]), opaqueTag(etag));
  }
  if (written === undefined) {
    return {
      ...answer,
      headers: reported === undefined ? headers : { ...headers, [progressHeader]: reported },
    };
  }
  return { ...answer, headers: { ...headers, [progressHeader]: formatTopicProgress(entries) } };
}

function accepted(location: string): Answer {
  return { status: 202, headers: { location }, body: Buffer.alloc(0) };
}

/** Zilla's form: the request path with `;cid=<correlation id>`. */
function asyncLocation(url: string, correlationId: string): string {
  const path = url.split('?')[0] ?? url;
  return `${path.split(';')[0] ?? path};cid=${encodeURIComponent(correlationId)}`;
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  reply.code(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  return answer.body.length === 0 ? reply.send() : reply.send(answer.body);
}

function toStored(answer: Answer): StoredResponse {
  return { status: answer.status, headers: answer.headers, body: answer.body.toString('base64') };
}

function fromStored(stored: StoredResponse): Answer {
  return {
    status: stored.status,
    headers: stored.headers,
    body: Buffer.from(stored.body, 'base64'),
  };
}

function requestValues(request: FastifyRequest): RequestValues {
  const header = request.headers['idempotency-key'];
  const idempotencyKey = typeof header === 'string' && header !== '' ? header : undefined;
  const identity = callerOf(request)?.identity;
  return {
    params: (request.params ?? {}) as Record<string, string>,
    query: (request.query ?? {}) as Record<string, unknown>,
    headers: request.headers,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(identity === undefined ? {} : { identity }),
  };
}

/**
 * The identity of a request for Idempotency-Key reuse: method, path and body — a byte body
 * (raw-body.ts) as its bytes and media type, so the same bytes sent as another type differ.
 */
function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? request.url;
  const hash = createHash('sha256').update(`${request.method} ${path}\n`);
  const { body } = request;
  if (Buffer.isBuffer(body)) {
    hash.update(`${request.headers['content-type'] ?? ''}\n`).update(body);
  } else if (body !== undefined) {
    hash.update(JSON.stringify(body));
  }
  return hash.digest('base64url');
}

function newCorrelationId(values: RequestValues): string {
  return values.idempotencyKey === undefined
    ? randomUUID()
    : `${values.idempotencyKey}-${randomUUID()}`;
}

function contentType(request: FastifyRequest): string | undefined {
  return commandContentType(request.body, request.headers['content-type']);
}

function unavailable(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (isKafkaError(error)) return kafkaProblem(error);
  return new HttpProblem('KAFKA_UNAVAILABLE', 'the broker did not acknowledge the record', {
    retryAfter: 1,
    cause: error,
  });
}

/** 415 for a body whose media type the operation does not declare (design §10). */
function checkMediaType(route: CommandRouteSpec, request: FastifyRequest): void {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type === undefined || route.mediaTypes.length === 0) return;
  if (!route.mediaTypes.some((declared) => declared.toLowerCase() === type)) {
    throw new HttpProblem(
      'UNSUPPORTED_MEDIA_TYPE',
      `${type} is not accepted here; send ${route.mediaTypes.join(' or ')}`,
    );
  }
}
