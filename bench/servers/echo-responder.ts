// The echo responder of B2: reads bench-requests (no consumer group, from the end) and answers
// each request on the topic its `zilla:reply-to` header names, with its `zilla:correlation-id`
// and its value, through the runtime's batching producer. Reports `{ type: 'ready' }` over IPC.
import { createKafkaClient } from '../../runtime/kafka/index.ts';

const kafka = createKafkaClient({
  brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
  clientId: 'bench-echo-responder',
  logLevel: 'nothing',
});
const producer = kafka.producer({ lingerMs: 0 });
const reader = kafka.reader(process.env.TOPIC ?? 'bench-requests', {
  from: 'latest',
  maxWaitMs: 100,
  onRecords: (records) => {
    for (const record of records) {
      const replyTo = record.headers['zilla:reply-to'];
      const correlationId = record.headers['zilla:correlation-id'];
      if (replyTo === undefined || correlationId === undefined) continue;
      void producer
        .send({
          topic: replyTo,
          key: record.key,
          value: record.value,
          headers: { 'zilla:correlation-id': correlationId, ':status': '200' },
        })
        .catch(() => undefined);
    }
  },
});
await reader.caughtUp;
process.send?.({ type: 'ready', url: 'kafka' });
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats' });
});
process.once('SIGTERM', () => {
  void kafka.close().then(() => process.exit(0));
});
