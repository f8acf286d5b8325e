// One start-up of B4, in a fresh process: MODE=view loads TOPIC into the gateway's
// MaterializedView; MODE=raw reads the same records with the same reader and keeps nothing.
// Reports `{ type: 'result', seconds, keys, maxRssBytes, idleRssBytes }` over IPC and exits.
import { MaterializedView } from '../../runtime/gateway/views/materialized-view.ts';
import { createKafkaClient } from '../../runtime/kafka/index.ts';

const topic = process.env.TOPIC ?? 'bench-view';
const kafka = createKafkaClient({
  brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
  clientId: `bench-view-load-${process.pid}`,
  logLevel: 'nothing',
});
// The process before it reads anything (Node, tsx and the runtime loaded): what the load adds
// is measured from here.
const idleRssBytes = process.memoryUsage.rss();
const started = performance.now();
let keys = 0;
if (process.env.MODE === 'view') {
  const view = new MaterializedView(kafka, { topic });
  await view.ready;
  keys = view.size;
} else {
  const seen = { records: 0 };
  const reader = kafka.reader(topic, {
    from: 'earliest',
    onRecords: (records) => {
      seen.records += records.length;
    },
  });
  await reader.caughtUp;
  keys = seen.records;
}
const seconds = (performance.now() - started) / 1000;
process.send?.({
  type: 'result',
  seconds,
  keys,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  idleRssBytes,
});
await kafka.close();
process.exit(0);
