/**
 * The runtime API that generated gateway code calls. `gateway/routes.ts` registers typed
 * Fastify routes whose handlers delegate to {@link GatewayRuntime}; `gateway/server.ts` calls
 * {@link startGateway}.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpLimits } from './http-limits.ts';
import type { OperationsOptions } from './operations-options.ts';
import type { StreamEnd } from './streams/stream-spec.ts';
import type {
  CommandRouteSpec,
  GatewaySpec,
  HistoryRouteSpec,
  QueryRouteSpec,
  RouteSpec,
  StreamRouteSpec,
} from './route-spec.ts';
import type { AuthOptions } from './auth/auth-options.ts';
import type { KafkaEnv, KafkaSecuritySpec } from '../kafka/security-spec.ts';

/** What a generated route handler calls. */
export interface GatewayRuntime {
  /** Turns the request into a Kafka record (and waits for the reply when request-reply). */
  command(route: CommandRouteSpec, request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * Answers an item or list query from the route topic's materialized view (ETag, 304, long
   * poll, read-your-writes; design.md §5).
   */
  query(route: QueryRouteSpec, request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * Streams the route topic's view as server-sent events: the state, then live changes, with
   * resumable ids (design.md §6). A query with `stream` does this when `Accept` asks for it.
   */
  stream(route: StreamRouteSpec, request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Answers one key's events of an event topic, oldest first (design.md §5). */
  history(route: HistoryRouteSpec, request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * The `onRequest` hook of a secured route (design.md §9): verifies the bearer token and the
   * scopes before anything else, answering 401/403 itself.
   */
  guard(route: RouteSpec): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/** The generated `routes` function: registers one typed Fastify route per operation. */
export type RegisterRoutes = (app: FastifyInstance, runtime: GatewayRuntime) => void;

/** What an identity filter sees of a record (a view entry, a history or stream record). */
export interface RecordInfo {
  /** The record key, as UTF-8. */
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The identity-filtering hook (design.md §9): per request, which records it may see; undefined
 * for all. Queries, streams and history apply it before anything else, so a record it hides is
 * absent (404, left out of lists, never streamed) rather than forbidden.
 */
export type RecordVisibility = (
  request: FastifyRequest,
) => ((record: RecordInfo) => boolean) | undefined;

export interface GatewayOptions {
  readonly spec: GatewaySpec;
  readonly routes: RegisterRoutes;
  /** Bootstrap servers; default from `KAFKA_BROKERS`. */
  readonly brokers?: readonly string[];
  readonly clientId?: string;
  /**
   * TLS and SASL as the AsyncAPI server declares them (the generated `server.ts` passes them);
   * credentials and overrides come from `KAFKA_SASL_*` and `KAFKA_SSL*` (runtime/kafka/security.ts).
   * Refused credentials or TLS fail `ready`.
   */
  readonly kafka?: KafkaSecuritySpec;
  /** Where the `KAFKA_SASL_*` and `KAFKA_SSL*` settings are read from; default `process.env`. */
  readonly kafkaEnv?: KafkaEnv;
  /** How long a request-reply command waits for its reply (default 10 s). */
  readonly replyTimeoutMs?: number;
  /**
   * RFC 7240: the longest `Prefer: wait=N` the gateway honours, in long polls and async answers
   * (default 60 s); a longer wish is cut to it, as `Preference-Applied` then says.
   */
  readonly maxWaitMs?: number;
  /**
   * Bearer token verification (keys, issuer, audience, identity claim and header), required
   * when any route is secured (design.md §9).
   */
  readonly auth?: AuthOptions;
  /**
   * Which records a request may read, on top of the routes' own `owner` filtering; default
   * all.
   */
  readonly visibility?: RecordVisibility;
  /** Server-sent events (design.md §6). */
  readonly streams?: StreamOptions;
  /** CORS, rate limit, body and header sizes, timeouts (design.md §9). */
  readonly http?: HttpLimits;
  /** `/metrics`, `/livez`, `/readyz`: their paths, and a port of their own (design.md §11). */
  readonly operations?: OperationsOptions;
  /**
   * `'zilla'`: the Zilla compatibility profile (design.md §4): request-reply records carry every
   * request header and Zilla's hashed correlation id, an identical retry is answered with the
   * reply already on the reply topic, replies map header for header, and CORS is cross-origin
   * unless `http.cors` says otherwise. The generated `server.ts` sets it from `compat` in the
   * config.
   */
  readonly compat?: 'zilla';
}

export interface StreamOptions {
  /** A comment line on an idle stream this often; 0 for none. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Sent as `retry:`. Default 2000 ms. */
  readonly retryMs?: number;
  /** Most bytes waiting for one client before its stream is ended. Default 1 MiB. */
  readonly maxBufferBytes?: number;
  /** Told when a stream starts; `onStreamEnd` follows once for each (metrics, tests). */
  readonly onStreamStart?: () => void;
  /** Told when a stream ends and why (metrics, logs, tests). */
  readonly onStreamEnd?: (end: StreamEnd) => void;
}
