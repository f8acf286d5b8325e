/**
 * The operational endpoints (design.md §11): `/metrics` (Prometheus text), `/livez` (the
 * process answers) and `/readyz` (every view caught up and Kafka reachable). Their paths are
 * configurable, and with `port` they are served by a listener of their own — then not on the
 * gateway's port, so the API's callers cannot read the metrics.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { OperationsOptions } from './operations-options.ts';

export type { OperationsOptions } from './operations-options.ts';

/** Why a gateway is not ready: still loading its views, or a broker it reads from went away. */
export type Readiness =
  | { readonly ready: true }
  | { readonly ready: false; readonly reason: 'starting' | 'kafka-unreachable' };

/** What the endpoints answer from. */
export interface OperationsSource {
  readiness(): Readiness;
  /** The Prometheus exposition text. */
  metrics(): Promise<string>;
  readonly metricsContentType: string;
}

export interface Operations {
  /** The paths the gateway's own app serves (none when they have their own listener). */
  readonly paths: ReadonlySet<string>;
  /** Starts the own listener, if any. */
  listen(host: string): Promise<void>;
  /** The own listener's `http://host:port` once listening; undefined without one. */
  url(): string | undefined;
  close(): Promise<void>;
}

/** Registers the endpoints on `app`, or on a listener of their own when `options.port` is set. */
export function registerOperations(
  app: FastifyInstance,
  options: OperationsOptions,
  source: OperationsSource,
): Operations {
  const paths = {
    metrics: checkedPath(options.metricsPath ?? '/metrics', 'metricsPath'),
    liveness: checkedPath(options.livenessPath ?? '/livez', 'livenessPath'),
    readiness: checkedPath(options.readinessPath ?? '/readyz', 'readinessPath'),
  };
  if (new Set(Object.values(paths)).size < 3) {
    throw new Error(`operations: the metrics, liveness and readiness paths must differ`);
  }
  const own = options.port === undefined ? undefined : Fastify();
  const target = own ?? app;
  target.get(paths.liveness, () => ({ status: 'ok' }));
  target.get(paths.readiness, (_request, reply) => {
    const readiness = source.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  target.get(paths.metrics, async (_request, reply) => {
    const text = await source.metrics();
    return reply.type(source.metricsContentType).send(text);
  });
  let url: string | undefined;
  return {
    paths: new Set(own === undefined ? Object.values(paths) : []),
    async listen(host) {
      if (own === undefined || url !== undefined) return;
      url = await own.listen({ host, port: options.port ?? 0 });
    },
    url: () => url,
    async close() {
      await own?.close();
    },
  };
}

function checkedPath(path: string, name: string): string {
  if (!/^\/[^?#\s]*$/.test(path)) {
    throw new Error(`operations.${name}: "${path}" is not an absolute path`);
  }
  return path;
}
