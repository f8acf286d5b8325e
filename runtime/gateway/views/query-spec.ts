/**
 * What generated gateway code tells the runtime about a query route (design.md §5): a plain,
 * typed description, one member of `RouteSpec` in route-spec.ts.
 */
import type { AuthSpec, RequestSchemas, TopicSpec } from '../route-spec.ts';
import type { StreamMessagesSpec } from '../streams/stream-spec.ts';

/** A query parameter that filters the view: on a record header or a top-level JSON field. */
export interface QueryFilterSpec {
  /** The query parameter, `?status=open`. */
  readonly param: string;
  readonly on: 'header' | 'field';
  /** The header name or the JSON field name. */
  readonly name: string;
}

/** Query parameters of a paginated list. */
export interface QueryPaginationSpec {
  /** Default `limit`. */
  readonly limitParam?: string;
  /** Default `cursor`. */
  readonly cursorParam?: string;
  /** Entries per page without a limit parameter; default all (up to `maxLimit`). */
  readonly defaultLimit?: number;
  /** A larger limit is lowered to this; default 1000. */
  readonly maxLimit?: number;
}

export interface QueryRouteSpec {
  readonly kind: 'query';
  readonly operationId: string;
  readonly method: 'GET';
  /** The OpenAPI path template, `/tasks/{id}`. */
  readonly path: string;
  /** The compacted topic the view reads (the gateway keeps one view per address). */
  readonly topic: TopicSpec;
  /** `item`: one key's latest value; `list`: every key's, as a JSON array. */
  readonly mode: 'item' | 'list';
  /** The path parameter holding the record key (item mode). */
  readonly keyParam?: string;
  readonly filters: readonly QueryFilterSpec[];
  /** Present when the list is paginated. */
  readonly pagination?: QueryPaginationSpec;
  /**
   * Present when the operation also offers `text/event-stream`: a request that prefers it by
   * `Accept` (as `EventSource` sends) gets the live stream of the list instead (design.md §3).
   */
  readonly stream?: StreamMessagesSpec;
  /** Schemas Fastify validates the request with (params, querystring, headers). */
  readonly schemas: RequestSchemas;
  /** Who may call it; absent: open (design.md §9). */
  readonly auth?: AuthSpec;
  /**
   * Per-user data: the record header holding the identity that owns a record; a caller sees
   * only records whose header equals its identity (others' items are 404).
   */
  readonly owner?: string;
}
