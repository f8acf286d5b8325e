/**
 * The todo app in one process: creates the topics specs/todo/asyncapi.yaml declares, starts the
 * task service (service.ts) and the generated gateway, and serves the web page (web/) from the
 * gateway's own origin. `npm run demo` (main.ts) runs it against a broker of its own; the
 * browser test runs it against the test's broker.
 */
import { fileURLToPath } from 'node:url';
import { configFromPaths } from '../../generator/config.ts';
import { declaredTopics } from '../../generator/topics.ts';
import { validateSpecs } from '../../generator/validate.ts';
import { createKafkaClient } from '../../runtime/kafka/index.ts';
import { openGateway, type StartingGateway } from 'specgate/runtime';
import type { Service } from 'specgate/service';
import { routes } from './generated/gateway/routes.ts';
import { spec } from './generated/gateway/spec.ts';
import { startTodoService } from './service.ts';
import { bundleWebApp, registerWebApp } from './web/serve.ts';

export const specPaths = {
  openapi: fileURLToPath(new URL('../../specs/todo/openapi.yaml', import.meta.url)),
  asyncapi: fileURLToPath(new URL('../../specs/todo/asyncapi.yaml', import.meta.url)),
};

export interface DemoOptions {
  readonly brokers: readonly string[];
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** The gateway's request log on stdout. Default off. */
  readonly logger?: boolean;
}

export interface Demo {
  /** The page, `http://127.0.0.1:PORT/`. */
  readonly url: string;
  readonly gateway: StartingGateway;
  readonly service: Service;
  /** Stops the gateway (its streams end), then the service. */
  close(): Promise<void>;
}

/** Starts everything; resolves once the service consumes and the gateway's views are loaded. */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  await createTopics(options.brokers);
  const web = await bundleWebApp();
  const service = startTodoService({ brokers: options.brokers });
  const gateway = openGateway({
    spec,
    brokers: options.brokers,
    logger: options.logger ?? false,
    routes: (app, runtime) => {
      routes(app, runtime);
      registerWebApp(app, web);
    },
  });
  try {
    const address = await gateway.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
    });
    await Promise.all([service.ready, gateway.ready]);
    return {
      url: `${address}/`,
      gateway,
      service,
      async close() {
        await gateway.close();
        await service.close();
      },
    };
  } catch (error) {
    await gateway.close().catch(() => undefined);
    await service.close().catch(() => undefined);
    throw error;
  }
}

/** Creates the spec's topics that do not exist yet (partitions and configs as declared). */
async function createTopics(brokers: readonly string[]): Promise<void> {
  const validated = await validateSpecs(configFromPaths(specPaths.openapi, specPaths.asyncapi));
  if (validated.api === undefined || validated.hasErrors) {
    throw new Error('specs/todo does not validate; run `npx specgate validate` on it');
  }
  const kafka = createKafkaClient({ brokers, clientId: 'todo-demo-admin', logLevel: 'nothing' });
  try {
    await kafka.admin.ensureTopics(declaredTopics(validated.api));
  } finally {
    await kafka.close();
  }
}
