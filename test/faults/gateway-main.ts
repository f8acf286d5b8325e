// The todo example's generated gateway as a process of its own, for fault tests that SIGKILL it
// or watch it live through a broker crash. Reads KAFKA_BROKERS, PORT, REPLY_TIMEOUT_MS and
// STREAM_RETRY_MS; prints `gateway ready` once its views have caught up (ready-child.ts).
import { routes } from '../../examples/todo/generated/gateway/routes.ts';
import { spec } from '../../examples/todo/generated/gateway/spec.ts';
import { openGateway } from '../../runtime/gateway/gateway.ts';

const gateway = openGateway({
  spec,
  routes,
  replyTimeoutMs: Number(process.env.REPLY_TIMEOUT_MS ?? '10000'),
  streams: { retryMs: Number(process.env.STREAM_RETRY_MS ?? '2000') },
});
await gateway.listen({ port: Number(process.env.PORT ?? '0') });
await gateway.ready;
console.log('gateway ready');
// A test process that dies without its afterAll (a crashed worker) leaves no gateway behind.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 500).unref();
process.once('SIGTERM', () => {
  void gateway.close().finally(() => process.exit(0));
});
