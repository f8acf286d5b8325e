// vitest globalSetup: one Kafka broker for the whole run (or the one in KAFKA_BROKERS), handed to
// test files through provide/inject. Never throws: non-Kafka tests must run without Kafka, and
// Kafka tests fail loudly through kafkaBrokers() (test/kafka/brokers.ts) with the reason.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers, comma separated; null when there is no broker. */
    kafkaBrokers: string | null;
    /** Why there is no broker (what is missing, how to fix it); null when there is one. */
    kafkaError: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external !== undefined && external !== '') {
    project.provide('kafkaBrokers', external);
    project.provide('kafkaError', null);
    console.log(`kafka: using KAFKA_BROKERS=${external}`);
    return async () => undefined;
  }

  let broker: Broker;
  try {
    broker = await startBroker();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    project.provide('kafkaBrokers', null);
    project.provide('kafkaError', `No Kafka broker for this test run. ${reason}`);
    console.error(`kafka: no broker, Kafka tests will fail: ${reason}`);
    return async () => undefined;
  }

  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaError', null);
  console.log(`kafka: broker ready at ${broker.brokers} in ${broker.readyMs} ms`);

  let stopping = false;
  void broker.exited.then(async (how) => {
    if (stopping) return;
    // The folder stays until stop(), so the log explains the crash the failing tests will show.
    const log = await readFile(join(broker.dir, 'broker.log'), 'utf8').catch(() => '');
    console.error(
      `kafka: the broker exited during the run (${how}). Last lines of its log:\n` +
        log.trimEnd().split('\n').slice(-40).join('\n'),
    );
  });

  return async () => {
    stopping = true;
    await broker.stop();
  };
}
