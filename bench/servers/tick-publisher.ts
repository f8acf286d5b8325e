// The publisher of B5: writes tick n (256-byte JSON carrying its send time) to TOPIC
// (bench-ticks, 6 partitions) at 10/s with the runtime's producer (acks=all), keyed by tick id
// so the ticks go round the partitions. The gateway streams them. Reports
// `{ type: 'ready', url: 'kafka' }` over IPC once a first record is acknowledged; asked
// `{ type: 'sent', from, to }`, answers `{ type: 'sent', count, failed }`: the ticks sent in
// [from, to) (epoch ms) whose send did not fail, and those whose send failed (timed out: they
// may still have been written, and are then delivered as well).
import { createKafkaClient } from '../../runtime/kafka/index.ts';
import { epochMs, everyTick, SendLog, tickPayload } from '../lib/ticks.ts';

const topic = process.env.TOPIC ?? 'bench-ticks';
const kafka = createKafkaClient({
  brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
  clientId: 'bench-tick-publisher',
  logLevel: 'nothing',
});
const producer = kafka.producer({ lingerMs: 0 });
// Connected, producer id and metadata in hand before the first timed tick. The streams start
// at the end of the topic, so this record is never delivered.
await producer.send({ topic, key: 'warm-up', value: tickPayload(0, epochMs()) });

const log = new SendLog();
let failed = 0;
const stop = everyTick((n) => {
  const sentAt = epochMs();
  log.add(sentAt);
  producer.send({ topic, key: `tick-${n}`, value: tickPayload(n, sentAt) }).catch(() => failed++);
});

process.send?.({ type: 'ready', url: 'kafka' });
process.on('message', (message: { type?: string; from?: number; to?: number }) => {
  if (message.type === 'sent') {
    process.send?.({ type: 'sent', ...log.count(message.from ?? 0, message.to ?? 0) });
  }
});
process.once('SIGTERM', () => {
  stop();
  void kafka.close().then(() => process.exit(0));
});
