/**
 * The gateway: a Fastify app with the generated routes, backed by Kafka. `createGateway` builds
 * and starts one and resolves once it is ready (tests and embedding); `openGateway` returns at
 * once so the server can listen while it starts; `startGateway` is what a generated `server.ts`
 * calls.
 *
 * Queries and streams read one materialized view per distinct topic (design.md §5, §6); history
 * routes read the key's partition per request. The gateway is ready — `/readyz` 200, every
 * route served — once every view has caught up to the high-water marks it read at start-up (and
 * the idempotency store and reply routers have caught up too); until then `/readyz` and the
 * routes answer 503 with `Retry-After`, and `/livez` answers. A queried topic that does not
 * exist keeps the gateway starting.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Registry } from 'prom-client';
import { checkKafkaAccess, createKafkaClient, resolveKafkaSecurity } from '../kafka/index.ts';
import type { KafkaClient, ProducerStats } from '../kafka/types.ts';
import type { GatewayOptions, GatewayRuntime, RecordVisibility } from './api.ts';
import { callerOf } from './auth/caller.ts';
import {
  createAuthenticator,
  defaultIdentityHeader,
  type Authenticate,
} from './auth/authenticate.ts';
import { addAsyncReplyConstraint, asyncReplyConstraints } from './async-reply-route.ts';
import { collectReply, runCommand, type CommandContext } from './commands.ts';
import { IdempotencyStore } from './idempotency.ts';
import { registerJsonBodies } from './json-body.ts';
import { registerRawBodies } from './raw-body.ts';
import { isKafkaError } from '../kafka/index.ts';
import {
  HttpProblem,
  kafkaProblem,
  notFound,
  problemFromFastify,
  sendProblem,
} from './problems.ts';
import { fastifyOptions, registerLimits } from './limits.ts';
import { registerProtocolErrors } from './protocol-errors.ts';
import { ConfigurationError, serverEnv } from './server-env.ts';
import { ReplyRouter } from './replies.ts';
import { prefersEventStream } from './accept.ts';
import { createHistoryHandler, type HistoryHandler } from './history/history.ts';
import type {
  CommandRouteSpec,
  HistoryRouteSpec,
  QueryRouteSpec,
  RouteSpec,
  StreamRouteSpec,
} from './route-spec.ts';
import { createStreamHandler, type StreamHandler } from './streams/sse-stream.ts';
import { createLiveStreamHandler } from './streams/live-stream.ts';
import { TombstoneLog } from './streams/tombstone-log.ts';
import { createValidators } from './validation.ts';
import { MaterializedView } from './views/materialized-view.ts';
import { GatewayMetrics } from './metrics.ts';
import { registerOperations } from './operations.ts';
import { tracedFastifyOptions, type LogDestination } from './trace-context.ts';
import { createQueryHandler, type QueryHandler } from './views/queries.ts';

export interface Gateway {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:PORT` once listening. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Counters since start: the command producer's (records, produce requests: its batching). */
  stats(): { readonly producer: ProducerStats };
  /** The gateway's metrics registry (served with the process's metrics); add your own to it. */
  readonly metrics: Registry;
  /** `/metrics`, `/livez`, `/readyz`'s own listener once listening (`operations.port`). */
  operationsUrl(): string | undefined;
  close(): Promise<void>;
}

export interface CreateGatewayOptions extends GatewayOptions {
  /** The compacted topic that stores idempotency keys (default `specgate-idempotency`). */
  readonly idempotencyTopic?: string;
  /** Fastify's JSON logs, request lines with `reqId` and `traceId`: true (stdout) or a sink. */
  readonly logger?: boolean | LogDestination;
  /**
   * On close, how long requests in flight (replies awaited, long polls) may take to finish
   * before their connections are closed (default 10 s).
   */
  readonly shutdownGraceMs?: number;
  /** A produce that the broker has not acknowledged by then answers 503 (default 3 s). */
  readonly produceTimeoutMs?: number;
}

/** Builds and starts a gateway; resolves once it is ready (every view caught up). */
export async function createGateway(options: CreateGatewayOptions): Promise<Gateway> {
  const gateway = openGateway(options);
  try {
    await gateway.ready;
  } catch (error) {
    await gateway.close().catch(() => undefined);
    throw error;
  }
  return gateway;
}

/** A gateway that may still be starting. */
export interface StartingGateway extends Gateway {
  /** Resolves once every view, the idempotency store and the reply readers have caught up. */
  readonly ready: Promise<void>;
}

/**
 * Builds a gateway and returns at once, so it can listen while it starts: `/livez` answers, and
 * `/readyz` and every other route answer 503 (+ `Retry-After`) until `ready` resolves. This is
 * what a server behind a load balancer wants; `createGateway` waits for `ready` instead.
 */
export function openGateway(options: CreateGatewayOptions): StartingGateway {
  const brokers = options.brokers ?? brokersFromEnv();
  const kafkaConfig = {
    brokers,
    clientId: options.clientId ?? `specgate-gateway-${randomUUID().slice(0, 8)}`,
    ...resolveKafkaSecurity(options.kafka, options.kafkaEnv),
  };
  const metrics = new GatewayMetrics();
  const client = createKafkaClient(kafkaConfig);
  // The readers of views, replies and idempotency keys: readiness follows them.
  const core = metrics.kafka.client(client, 'core');
  const kafka = metrics.kafka.client(client, 'request');
  const producer = kafka.producer({ timeoutMs: options.produceTimeoutMs ?? 3000 });
  const idempotency = new IdempotencyStore(core, producer, {
    topic: options.idempotencyTopic ?? 'specgate-idempotency',
  });
  const commands = options.spec.routes.filter(
    (route): route is CommandRouteSpec => route.kind === 'command',
  );
  const queries = options.spec.routes.filter(
    (route): route is QueryRouteSpec => route.kind === 'query',
  );
  const streams = [
    ...options.spec.routes.filter((route): route is StreamRouteSpec => route.kind === 'stream'),
    ...queries.flatMap((route) => {
      const stream = streamOfQuery(route);
      return stream === undefined ? [] : [stream];
    }),
  ];
  const replies = replyRouters(core, commands);
  const views = materializedViews(core, queries, streams);
  // Created before the views read anything, so each log sees every tombstone from the start.
  const tombstones = new Map(
    [...views].map(([topic, view]) => [topic, new TombstoneLog(view)] as const),
  );
  // Aborted on close: open streams end instead of holding the server open.
  const closing = new AbortController();
  // Every open stream listens for it: thousands, not a leak.
  setMaxListeners(0, closing.signal);
  const validators = createValidators(options.spec);
  const authenticate = authenticator(options);
  const ctx: CommandContext = {
    producer,
    idempotency,
    replies,
    payloads: validators.payloads,
    replyTimeoutMs: options.replyTimeoutMs ?? 10_000,
    viewTopics: new Set(views.keys()),
    maxWaitMs: options.maxWaitMs ?? 60_000,
    identityHeader: options.auth?.identityHeader ?? defaultIdentityHeader,
    metrics,
    ...(options.compat === undefined ? {} : { compat: options.compat }),
  };

  const app = Fastify(
    tracedFastifyOptions(
      fastifyOptions(options.http ?? {}, Boolean(options.logger)),
      options.logger,
    ),
  );
  metrics.countRequests(app);
  registerLimits(app, options.http ?? {}, options.compat);
  registerProtocolErrors(app);
  app.setValidatorCompiler(validators.compiler);
  registerJsonBodies(app);
  registerRawBodies(app, options.spec.routes);
  const allowed = allowedMethods(options.spec.routes);
  const unrouted = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const methods = allowed(request.url.split('?')[0] ?? '');
    if (methods.length > 0) {
      reply.header('allow', methods.join(', '));
      return sendProblem(
        reply,
        new HttpProblem(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed here; use ${methods.join(', ')}`,
        ),
      );
    }
    return notFound(request, reply);
  };
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Fastify parses the body before it finds no route: an unknown path or method is 404/405,
    // whatever its body (a `QUERY` without a content type would otherwise be a 400).
    if (request.is404 && !(error instanceof HttpProblem) && !isKafkaError(error)) {
      return unrouted(request, reply);
    }
    const problem =
      error instanceof HttpProblem
        ? error
        : isKafkaError(error)
          ? kafkaProblem(error)
          : problemFromFastify(error);
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler(unrouted);

  const queryHandlers = new Map<QueryRouteSpec, QueryHandler>();
  const queryHandler = (route: QueryRouteSpec): QueryHandler => {
    let handler = queryHandlers.get(route);
    if (handler === undefined) {
      const view = views.get(route.topic.address);
      if (view === undefined) {
        throw new Error(`query ${route.operationId}: ${route.topic.address} is not in the spec`);
      }
      handler = createQueryHandler(route, {
        view,
        maxWaitMs: ctx.maxWaitMs,
        predicate: visibility(route.owner, options.visibility),
      });
      queryHandlers.set(route, handler);
    }
    return handler;
  };
  const streamHandlers = new Map<QueryRouteSpec | StreamRouteSpec, StreamHandler>();
  const streamHandler = (from: QueryRouteSpec | StreamRouteSpec): StreamHandler => {
    let handler = streamHandlers.get(from);
    if (handler === undefined && from.kind === 'stream' && !from.compacted) {
      // An event topic: live records only, one reader per stream.
      handler = createLiveStreamHandler(from, {
        kafka,
        signal: closing.signal,
        predicate: visibility(from.owner, options.visibility),
        ...options.streams,
        ...metrics.streamHooks(from.operationId, options.streams),
      });
      streamHandlers.set(from, handler);
    }
    if (handler === undefined) {
      const route = from.kind === 'stream' ? from : streamOfQuery(from);
      const view = route === undefined ? undefined : views.get(route.topic);
      if (route === undefined || view === undefined) {
        throw new Error(`stream ${from.operationId}: no view of its topic`);
      }
      handler = createStreamHandler(route, {
        view,
        tombstones: tombstones.get(route.topic),
        signal: closing.signal,
        predicate: visibility(route.owner, options.visibility),
        ...options.streams,
        ...metrics.streamHooks(route.operationId, options.streams),
      });
      streamHandlers.set(from, handler);
    }
    return handler;
  };
  const historyHandlers = new Map<HistoryRouteSpec, HistoryHandler>();
  const historyHandler = (route: HistoryRouteSpec): HistoryHandler => {
    let handler = historyHandlers.get(route);
    if (handler === undefined) {
      handler = createHistoryHandler(route, {
        kafka,
        predicate: visibility(route.owner, options.visibility),
      });
      historyHandlers.set(route, handler);
    }
    return handler;
  };
  const runtime: GatewayRuntime = {
    command: (route, request, reply) => runCommand(ctx, route, request, reply),
    query: async (route, request, reply) => {
      if (route.stream !== undefined && prefersEventStream(request.headers.accept)) {
        metrics.streamRequested(request);
        await streamHandler(route)(request, reply);
        return;
      }
      await queryHandler(route)(request, reply);
    },
    stream: async (route, request, reply) => {
      metrics.streamRequested(request);
      await streamHandler(route)(request, reply);
    },
    history: async (route, request, reply) => {
      await historyHandler(route)(request, reply);
    },
    guard: (route) => {
      const { auth } = route;
      if (auth === undefined || authenticate === undefined) return async () => undefined;
      // Streams take the token as `?access_token=` too: EventSource cannot send headers.
      const streams =
        route.kind === 'stream'
          ? () => true
          : route.kind === 'query' && route.stream !== undefined
            ? (request: FastifyRequest) => prefersEventStream(request.headers.accept)
            : () => false;
      return async (request, reply) => {
        if (!(await authenticate(request, reply, auth, streams(request)))) return reply;
      };
    },
  };
  // Handlers are made now, so a route the runtime cannot serve fails start-up, not a request.
  for (const route of options.spec.routes) {
    if (route.kind === 'query') queryHandler(route);
    if (route.kind === 'history') historyHandler(route);
    if (route.kind === 'stream' || (route.kind === 'query' && route.stream !== undefined)) {
      streamHandler(route);
    }
  }
  // Async answers live at `<path>;cid=<id>`; commands sharing a path share that route.
  const asyncPaths = new Map<string, CommandRouteSpec[]>();
  for (const route of commands) {
    if (route.reply === undefined || !route.accepts202) continue;
    asyncPaths.set(route.path, [...(asyncPaths.get(route.path) ?? []), route]);
  }
  if (asyncPaths.size > 0) addAsyncReplyConstraint(app);
  for (const [path, routes] of asyncPaths) {
    // Secured like its commands: any caller they let in (the correlation id is unguessable).
    const secured = routes.find((route) => route.auth !== undefined && !route.auth.optional);
    app.get<{ Params: { cid: string } }>(asyncReplyPath(path), {
      constraints: asyncReplyConstraints,
      ...(secured === undefined
        ? {}
        : { onRequest: runtime.guard({ ...secured, auth: { scopes: [[]], optional: false } }) }),
      handler: (request, reply) => collectReply(ctx, routes, request.params.cid, request, reply),
    });
  }
  // A request still in flight at close is answered, then its connection closes: kept alive, it
  // would hold the close until the grace period ends.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing.signal.aborted) reply.header('connection', 'close');
    return payload;
  });
  const silent = silentConnections(app);
  let ready = false;
  metrics.track({ views, admin: client.admin, replyTopics: replies.keys(), ready: () => ready });
  const operations = registerOperations(app, options.operations ?? {}, {
    readiness: () =>
      !ready
        ? { ready: false, reason: 'starting' }
        : metrics.kafka.reachable()
          ? { ready: true }
          : { ready: false, reason: 'kafka-unreachable' },
    metrics: () => metrics.text(),
    metricsContentType: metrics.contentType,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (ready || operations.paths.has(request.url.split('?')[0] ?? '')) return;
    return sendProblem(
      reply,
      new HttpProblem('KAFKA_UNAVAILABLE', 'the gateway is starting: its views are loading', {
        retryAfter: 1,
      }),
    );
  });
  options.routes(app, runtime);

  const started = Promise.all([
    // Refused credentials or TLS fail the start; an outage only delays it.
    checkKafkaAccess(kafkaConfig, closing.signal),
    idempotency.start(),
    ...[...replies.values()].map((router) => router.start()),
    ...[...views.values()].map((view) => view.ready),
  ]).then(() => {
    ready = !closing.signal.aborted;
  });
  started.catch(() => undefined);

  return {
    app,
    ready: started,
    async listen(listenOptions = {}) {
      const host = listenOptions.host ?? '127.0.0.1';
      const url = await app.listen({ host, port: listenOptions.port ?? 0 });
      await operations.listen(host);
      return url;
    },
    stats: () => ({ producer: producer.stats() }),
    metrics: metrics.registry,
    operationsUrl: () => operations.url(),
    async close() {
      ready = false;
      closing.abort();
      // A connection that never sent a request would hold the close until it times out.
      for (const socket of silent) socket.destroy();
      // Requests still in flight get a grace period, then their connections are closed.
      const grace = setTimeout(
        () => app.server.closeAllConnections(),
        options.shutdownGraceMs ?? 10_000,
      );
      await Promise.all([app.close(), operations.close()]);
      clearTimeout(grace);
      await Promise.all([
        idempotency.stop(),
        ...[...replies.values()].map((router) => router.stop()),
        ...[...views.values()].map((view) => view.stop()),
      ]);
      for (const log of tombstones.values()) log.stop();
      await kafka.close();
    },
  };
}

/** The generated `server.ts` entry: configuration from the environment, stops on SIGTERM. */
export async function startGateway(options: GatewayOptions): Promise<void> {
  // A served gateway sheds load past a 1 s event-loop delay unless its config says otherwise.
  const http = {
    ...options.http,
    overload: options.http?.overload ?? { maxEventLoopDelayMs: 1000 },
  };
  let gateway: StartingGateway;
  let address: string;
  try {
    const env = serverEnv(process.env, options.brokers);
    const operations =
      env.operationsPort === undefined
        ? options.operations
        : { ...options.operations, port: env.operationsPort };
    gateway = openGateway({
      ...options,
      brokers: env.brokers,
      http,
      logger: true,
      ...(operations === undefined ? {} : { operations }),
    });
    address = await gateway.listen({ host: env.host, port: env.port }).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigurationError([`cannot listen on ${env.host}:${env.port}: ${reason}`]);
    });
  } catch (error) {
    // Bad configuration is a message naming what is wrong, not a stack trace (design §11).
    const problems =
      error instanceof ConfigurationError
        ? error.problems
        : [error instanceof Error ? error.message : String(error)];
    console.error(`specgate gateway: cannot start:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(2);
  }
  gateway.app.log.info(
    `specgate gateway for ${options.spec.title} listening on ${address}; ready once its views have loaded`,
  );
  const operationsUrl = gateway.operationsUrl();
  if (operationsUrl !== undefined) {
    gateway.app.log.info(`specgate gateway: /metrics, /livez and /readyz on ${operationsUrl}`);
  }
  gateway.ready.then(
    () => gateway.app.log.info('specgate gateway ready'),
    (error: unknown) => {
      gateway.app.log.error({ err: error }, 'specgate gateway failed to start');
      void gateway.close().finally(() => process.exit(1));
    },
  );
  const stop = (signal: NodeJS.Signals): void => {
    gateway.app.log.info(
      `specgate gateway stopping (${signal}): no new requests; streams end with a retry hint; requests in flight finish`,
    );
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * The token check of a gateway whose spec secures routes; a secured spec without keys to
 * check tokens with does not start (it would have to refuse every caller, or let them all in).
 */
function authenticator(options: GatewayOptions): Authenticate | undefined {
  const secured = options.spec.routes.filter((route) => route.auth !== undefined);
  if (options.auth === undefined) {
    if (secured.length === 0) return undefined;
    const names = secured.map((route) => route.operationId);
    throw new Error(
      `${names.length} operation(s) require a bearer token (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}) but no token keys are configured: set \`auth\` in specgate.yaml or the SPECGATE_AUTH_* environment variables`,
    );
  }
  return createAuthenticator({ realm: options.spec.title, ...options.auth });
}

/**
 * A read route's record visibility: an owned route shows a caller only the records whose owner
 * header is the caller's identity (nothing to an anonymous caller); then the gateway's own hook.
 */
function visibility(
  owner: string | undefined,
  custom: RecordVisibility | undefined,
): RecordVisibility | undefined {
  if (owner === undefined) return custom;
  return (request) => {
    const identity = callerOf(request)?.identity;
    const more = custom?.(request);
    return (record) =>
      identity !== undefined &&
      record.headers[owner] === identity &&
      (more === undefined || more(record));
  };
}

/** The connections that have not sent a request (yet), kept up to date. */
function silentConnections(app: FastifyInstance): ReadonlySet<Socket> {
  const silent = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    silent.add(socket);
    socket.once('close', () => silent.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage) => silent.delete(request.socket));
  return silent;
}

/**
 * The route of async answers, `/tasks/{id}` → `/tasks/:id(^[^;/]+);cid=:cid`. Without the
 * pattern, find-my-way reads `id;cid=:cid` as one parameter name: the route would then answer
 * (and clash with) a plain `GET /tasks/:id`, and never see the correlation id.
 */
export function asyncReplyPath(path: string): string {
  return `${path.replace(/\{([^{}]+)\}/g, ':$1(^[^;/]+)')};cid=:cid`;
}

function brokersFromEnv(): string[] {
  const value = process.env.KAFKA_BROKERS?.trim();
  if (value === undefined || value === '') {
    throw new Error(
      'KAFKA_BROKERS is not set: give the bootstrap servers, e.g. KAFKA_BROKERS=127.0.0.1:9092',
    );
  }
  return value.split(',').map((broker) => broker.trim());
}

function replyRouters(
  kafka: KafkaClient,
  routes: readonly CommandRouteSpec[],
): Map<string, ReplyRouter> {
  const routers = new Map<string, ReplyRouter>();
  for (const route of routes) {
    if (route.reply !== undefined && !routers.has(route.reply.topic)) {
      routers.set(
        route.reply.topic,
        new ReplyRouter(kafka, route.reply.topic, route.reply.correlationHeader),
      );
    }
  }
  return routers;
}

/**
 * One view per distinct topic that is queried or streamed, shared by its routes. A topic address
 * with `{param}` placeholders names no one topic to read at start-up, so it is refused.
 */
function materializedViews(
  kafka: KafkaClient,
  queries: readonly QueryRouteSpec[],
  streams: readonly StreamRouteSpec[],
): Map<string, MaterializedView> {
  for (const { operationId, topic } of queries) {
    if (Object.keys(topic.params).length > 0 || /\{[^{}]+\}/.test(topic.address)) {
      throw new Error(
        `query ${operationId}: topic ${topic.address} has parameters; a view needs one topic`,
      );
    }
  }
  const topics = [
    ...queries.map((route) => route.topic.address),
    ...streams.filter((route) => route.compacted).map((route) => route.topic),
  ];
  const views = new Map<string, MaterializedView>();
  for (const topic of topics) {
    if (!views.has(topic)) views.set(topic, new MaterializedView(kafka, { topic }));
  }
  return views;
}

/** The stream a query serves for `Accept: text/event-stream`: its list, live. */
function streamOfQuery(route: QueryRouteSpec): StreamRouteSpec | undefined {
  if (route.stream === undefined) return undefined;
  return {
    kind: 'stream',
    operationId: route.operationId,
    method: 'GET',
    path: route.path,
    topic: route.topic.address,
    compacted: route.topic.compacted,
    messages: route.stream,
    filters: route.filters,
    schemas: route.schemas,
    ...(route.auth === undefined ? {} : { auth: route.auth }),
    ...(route.owner === undefined ? {} : { owner: route.owner }),
  };
}

/** For 405: the methods some route allows on a path (Fastify answers HEAD for each GET). */
function allowedMethods(routes: readonly RouteSpec[]): (path: string) => string[] {
  const patterns = routes.flatMap((route) =>
    (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]).map((method) => ({
      method,
      pattern: new RegExp(
        `^${route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^{}]+\\?\}/g, '[^/]+')}/?$`,
      ),
    })),
  );
  return (path) =>
    [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))].sort();
}
