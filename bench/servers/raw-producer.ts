// Baseline (b) of B1: a raw kafkajs producer loop (idempotent, acks=all) writing the same
// records, `concurrency` sends in flight, no HTTP. Asked `{ type: 'run', seconds, concurrency }`
// over IPC, it answers `{ type: 'result', records, seconds }`.
import { Kafka, logLevel } from 'kafkajs';

const topic = process.env.TOPIC ?? 'bench-events';
const value = process.env.PAYLOAD ?? '{}';
const kafka = new Kafka({
  clientId: 'bench-raw-producer',
  brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
await producer.connect();
process.send?.({ type: 'ready', url: 'kafka' });

process.on('message', (message: { type?: string; seconds?: number; concurrency?: number }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats' });
  if (message.type !== 'run') return;
  void (async () => {
    const started = performance.now();
    const deadline = started + (message.seconds ?? 5) * 1000;
    let records = 0;
    await Promise.all(
      Array.from({ length: message.concurrency ?? 64 }, async () => {
        while (performance.now() < deadline) {
          await producer.send({ topic, acks: -1, messages: [{ value }] });
          records++;
        }
      }),
    );
    process.send?.({ type: 'result', records, seconds: (performance.now() - started) / 1000 });
  })();
});
process.once('SIGTERM', () => {
  void producer.disconnect().then(() => process.exit(0));
});
