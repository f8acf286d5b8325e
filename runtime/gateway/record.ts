/**
 * From an HTTP request to the parts of a Kafka record: topic, key and headers (design §3, §4).
 * Pure functions of the route spec and the request values.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CommandRouteSpec, KeySpec, Template, TopicSpec } from './route-spec.ts';

/** The values of one request that templates may use. */
export interface RequestValues {
  readonly params: { readonly [name: string]: string };
  readonly query: { readonly [name: string]: unknown };
  readonly headers: IncomingHttpHeaders;
  readonly idempotencyKey?: string;
  /** The verified caller's identity (design.md §9); undefined on open routes. */
  readonly identity?: string;
}

/** Headers that never reach Kafka, whatever a spec or an override says (design §4, §9). */
const forbiddenHeaders: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'proxy-authorization',
]);

/** Renders a template; undefined when any part has no value. */
export function renderTemplate(template: Template, values: RequestValues): string | undefined {
  let out = '';
  for (const part of template) {
    let text: string | undefined;
    switch (part.in) {
      case 'text':
        text = part.text;
        break;
      case 'path':
        text = values.params[part.name];
        break;
      case 'query':
        text = scalar(values.query[part.name]);
        break;
      case 'header':
        text = scalar(values.headers[part.name.toLowerCase()]);
        break;
      case 'idempotency-key':
        text = values.idempotencyKey;
        break;
      case 'identity':
        text = values.identity;
        break;
    }
    if (text === undefined) return undefined;
    out += text;
  }
  return out;
}

export function topicName(topic: TopicSpec, values: RequestValues): string {
  return topic.address.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const param = topic.params[name];
    return (param === undefined ? undefined : values.params[param]) ?? whole;
  });
}

/** The record key, or null for none. */
export function recordKey(key: KeySpec, values: RequestValues): string | null {
  switch (key.kind) {
    case 'template':
      return renderTemplate(key.template, values) ?? null;
    case 'const':
      return key.value;
    case 'path':
      return values.params[key.param] ?? null;
    case 'idempotency-key':
      return values.idempotencyKey ?? null;
    case 'none':
      return null;
  }
}

/**
 * The record's headers, in order: content type, the route's declared/const/override headers,
 * idempotency key, If-Match (the record-etag part of Zilla's `<progress>/<etag>` only), W3C
 * trace context, the caller's identity; never credentials. The identity header is the gateway's
 * alone: whatever a request put there is replaced, or dropped when the caller is anonymous.
 * Correlation and reply-to are added by the command runner.
 */
export function recordHeaders(
  route: CommandRouteSpec,
  values: RequestValues,
  contentType: string | undefined,
  identityHeader: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers['content-type'] = contentType;
  Object.assign(headers, overrideHeaders(route, values));
  if (values.idempotencyKey !== undefined) headers['idempotency-key'] = values.idempotencyKey;
  const ifMatch = forwardedIfMatch(scalar(values.headers['if-match']));
  if (ifMatch !== undefined) headers['if-match'] = ifMatch;
  const traceparent = scalar(values.headers.traceparent);
  if (traceparent !== undefined) headers.traceparent = traceparent;
  const tracestate = scalar(values.headers.tracestate);
  if (tracestate !== undefined) headers.tracestate = tracestate;
  const identities = identityHeaders(route, identityHeader);
  const out = Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => !forbiddenHeaders.has(name.toLowerCase()) && !identities.includes(name),
    ),
  );
  if (values.identity !== undefined) {
    for (const name of identities) out[name] = values.identity;
  }
  return out;
}

/**
 * The route's own headers alone (declared, const tags, overrides), rendered, credentials left
 * out: what Zilla calls the header overrides (zilla-record.ts).
 */
export function overrideHeaders(
  route: CommandRouteSpec,
  values: RequestValues,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of route.headers) {
    if (forbiddenHeaders.has(header.name.toLowerCase())) continue;
    const value = renderTemplate(header.value, values);
    if (value !== undefined) headers[header.name] = value;
  }
  return headers;
}

/**
 * The record headers that carry the caller's identity: the gateway's identity header, and the
 * route's `owner` header when it has one. Only the gateway writes them.
 */
export function identityHeaders(route: CommandRouteSpec, identityHeader: string): string[] {
  return route.owner === undefined ? [identityHeader] : [identityHeader, route.owner];
}

/** Design §4: the part of an ETag after the first `/`; an If-Match without `/` is not forwarded. */
export function forwardedIfMatch(ifMatch: string | undefined): string | undefined {
  if (ifMatch === undefined) return undefined;
  const value = ifMatch
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
  const slash = value.indexOf('/');
  return slash === -1 ? undefined : value.slice(slash + 1);
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return scalar(value[0]);
  return undefined;
}

/**
 * Fastify's parsed params or query as strings: the first of repeated values, and numbers and
 * booleans (coerced by validation) back as text; anything else is left out.
 */
export function stringValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [name, raw] of Object.entries(value)) {
    const first: unknown = Array.isArray(raw) ? raw[0] : raw;
    if (typeof first === 'string') out[name] = first;
    else if (typeof first === 'number' || typeof first === 'boolean') out[name] = String(first);
  }
  return out;
}
