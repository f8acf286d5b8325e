/**
 * The Kafka headers a command route sets from its spec (design §4), as runtime `HeaderSpec`s:
 *
 * 1. every declared message header whose schema is a `const` or a one-value `enum` is set to
 *    that value: it tags the message type when several commands share a topic;
 * 2. every other declared header with a same-named HTTP header, path or query parameter is
 *    filled from it;
 * 3. then the route's header overrides, whose templates win over 1 and 2 for the same name.
 *
 * Headers the runtime sets itself (content type, idempotency key, If-Match, trace context,
 * correlation and reply-to) and credentials are never filled from the request here: the runtime
 * forwards only the record-etag part of `If-Match`, for one, which a plain copy would not.
 */
import { parseTemplate } from '../../bind/template.ts';
import { refId } from '../../ir/schema-registry.ts';
import type {
  Api,
  CommandRoute,
  HttpOperation,
  JsonValue,
  KeyPart,
  Message,
  Schema,
  SchemaObject,
} from '../../ir/types.ts';
import { compare } from './schema-literal.ts';

/** A runtime `RequestValue`. */
export type RequestValue =
  | { readonly in: 'path' | 'query' | 'header'; readonly name: string }
  | { readonly in: 'idempotency-key' }
  | { readonly in: 'identity' }
  | { readonly in: 'text'; readonly text: string };

/** A runtime `HeaderSpec`. */
export interface HeaderView {
  readonly name: string;
  readonly value: readonly RequestValue[];
}

const runtimeHeaders = [
  'content-type',
  'idempotency-key',
  'if-match',
  'traceparent',
  'tracestate',
  ':method',
  ':path',
  'authorization',
  'cookie',
  'proxy-authorization',
];

export function recordHeaders(api: Api, route: CommandRoute): HeaderView[] {
  const skipped = new Set(runtimeHeaders);
  if (route.reply !== undefined) {
    skipped.add(route.reply.correlationHeader.toLowerCase());
    skipped.add(route.reply.replyToHeader.toLowerCase());
  }
  const messages = route.messages
    .map((id) => api.kafka.messages.find((m) => m.id === id))
    .filter((m): m is Message => m !== undefined);

  const tags = new Map<string, string>();
  const filled = new Map<string, RequestValue>();
  const declared = messages.map((message) => declaredHeaders(api, message));
  for (const headers of declared) {
    for (const [name, schema] of headers) {
      if (skipped.has(name.toLowerCase())) continue;
      const tag = constValue(api, schema);
      if (tag === undefined) {
        const source = requestValue(route.http, name);
        if (source !== undefined) filled.set(name, source);
      }
    }
  }
  // A tag every message of the route agrees on; with several message types that disagree,
  // the runtime cannot know which to set from the route alone.
  const [first, ...others] = declared;
  for (const [name, schema] of first ?? []) {
    const tag = constValue(api, schema);
    if (tag === undefined || skipped.has(name.toLowerCase())) continue;
    if (others.every((headers) => constValue(api, headers.get(name)) === tag)) tags.set(name, tag);
  }

  const out = new Map<string, HeaderView>();
  for (const name of [...tags.keys()].sort(compare)) {
    out.set(name, { name, value: [{ in: 'text', text: tags.get(name) ?? '' }] });
  }
  for (const name of [...filled.keys()].sort(compare)) {
    const source = filled.get(name);
    if (source !== undefined && !out.has(name)) out.set(name, { name, value: [source] });
  }
  for (const name of Object.keys(route.overrides).sort(compare)) {
    const template = route.overrides[name] ?? '';
    out.delete(name);
    out.set(name, { name, value: parseTemplate(template, route.http).parts.map(requestPart) });
  }
  return [...out.values()];
}

/** A key or override template part as a runtime `RequestValue`. */
export function requestPart(part: KeyPart): RequestValue {
  switch (part.kind) {
    case 'text':
      return { in: 'text', text: part.text };
    case 'param':
      return { in: part.in, name: part.in === 'header' ? part.name.toLowerCase() : part.name };
    case 'idempotency-key':
      return { in: 'idempotency-key' };
    case 'identity':
      return { in: 'identity' };
  }
}

/** The message's declared headers by name, in code-unit order. */
export function declaredHeaders(api: Api, message: Message): Map<string, Schema> {
  const headers = resolve(api, message.headers);
  const properties = typeof headers === 'object' ? (headers.properties ?? {}) : {};
  return new Map(
    Object.keys(properties)
      .sort(compare)
      .map((name): [string, Schema] => [name, properties[name] ?? true]),
  );
}

/** The header's fixed value: a scalar `const`, or the one value of a one-value `enum`. */
export function constValue(api: Api, schema: Schema | undefined): string | undefined {
  const resolved = resolve(api, schema);
  if (typeof resolved !== 'object') return undefined;
  const value: JsonValue | undefined =
    resolved.const !== undefined
      ? resolved.const
      : resolved.enum?.length === 1
        ? resolved.enum[0]
        : undefined;
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  return String(value);
}

/** The HTTP header (any case), path or query parameter with the header's name. */
function requestValue(http: HttpOperation, name: string): RequestValue | undefined {
  const lower = name.toLowerCase();
  const header = http.parameters.find((p) => p.in === 'header' && p.name.toLowerCase() === lower);
  if (header !== undefined) return { in: 'header', name: lower };
  for (const location of ['path', 'query'] as const) {
    const parameter = http.parameters.find((p) => p.in === location && p.name === name);
    if (parameter !== undefined) return { in: location, name };
  }
  return undefined;
}

/** Follows `$ref`s to named schemas (a bounded number of hops: refs may form a cycle). */
export function resolve(api: Api, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let hops = 0; hops < 16 && isRef(current); hops++) {
    current = api.schemas[refId(current.$ref) ?? '']?.schema;
  }
  return current;
}

function isRef(schema: Schema | undefined): schema is SchemaObject & { readonly $ref: string } {
  return typeof schema === 'object' && schema.$ref !== undefined;
}
