/**
 * What generated gateway code tells the runtime about a history route (design.md §5): a plain,
 * typed description, one member of `RouteSpec` in route-spec.ts.
 */
import type { AuthSpec, RequestSchemas, TopicSpec } from '../route-spec.ts';
import type { StreamMessagesSpec } from '../streams/stream-spec.ts';

export interface HistoryRouteSpec {
  readonly kind: 'history';
  readonly operationId: string;
  readonly method: 'GET';
  /** The OpenAPI path template, `/tasks/{id}/history`. */
  readonly path: string;
  /** The event topic (not compacted) whose records of one key are the history. */
  readonly topic: TopicSpec;
  /** The path parameter holding the record key. */
  readonly keyParam: string;
  /** The message types of the topic, and the header naming a record's type. */
  readonly messages: StreamMessagesSpec;
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
