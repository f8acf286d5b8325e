// B6 start-up: the gateway `specgate generate` wrote into GEN_DIR (the GitHub REST API), built
// and listening. Reports `{ type: 'ready', url }` as soon as it listens (its views go on loading
// in the background, as behind a load balancer: /readyz says when they are done).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openGateway, type GatewaySpec, type RegisterRoutes } from 'specgate/runtime';

const dir = process.env.GEN_DIR ?? '';
const { spec } = (await import(pathToFileURL(join(dir, 'gateway/spec.ts')).href)) as {
  spec: GatewaySpec;
};
const { routes } = (await import(pathToFileURL(join(dir, 'gateway/routes.ts')).href)) as {
  routes: RegisterRoutes;
};
const gateway = openGateway({
  spec,
  routes,
  brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
});
const url = await gateway.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', url, routes: spec.routes.length });
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
