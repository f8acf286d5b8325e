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
import { commandValue } from './command-value.ts';
import { recordHeaders, recordKey, topicName, type RequestValues } from './record.ts';
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
}

/** What the gateway answers: the same shape whether fresh, replayed or from a reply record. */
interface Answer {
  readonly status: number;
  readonly headers: { readonly [name: string]: string };
  readonly body: Buffer;
}

/** Reply headers that are transport, not response (design §4); trace context stays in Kafka. */
const replyTransportHeaders: ReadonlySet<string> = new Set([
  ':status',
  'content-length',
  'traceparent',
  'tracestate',
]);

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

  let claim: Claim | undefined;
  let correlationId: string | undefined;
  if (values.idempotencyKey !== undefined) {
    // Per caller: one user's key never replays another user's answer.
    const key =
      values.identity === undefined
        ? `${route.operationId}:${values.idempotencyKey}`
        : `${route.operationId}@${values.identity}:${values.idempotencyKey}`;
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
        claim = outcome.claim;
        correlationId = outcome.correlationId;
        return finish(ctx, route, request, reply, claim, correlationId, respondAsync);
      case 'run':
        claim = outcome.claim;
    }
  }

  correlationId = route.reply === undefined ? undefined : newCorrelationId(values);
  const headers = recordHeaders(route, values, contentType(request), ctx.identityHeader);
  if (route.reply !== undefined && correlationId !== undefined) {
    headers[route.reply.correlationHeader] = correlationId;
    headers[route.reply.replyToHeader] = route.reply.topic;
    headers[':method'] = request.method;
    headers[':path'] = request.url;
  }
  const value = commandValue(route, request.body);
  let written: RecordPosition;
  try {
    written = await ctx.producer.send({
      topic: topicName(route.topic, values),
      key: recordKey(route.key, values),
      value,
      headers,
    });
  } catch (error) {
    if (claim !== undefined) await ctx.idempotency.release(claim).catch(() => undefined);
    throw unavailable(error);
  }
  if (claim !== undefined)
    await ctx.idempotency.produced(claim, correlationId).catch(() => undefined);
  return finish(ctx, route, request, reply, claim, correlationId, respondAsync, written);
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
      ctx.viewTopics,
    );
    if (claim !== undefined)
      await ctx.idempotency.complete(claim, toStored(answer)).catch(() => undefined);
    return send(reply, answer);
  }
  const location = asyncLocation(request.url, correlationId);
  if (respondAsync) return send(reply, withWrites(accepted(location), written, ctx.viewTopics));
  const router = ctx.replies.get(route.reply.topic);
  const waitStart = performance.now();
  const record = await router?.wait(correlationId, ctx.replyTimeoutMs);
  const waited = (performance.now() - waitStart) / 1000;
  ctx.metrics?.replyWaited(route.reply.topic, waited, record !== undefined);
  if (record === undefined) {
    if (route.accepts202)
      return send(reply, withWrites(accepted(location), written, ctx.viewTopics));
    throw new HttpProblem(
      'REPLY_TIMEOUT',
      `no reply on ${route.reply.topic} within ${ctx.replyTimeoutMs} ms`,
    );
  }
  const answer = withWrites(
    fromReply(record, route.reply.correlationHeader),
    written,
    ctx.viewTopics,
  );
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
  return send(
    reply,
    withWrites(fromReply(record, router.correlationHeader), undefined, ctx.viewTopics),
  );
}

function fromReply(record: KafkaRecord, correlationHeader: string): Answer {
  const status = Number(record.headers[':status'] ?? '200');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (replyTransportHeaders.has(name) || name === correlationHeader || name.startsWith('zilla:'))
      continue;
    headers[name] = value;
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
  viewTopics: ReadonlySet<string>,
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
  const etag = headers.etag;
  if (etag !== undefined && !etag.includes('/')) {
    const view = entries.find(([topic]) => viewTopics.has(topic));
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

/** The identity of a request for Idempotency-Key reuse: method, path and body. */
function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? request.url;
  return createHash('sha256')
    .update(`${request.method} ${path}\n`)
    .update(request.body === undefined ? '' : JSON.stringify(request.body))
    .digest('base64url');
}

function newCorrelationId(values: RequestValues): string {
  return values.idempotencyKey === undefined
    ? randomUUID()
    : `${values.idempotencyKey}-${randomUUID()}`;
}

function contentType(request: FastifyRequest): string | undefined {
  return request.body === undefined
    ? undefined
    : (request.headers['content-type']?.split(';')[0] ?? 'application/json');
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
