/**
 * The task service as a process of its own: `tsx examples/todo/service-main.ts`. Reads
 * `KAFKA_BROKERS`, and `SERVICE_INSTANCE` (default `0`): distinct per instance running at the
 * same time, the same across one instance's restarts (its transactional id, design.md §8).
 * For TLS and SASL, `KAFKA_SSL`, `KAFKA_SSL_CA_FILE`, `KAFKA_SASL_MECHANISM`,
 * `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD` (runtime/kafka/security.ts).
 * Prints `ready` once it consumes; SIGTERM or SIGINT stops it cleanly.
 */
import { startTodoService } from './service.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((broker) => broker.trim())
  .filter((broker) => broker !== '');
if (brokers.length === 0) {
  console.error('set KAFKA_BROKERS, e.g. KAFKA_BROKERS=127.0.0.1:9092');
  process.exit(2);
}

const service = startTodoService({
  brokers,
  instanceId: process.env.SERVICE_INSTANCE ?? '0',
  sessionTimeoutMs: Number(process.env.SERVICE_SESSION_TIMEOUT_MS ?? '30000'),
});
const stop = (): void => {
  service.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
await service.ready;
console.log('ready');
