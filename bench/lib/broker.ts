/**
 * The broker a benchmark runs against: `KAFKA_BROKERS` when set, else one started with the
 * project's own script and benchmark JVM settings (1 GiB heap, G1), stopped afterwards.
 */
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { createKafkaClient } from '../../runtime/kafka/index.ts';
import type { TopicSpec } from '../../runtime/kafka/types.ts';

export interface BenchBroker {
  readonly brokers: string[];
  /** How it was got, for the report. */
  readonly description: string;
  stop(): Promise<void>;
}

export async function benchBroker(): Promise<BenchBroker> {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external !== undefined && external !== '') {
    return {
      brokers: external.split(',').map((b) => b.trim()),
      description: `KAFKA_BROKERS=${external}`,
      stop: async () => undefined,
    };
  }
  const broker: Broker = await startBroker({ jvm: 'bench' });
  return {
    brokers: [broker.brokers],
    description: `local Kafka broker (scripts/kafka, bench JVM: 1 GiB heap, G1), ready in ${broker.readyMs} ms`,
    stop: () => broker.stop(),
  };
}

/** Creates the topics (missing ones only). */
export async function ensureTopics(
  brokers: readonly string[],
  topics: readonly TopicSpec[],
): Promise<void> {
  const kafka = createKafkaClient({ brokers, clientId: 'bench-admin', logLevel: 'nothing' });
  try {
    await kafka.admin.ensureTopics(topics);
  } finally {
    await kafka.close();
  }
}
