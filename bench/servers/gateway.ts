// The gateway under test: the code `specgate generate` wrote from bench/specs into GEN_DIR,
// on KAFKA_BROKERS. Reports `{ type: 'ready', url }` over IPC once its views and reply readers
// are ready, and its producer's counters when asked for `stats`.
import { openGateway } from 'specgate/runtime';
import { importGeneratedGateway } from '../lib/generated-gateway.ts';

const { spec, routes } = await importGeneratedGateway(process.env.GEN_DIR ?? '');
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
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
