/**
 * A request-reply command record as Zilla's http-kafka binding writes it (design.md §4, the Zilla
 * compatibility profile), so a service written for Zilla reads it unchanged:
 *
 * 1. every request header, names in lower case and in the order they came, as HTTP/2 would
 *    carry them: `:scheme`, `:method`, `:path` (with the query), `:authority` (the Host, with the
 *    scheme's port when it names none), then the others — but never `content-length`, `prefer`,
 *    credentials (`authorization`, `cookie`, `proxy-authorization`) or hop-by-hop headers, and
 *    `if-match` only as the record-etag part of `<progress>/<etag>` (dropped without a `/`);
 * 2. the reply-to header (`zilla:reply-to`) naming the reply topic;
 * 3. the route's header overrides (a request header of the same name gives way to them);
 * 4. the caller's identity, when the route is secured;
 * 5. last, the correlation id (`zilla:correlation-id`): the Idempotency-Key, or a random UUID
 *    when the request has none, then `-` and a hash of the record (key, forwarded headers,
 *    reply-to, value). An identical retry gets the same id, so the gateway can find the reply
 *    the first attempt already got; the same key with another body or If-Match gets a new one.
 *
 * Pure functions of the request's parts: no Fastify, no Kafka.
 */
import { createHash } from 'node:crypto';
import { forwardedIfMatch } from './record.ts';

/** The parts of an HTTP request a Zilla record is made of. */
export interface ZillaRequest {
  readonly method: string;
  /** `http` or `https`. */
  readonly scheme: string;
  /** The request target: path and query, as sent. */
  readonly url: string;
  /** Node's `rawHeaders`: names and values alternating, in arrival order. */
  readonly rawHeaders: readonly string[];
}

export interface ZillaRecordParts {
  /** The Idempotency-Key, or a fresh random UUID when the request has none. */
  readonly seed: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly replyToHeader: string;
  readonly replyTopic: string;
  /** The route's rendered header overrides, in order. */
  readonly overrides: Readonly<Record<string, string>>;
  readonly correlationHeader: string;
  /** Record headers that only the gateway may set (the identity header): request values dropped. */
  readonly reserved: ReadonlySet<string>;
  /** The verified caller's identity, written to each reserved header; undefined when anonymous. */
  readonly identity: string | undefined;
}

export interface ZillaRecordHeaders {
  readonly headers: Record<string, string | string[]>;
  readonly correlationId: string;
}

/** Request headers a Zilla record never carries (design.md §4, §9), or carries rewritten. */
const dropped: ReadonlySet<string> = new Set([
  'content-length',
  'prefer',
  'authorization',
  'cookie',
  'proxy-authorization',
  // Hop by hop (RFC 9110 §7.6.1): they describe this connection, not the request.
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  // Carried as `:authority`.
  'host',
]);

/**
 * Trace context differs on every attempt by design (W3C), so it is carried but not hashed: a
 * retry with a new `traceparent` is still the same request.
 */
const unhashed: ReadonlySet<string> = new Set(['traceparent', 'tracestate']);

const defaultPorts: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** The record headers, in Zilla's order, and the correlation id they end with. */
export function zillaRecordHeaders(
  request: ZillaRequest,
  parts: ZillaRecordParts,
): ZillaRecordHeaders {
  const hash = createHash('sha256');
  const hashed = (name: string, value: string): void => {
    hash.update(name).update('\0').update(value).update('\0');
  };
  if (parts.key !== null) hashed('', parts.key.toString());

  const headers: Record<string, string | string[]> = {};
  const add = (name: string, value: string): void => {
    const existing = headers[name];
    headers[name] =
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...existing, value]
          : [existing, value];
    if (!unhashed.has(name)) hashed(name, value);
  };

  const raw = request.rawHeaders;
  const host = headerValue(raw, 'host');
  add(':scheme', request.scheme);
  add(':method', request.method);
  add(':path', request.url);
  if (host !== undefined) add(':authority', withPort(host, request.scheme));
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const value = raw[i + 1] ?? '';
    if (dropped.has(name) || name.startsWith(':') || parts.reserved.has(name)) continue;
    if (name in parts.overrides || name === parts.replyToHeader) continue;
    if (name === parts.correlationHeader) continue;
    if (name === 'if-match') {
      const forwarded = forwardedIfMatch(value);
      if (forwarded !== undefined) add(name, forwarded);
      continue;
    }
    add(name, value);
  }
  add(parts.replyToHeader, parts.replyTopic);
  for (const [name, value] of Object.entries(parts.overrides)) headers[name] = value;
  if (parts.identity !== undefined) {
    for (const name of parts.reserved) headers[name] = parts.identity;
  }
  if (parts.value !== null) hash.update(parts.value);
  const correlationId = `${parts.seed}-${hash.digest('hex')}`;
  headers[parts.correlationHeader] = correlationId;
  return { headers, correlationId };
}

function headerValue(raw: readonly string[], wanted: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] ?? '').toLowerCase() === wanted) return raw[i + 1];
  }
  return undefined;
}

/** Zilla's `:authority`: the Host, with the scheme's default port when it names none. */
function withPort(host: string, scheme: string): string {
  const port = defaultPorts[scheme];
  // `[::1]` alone has colons but no port; `[::1]:8080` and `example.com:8080` do.
  const hasPort = host.startsWith('[') ? /\]:\d+$/.test(host) : host.includes(':');
  return hasPort || port === undefined ? host : `${host}:${port}`;
}
