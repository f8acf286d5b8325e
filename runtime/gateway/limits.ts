/**
 * The gateway's HTTP limits (design.md §9): CORS from the config, body and header sizes,
 * connection timeouts, a rate limit per caller, and logs that never show a secret.
 *
 * CORS: a listed origin gets `Access-Control-Allow-Origin` (its own origin echoed, or `*` for
 * `origins: '*'` without credentials) and the exposed headers on every answer; a preflight from an
 * origin not listed is refused with a 403 `ORIGIN_NOT_ALLOWED` problem and no CORS headers, and
 * any other request from it is served without CORS headers, so the browser withholds the answer
 * from the page (a same-origin page behind the same host still works). No `cors` option: no CORS
 * headers at all, and `OPTIONS` is 404/405 as for any other unrouted method — except in the Zilla
 * profile (design.md §4), which is cross-origin as Zilla's `cross-origin` policy is: every answer
 * (problems and streams too) carries `Access-Control-Allow-Origin: *`, and a preflight is answered
 * 204 allowing every method the gateway serves and whatever headers the browser asks for (Zilla's
 * clients send `idempotency-key`, `if-match`, `prefer`, …). An explicit `cors` still wins.
 *
 * Rate limit: a fixed window per caller identity when the request carries a verified token, else
 * per client address (IPv6 per /64); counted in `preParsing`, after every `onRequest` hook (the
 * token check among them), so a caller is counted by who it is. Each gateway instance counts on
 * its own. `/livez`, `/readyz`, `/metrics` (at their default paths) and CORS preflights are not
 * counted.
 */
import type { Server } from 'node:http';
import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyHttpOptions, FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpLimits } from './http-limits.ts';
import { registerOverload } from './overload.ts';
import { callerOf } from './auth/caller.ts';
import { historyTruncatedHeader } from './history/history.ts';
import { HttpProblem } from './problems.ts';
import { protocolErrorOptions } from './protocol-errors.ts';
import { progressHeader } from './progress.ts';
import { nextCursorHeader } from './views/queries.ts';

export type { HttpLimits } from './http-limits.ts';

/** Request headers a browser may send cross-origin (beyond the CORS-safelisted ones). */
const allowedHeaders = [
  'authorization',
  'content-type',
  'idempotency-key',
  'if-match',
  'if-none-match',
  'prefer',
  'last-event-id',
  progressHeader,
];

/** Response headers the gateway sets that browser code may read (beyond the safelisted ones). */
const exposedHeaders = [
  'etag',
  'location',
  'link',
  'retry-after',
  'preference-applied',
  'www-authenticate',
  'allow',
  progressHeader,
  nextCursorHeader,
  historyTruncatedHeader,
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Paths a probe calls often; never rate limited. */
const probes = new Set(['/livez', '/readyz', '/metrics']);

/** Distinct callers whose counts are kept per window (least recently seen forgotten first). */
const rateLimitKeys = 100_000;

/** The secrets a log line must never show, wherever a logged object carries headers. */
const redactPaths = ['authorization', 'cookie', '"proxy-authorization"'].flatMap((header) => [
  `headers.${header}`,
  `*.headers.${header}`,
]);

/** The Fastify constructor options: body limit, server limits and timeouts, the logger. */
export function fastifyOptions(limits: HttpLimits, logger: boolean): FastifyHttpOptions<Server> {
  const resolved = resolveLimits(limits);
  const timeouts = [resolved.requestTimeoutMs, resolved.headersTimeoutMs].filter((ms) => ms > 0);
  return {
    bodyLimit: resolved.bodyLimit,
    // A path parameter is checked by its schema (a too long one is a 400), not cut at find-my-way's
    // 100 characters with a bare 414; the header limit already bounds the whole request line.
    routerOptions: { maxParamLength: resolved.maxHeaderBytes },
    // Requests refused before routing (HTTP parse errors, 431, bad URLs) are problems too.
    ...protocolErrorOptions(),
    requestTimeout: resolved.requestTimeoutMs,
    keepAliveTimeout: resolved.keepAliveTimeoutMs,
    // A socket timeout would cut a quiet long poll or stream: the request timeouts do its job.
    connectionTimeout: 0,
    http: {
      maxHeaderSize: resolved.maxHeaderBytes,
      // registerProtocolErrors answers a missing Host with a problem, not Node's empty 400.
      requireHostHeader: false,
      requestTimeout: resolved.requestTimeoutMs,
      headersTimeout: resolved.headersTimeoutMs,
      // Node checks the request timeouts this often (default 30 s, which would triple a 10 s one).
      ...(timeouts.length === 0
        ? {}
        : {
            connectionsCheckingInterval: Math.min(
              30_000,
              Math.max(100, Math.floor(Math.min(...timeouts) / 4)),
            ),
          }),
    },
    logger: logger
      ? {
          redact: { paths: redactPaths, censor: '[redacted]' },
          // Fastify's own messages quote URLs too (`Route GET:/x?access_token=… not found`).
          hooks: { streamWrite: redactAccessToken },
          serializers: {
            req: (request: FastifyRequest) => ({
              method: request.method,
              url: redactAccessToken(request.url),
              host: request.host,
              remoteAddress: request.ip,
              remotePort: request.socket.remotePort,
            }),
          },
        }
      : false,
  };
}

/**
 * Registers CORS and the rate limit; call right after creating the app, before its routes.
 * `compat: 'zilla'` (GatewayOptions.compat) makes the gateway cross-origin when `limits` has no
 * `cors`.
 */
export function registerLimits(app: FastifyInstance, limits: HttpLimits, compat?: 'zilla'): void {
  const { cors, rateLimit } = resolveLimits(limits);
  // First the CORS headers (setting them costs nothing), so that even an overloaded gateway's
  // 503 is readable by browser code: it says when to come back.
  if (cors !== undefined) {
    void app.register(fastifyCors, { hook: 'onRequest', delegator: corsDelegator(cors) });
  } else if (compat === 'zilla') {
    void app.register(fastifyCors, { hook: 'onRequest', delegator: crossOriginDelegator });
  }
  // Then: an overloaded gateway answers 503 before doing any work.
  if (limits.overload !== undefined) registerOverload(app, limits.overload, probes);
  if (rateLimit !== undefined) {
    void app.register(fastifyRateLimit, {
      global: false,
      max: rateLimit.max,
      timeWindow: rateLimit.windowMs,
      cache: rateLimitKeys,
      enableDraftSpec: true,
      keyGenerator: (request) => {
        const identity = callerOf(request)?.identity;
        return identity === undefined ? `ip:${normalizeIP(request.ip)}` : `id:${identity}`;
      },
      allowList: (request) => probes.has(request.url.split('?')[0] ?? ''),
      errorResponseBuilder: (_request, context) =>
        new HttpProblem(
          'RATE_LIMITED',
          `more than ${context.max} requests in ${rateLimit.windowMs / 1000} s; try again in ${context.after}`,
          { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) },
        ),
    });
    // A hook of the app itself (not per route), so it covers the routes declared before the
    // plugin loaded and 404s too; `preParsing` runs after every `onRequest` hook.
    app.after(() => {
      app.addHook('preParsing', app.rateLimit());
    });
  }
}

/** `access_token`, each character as itself or percent-encoded: the query parser decodes names. */
const accessTokenName = [...'access_token']
  .map((c) => `(?:${c}|%${c.charCodeAt(0).toString(16)})`)
  .join('');
/** Where a parameter value ends: the next one, the fragment, a log line's word or JSON string. */
const valueEnd = `&#\\s"'\\\\`;
const accessTokenParameter = new RegExp(
  `([?&]${accessTokenName})(?:=[^${valueEnd}]*)?(?=[${valueEnd}]|$)`,
  'gi',
);

/**
 * `text` (a URL, or a log line quoting one) with the value of each `access_token` query
 * parameter replaced by `[redacted]`: streams take the bearer token there (EventSource cannot set
 * headers), and a log must never show it.
 */
export function redactAccessToken(text: string): string {
  return text.replace(accessTokenParameter, '$1=[redacted]');
}

interface ResolvedLimits {
  readonly cors?: ResolvedCors;
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
  readonly bodyLimit: number;
  readonly maxHeaderBytes: number;
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

interface ResolvedCors {
  /** Undefined: any origin. */
  readonly origins?: ReadonlySet<string>;
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
}

/** The limits with their defaults; throws on a value that cannot work. */
function resolveLimits(limits: HttpLimits): ResolvedLimits {
  const resolved = {
    bodyLimit: count('bodyLimit', limits.bodyLimit ?? 1_048_576, 1),
    maxHeaderBytes: count('maxHeaderBytes', limits.maxHeaderBytes ?? 16_384, 1),
    requestTimeoutMs: count('requestTimeoutMs', limits.requestTimeoutMs ?? 30_000, 0),
    headersTimeoutMs: count('headersTimeoutMs', limits.headersTimeoutMs ?? 10_000, 0),
    keepAliveTimeoutMs: count('keepAliveTimeoutMs', limits.keepAliveTimeoutMs ?? 72_000, 1),
  };
  const { requestTimeoutMs, headersTimeoutMs } = resolved;
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new Error(
      `http.headersTimeoutMs (${headersTimeoutMs}) must not exceed http.requestTimeoutMs (${requestTimeoutMs}): the head is part of the request`,
    );
  }
  const { rateLimit } = limits;
  return {
    ...resolved,
    ...(limits.cors === undefined ? {} : { cors: resolveCors(limits.cors) }),
    ...(rateLimit === undefined
      ? {}
      : {
          rateLimit: {
            max: count('rateLimit.max', rateLimit.max, 1),
            windowMs: count('rateLimit.windowMs', rateLimit.windowMs, 1),
          },
        }),
  };
}

function resolveCors(cors: NonNullable<HttpLimits['cors']>): ResolvedCors {
  const credentials = cors.credentials ?? false;
  const maxAgeSeconds = count('cors.maxAgeSeconds', cors.maxAgeSeconds ?? 600, 0);
  if (cors.origins === '*') {
    if (credentials) {
      // Browsers refuse `*` with credentials; echoing every origin instead would let any site
      // act with the user's cookies.
      throw new Error('http.cors: credentials cannot be allowed for every origin (origins: "*")');
    }
    return { credentials, maxAgeSeconds };
  }
  for (const origin of cors.origins) {
    if (!isOrigin(origin)) {
      throw new Error(
        `http.cors.origins: "${origin}" is not an origin; write it as browsers send it, scheme://host[:port] with no path, e.g. "https://app.example.com"`,
      );
    }
  }
  return { origins: new Set(cors.origins), credentials, maxAgeSeconds };
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

function count(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`http.${name} must be a whole number ≥ ${min}, not ${value}`);
  }
  return value;
}

/** Per request: CORS headers for a listed origin, a 403 for its preflight otherwise. */
function corsDelegator(
  cors: ResolvedCors,
): (
  request: FastifyRequest,
  done: (error: Error | null, options?: FastifyCorsOptions) => void,
) => void {
  const allowed: FastifyCorsOptions = {
    // `true` echoes the request's origin; `*` only when any origin may call without credentials.
    origin: cors.origins === undefined ? '*' : true,
    credentials: cors.credentials,
    methods,
    allowedHeaders,
    exposedHeaders,
    maxAge: cors.maxAgeSeconds,
  };
  const none: FastifyCorsOptions = { origin: false };
  return (request, done) => {
    const { origin } = request.headers;
    if (origin === undefined) {
      done(null, none);
    } else if (cors.origins === undefined || cors.origins.has(origin)) {
      done(null, allowed);
    } else if (
      request.method === 'OPTIONS' &&
      request.headers['access-control-request-method'] !== undefined
    ) {
      done(
        new HttpProblem(
          'ORIGIN_NOT_ALLOWED',
          `the origin ${origin} may not call this gateway from a browser (http.cors.origins)`,
        ),
      );
    } else {
      done(null, none);
    }
  };
}

/** A header name as RFC 9110 §5.6.2 spells a token: anything else in the request is dropped. */
const headerToken = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The Zilla profile without `http.cors`: any origin, from any page, may call; a preflight allows
 * the headers the browser asks for as well as the gateway's own, so a client that sends more
 * than specgate's does (Zilla's do) is not refused. `*`, never the echoed origin: no credentials.
 * Requests without `Origin` get the headers too (Zilla's gateway answers every request alike),
 * and a preflight without one is answered rather than refused as malformed.
 */
function crossOriginDelegator(
  request: FastifyRequest,
  done: (error: Error | null, options?: FastifyCorsOptions) => void,
): void {
  const asked = request.headers['access-control-request-headers'];
  const requested = (typeof asked === 'string' ? asked.split(',') : [])
    .map((name) => name.trim().toLowerCase())
    .filter((name) => headerToken.test(name));
  done(null, {
    origin: '*',
    methods,
    allowedHeaders: [...new Set([...allowedHeaders, ...requested])],
    exposedHeaders,
    maxAge: 600,
    strictPreflight: false,
  });
}
