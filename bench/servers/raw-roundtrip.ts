// Baseline of B2: the raw client round trip with no HTTP — produce a request (acks=all) with
// `zilla:reply-to` and a correlation id, the echo responder consumes it and produces the reply,
// consume the reply — using the same runtime producer and reader as the gateway. Asked
// `{ type: 'run', seconds, rate }` over IPC, it runs bench/lib/open-loop.ts at that rate and
// answers `{ type: 'result', p50Ms, p99Ms, sent, answered }`.
import { randomUUID } from 'node:crypto';
import { createKafkaClient } from '../../runtime/kafka/index.ts';
import { openLoop } from '../lib/open-loop.ts';

const requests = process.env.TOPIC ?? 'bench-requests';
const replies = process.env.REPLY_TOPIC ?? 'bench-replies';
const value = process.env.PAYLOAD ?? '{}';
const kafka = createKafkaClient({
  brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
  clientId: 'bench-raw-roundtrip',
  logLevel: 'nothing',
});
const producer = kafka.producer();
const waiting = new Map<string, () => void>();
const reader = kafka.reader(replies, {
  from: 'latest',
  onRecords: (records) => {
    for (const record of records) {
      const id = record.headers['zilla:correlation-id'];
      if (id !== undefined) waiting.get(id)?.();
    }
  },
});
await reader.caughtUp;
process.send?.({ type: 'ready', url: 'kafka' });

process.on('message', (message: { type?: string; seconds?: number; rate?: number }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats' });
  if (message.type !== 'run') return;
  void openLoop(message.rate ?? 1000, message.seconds ?? 5, () => {
    const id = randomUUID();
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(false);
      }, 10_000);
      waiting.set(id, () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(true);
      });
    });
    void producer
      .send({
        topic: requests,
        key: id,
        value,
        headers: { 'zilla:correlation-id': id, 'zilla:reply-to': replies },
      })
      .catch(() => undefined);
    return answered;
  }).then((result) => process.send?.({ type: 'result', ...result }));
});
process.once('SIGTERM', () => {
  void kafka.close().then(() => process.exit(0));
});
