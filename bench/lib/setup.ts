/**
 * The common start of the gateway benchmarks: pin the load generator (this process) to core 1,
 * get a broker, generate the benchmark gateway from bench/specs and create its topics; then the
 * benchmark's body, and the broker is stopped whatever happens.
 */
import { benchBroker, ensureTopics, type BenchBroker } from './broker.ts';
import { canPin, pinSelf } from './child.ts';
import { generateBenchGateway } from './generate.ts';

export async function withBenchGateway(
  body: (broker: BenchBroker) => Promise<void>,
): Promise<void> {
  console.log(
    `load generator ${pinSelf(1)}; servers ${canPin ? 'pinned to core 0' : 'not pinned'}`,
  );
  const broker = await benchBroker();
  console.log(broker.description);
  try {
    const { topics } = await generateBenchGateway();
    await ensureTopics(broker.brokers, topics);
    await body(broker);
  } finally {
    await broker.stop();
  }
}
