// B6 start-up: the gateway `specgate generate` wrote into GEN_DIR (the GitHub REST API), built
// and listening. Reports `{ type: 'ready', url }` as soon as it listens (its views go on loading
// in the background, as behind a load balancer: /readyz says when they are done).
import { openGateway } from 'specgate/runtime';
import { importGeneratedGateway } from '../lib/generated-gateway.ts';

const { spec, routes } = await importGeneratedGateway(process.env.GEN_DIR ?? '');
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
