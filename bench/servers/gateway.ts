// The gateway under test: the code `specgate generate` wrote from bench/specs into GEN_DIR,
// on KAFKA_BROKERS. Reports `{ type: 'ready', url }` over IPC once its views and reply readers
// are ready, and its producer's counters when asked for `stats`.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { openGateway, type GatewaySpec, type RegisterRoutes } from 'specgate/runtime';

const dir = process.env.GEN_DIR ?? '';
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
const { spec } = (await import(pathToFileURL(join(dir, 'gateway/spec.ts')).href)) as {
  spec: GatewaySpec;
};
const { routes } = (await import(pathToFileURL(join(dir, 'gateway/routes.ts')).href)) as {
  routes: RegisterRoutes;
};
const gateway = openGateway({
  spec,
  routes,
  brokers,
  replyTimeoutMs: 10_000,
  produceTimeoutMs: 10_000,
});
const url = await gateway.listen({ host: '127.0.0.1', port: 0 });
await gateway.ready;
process.send?.({ type: 'ready', url });
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', ...gateway.stats() });
});
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
