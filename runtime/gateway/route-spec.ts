/**
 * What generated gateway code tells the runtime about each route: a plain, typed description
 * (no behaviour). The emitter writes these as object literals in `gateway/routes.ts`; the
 * runtime reads nothing else. These types mirror the generator's IR on purpose but are the
 * runtime's own, so the runtime never imports the generator (design.md §1).
 */
import type { HistoryRouteSpec } from './history/history-spec.ts';
import type { StreamRouteSpec } from './streams/stream-spec.ts';
import type { QueryRouteSpec } from './views/query-spec.ts';

export type { HistoryRouteSpec } from './history/history-spec.ts';
export type { StreamMessagesSpec, StreamRouteSpec } from './streams/stream-spec.ts';
export type { QueryFilterSpec, QueryPaginationSpec, QueryRouteSpec } from './views/query-spec.ts';

/** A JSON Schema object as Fastify/Ajv take it; refs point into {@link GatewaySpec.schemas}. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** Where a value of the HTTP request comes from. */
export type RequestValue =
  | { readonly in: 'path' | 'query' | 'header'; readonly name: string }
  | { readonly in: 'idempotency-key' }
  | { readonly in: 'identity' }
  | { readonly in: 'text'; readonly text: string };

/** A record key or header value made of parts, concatenated; any missing part → no value. */
export type Template = readonly RequestValue[];

/** The topic of a route: its address, with `{param}` placeholders filled from path params. */
export interface TopicSpec {
  readonly address: string;
  /** Channel parameter → path parameter. */
  readonly params: { readonly [channelParam: string]: string };
  readonly compacted: boolean;
}

export type KeySpec =
  | { readonly kind: 'template'; readonly template: Template }
  | { readonly kind: 'const'; readonly value: string }
  | { readonly kind: 'path'; readonly param: string }
  | { readonly kind: 'idempotency-key' }
  | { readonly kind: 'none' };

/** One Kafka header a command record carries. */
export interface HeaderSpec {
  readonly name: string;
  /** A `const` header (the message type tag) or an override template. */
  readonly value: Template;
}

export interface ReplyRouteSpec {
  readonly topic: string;
  readonly correlationHeader: string;
  readonly replyToHeader: string;
}

/**
 * Who may call a route (design.md §9), from the operation's OpenAPI security requirements that
 * a bearer token can meet (`http` bearer, `oauth2`, `openIdConnect`). Absent: the route is open.
 */
export interface AuthSpec {
  /**
   * Alternatives: a verified token with every scope of any one of them passes, else 403. `[[]]`:
   * any verified token; `[]`: none can pass (the operation's schemes are ones the gateway cannot
   * check, such as apiKey — refused rather than left open).
   */
  readonly scopes: readonly (readonly string[])[];
  /** The operation also lists `{}`: no token is fine, a bad token is still 401. */
  readonly optional: boolean;
}

/** Schemas Fastify validates the request with (body, params, querystring, headers). */
export interface RequestSchemas {
  readonly body?: JsonSchema;
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly headers?: JsonSchema;
}

export interface CommandRouteSpec {
  readonly kind: 'command';
  readonly operationId: string;
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, `/tasks/{id}`. */
  readonly path: string;
  readonly topic: TopicSpec;
  readonly key: KeySpec;
  /** Declared message headers filled from the request, const tags and overrides, in order. */
  readonly headers: readonly HeaderSpec[];
  readonly reply?: ReplyRouteSpec;
  /** Status of a one-way command's answer. */
  readonly successStatus: number;
  /** The operation declares 202: a reply timeout and `Prefer: respond-async` answer it. */
  readonly accepts202: boolean;
  /** A body-less DELETE on a compacted topic: the record value is null. */
  readonly tombstone: boolean;
  /** The request media types the operation accepts (415 for others); empty = no body. */
  readonly mediaTypes: readonly string[];
  readonly schemas: RequestSchemas;
  /** The AsyncAPI message payload schemas: a body must match one of them (400 if none). */
  readonly payloads: readonly JsonSchema[];
  /** Who may call it; absent: open (design.md §9). */
  readonly auth?: AuthSpec;
  /** A record header that also gets the caller's identity (Zilla's owner mapping). */
  readonly owner?: string;
}

export type RouteSpec = CommandRouteSpec | QueryRouteSpec | StreamRouteSpec | HistoryRouteSpec;

/** Everything a generated gateway hands the runtime. */
export interface GatewaySpec {
  readonly title: string;
  /** Named schemas, by id; route schemas refer to them as `specgate#/$defs/<id>`. */
  readonly schemas: { readonly [id: string]: JsonSchema };
  readonly routes: readonly RouteSpec[];
}
