/**
 * `npm run demo`: the whole todo app with one command. Generates the code from specs/todo
 * (examples/todo/generated), starts a Kafka broker with the project's own script (or uses
 * `KAFKA_BROKERS`), creates the topics, starts the task service and the gateway, serves the page
 * and prints its URL. Ctrl-C stops everything it started. `PORT` (default 8080) and `HOST`
 * (default 127.0.0.1) say where the page is served.
 */
import { fileURLToPath } from 'node:url';
import { main as specgate } from '../../generator/cli.ts';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';

const config = fileURLToPath(new URL('specgate.yaml', import.meta.url));

async function run(): Promise<number> {
  console.log('todo demo: generating the gateway, client and service from specs/todo …');
  const generated = await specgate(['generate', '--config', config]);
  if (generated !== 0) return generated;

  let broker: Broker | undefined;
  const external = process.env.KAFKA_BROKERS?.trim();
  let brokers: string[];
  if (external !== undefined && external !== '') {
    brokers = external.split(',').map((broker) => broker.trim());
    console.log(`todo demo: using KAFKA_BROKERS=${external}`);
  } else {
    console.log('todo demo: starting a Kafka broker (the first run downloads it, ~2 min) …');
    broker = await startBroker();
    brokers = [broker.brokers];
    console.log(`todo demo: Kafka broker at ${broker.brokers}, ready in ${broker.readyMs} ms`);
  }

  // Imported only now: it imports the code just generated.
  const { startDemo } = await import('./demo.ts');
  const port = Number(process.env.PORT ?? '8080');
  let demo;
  try {
    demo = await startDemo({ brokers, port, host: process.env.HOST ?? '127.0.0.1' });
  } catch (error) {
    await broker?.stop();
    throw error;
  }
  console.log(`\ntodo demo: open ${demo.url} (in two windows, to see changes arrive live)`);
  console.log('todo demo: Ctrl-C stops the gateway, the service and the broker\n');

  const signal = await new Promise<string>((resolve) => {
    // `on`, not `once`: tsx may pass a signal on twice, and the second must not kill us
    // halfway through stopping.
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(name, () => resolve(name));
    }
  });
  console.log(`\ntodo demo: ${signal}, stopping …`);
  await demo.close();
  await broker?.stop();
  console.log('todo demo: stopped');
  return 0;
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`todo demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
