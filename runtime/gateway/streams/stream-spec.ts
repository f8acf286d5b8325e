/**
 * What generated gateway code tells the runtime about a stream route (design.md §6): a plain,
 * typed description, one member of `RouteSpec` in route-spec.ts. A query whose operation also
 * offers `text/event-stream` carries its `StreamMessagesSpec` instead (`QueryRouteSpec.stream`).
 */
import type { AuthSpec, RequestSchemas } from '../route-spec.ts';
import type { QueryFilterSpec } from '../views/query-spec.ts';

/** The message types a channel carries, and where a record says which one it is. */
export interface StreamMessagesSpec {
  /** AsyncAPI message names. With one, events are unnamed (`message`), as Zilla sends them. */
  readonly names: readonly string[];
  /**
   * With several names: the record header holding the message name, sent as `event:`. A record
   * without it, or with a name not listed, goes out unnamed.
   */
  readonly eventNameHeader?: string;
}

export interface StreamRouteSpec {
  readonly kind: 'stream';
  readonly operationId: string;
  readonly method: 'GET';
  /** The OpenAPI path template, `/tasks/events`. */
  readonly path: string;
  /** The topic the stream reads; it may hold `{param}` placeholders (see `params`). */
  readonly topic: string;
  /**
   * Channel parameter → path parameter: fills the `{param}` placeholders of `topic` per request
   * (live streams over event topics, live-stream.ts).
   */
  readonly params?: { readonly [channelParam: string]: string };
  /**
   * True: state first (one event per live key), then live (sse-stream.ts). False: an event
   * topic, live records only (live-stream.ts).
   */
  readonly compacted: boolean;
  readonly messages: StreamMessagesSpec;
  /** Query parameters that filter events, as for queries. */
  readonly filters: readonly QueryFilterSpec[];
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

/** `client`: it disconnected; `buffer-full`: it read too slowly; `server`: shutdown. */
/** `token-expired`: the caller's token ran out; the client reconnects with a fresh one. */
export type StreamEndReason = 'client' | 'buffer-full' | 'server' | 'token-expired';

/** How a stream ended, for `onStreamEnd` (metrics, logs, tests). */
export interface StreamEnd {
  readonly reason: StreamEndReason;
  /** Events written to the socket. */
  readonly events: number;
  /** The socket's buffered bytes when the stream ended. */
  readonly bufferedBytes: number;
}
