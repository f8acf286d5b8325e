// What Kafka tests use to reach the broker that test/kafka/global-setup.ts started.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type LogEntry, type logCreator } from 'kafkajs';
import { inject } from 'vitest';

/**
 * Bootstrap servers of this run's broker. Throws, with what is missing and how to fix it, when
 * there is none: a Kafka test must fail, never skip, without Kafka.
 */
export function kafkaBrokers(): string[] {
  const brokers = (inject('kafkaBrokers') ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length > 0) return brokers;
  throw new Error(
    inject('kafkaError') ??
      'No Kafka broker: test/kafka/global-setup.ts did not run; it must be listed in ' +
        'vitest.config.ts `globalSetup`.',
  );
}

/**
 * A kafkajs client for tests: WARN-level logs, and retries bounded to a few seconds so a test
 * against a broken broker fails instead of hanging (kafkajs' default retries last ~30 s).
 */
export function kafkaClient(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: kafkaBrokers(),
    logLevel: logLevel.WARN,
    logCreator: quietLogCreator,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
  });
}

export interface TopicOptions {
  /** Default 1. */
  readonly partitions?: number;
  /** Sets `cleanup.policy=compact`. */
  readonly compacted?: boolean;
  /** Further topic configs, e.g. `{ 'segment.ms': '100' }`; they override `compacted`. */
  readonly config?: Readonly<Record<string, string>>;
}

/** Creates a topic with one replica and waits for its leaders; throws if it already exists. */
export async function createTopic(
  admin: Admin,
  name: string,
  options: TopicOptions = {},
): Promise<void> {
  const config: Record<string, string> = {
    ...(options.compacted === true ? { 'cleanup.policy': 'compact' } : {}),
    ...options.config,
  };
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: name,
        numPartitions: options.partitions ?? 1,
        replicationFactor: 1,
        configEntries: Object.entries(config).map(([key, value]) => ({ name: key, value })),
      },
    ],
  });
  if (!created) throw new Error(`createTopic: topic "${name}" already exists`);
}

/** A topic name no other test (or earlier run against the same broker) uses. */
export function uniqueTopic(prefix: string): string {
  return uniqueId(prefix);
}

/** Like uniqueTopic, for group ids and transactional ids. */
export function uniqueId(prefix: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(prefix)) {
    throw new Error(`uniqueId: "${prefix}" is not a legal Kafka name prefix ([A-Za-z0-9._-])`);
  }
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Drops what every test would otherwise print, unless KAFKAJS_LOG_LEVEL is set (to debug):
 * the v2 partitioner notice; the warning that an idempotent producer has bounded retries (tests
 * bound them on purpose, above); and per-attempt error reports that kafkajs logs before it
 * retries (e.g. "The coordinator is loading", CONCURRENT_TRANSACTIONS right after a commit).
 * An error that survives the retries is still thrown to the test, and consumer crashes still log.
 */
const NOISE: readonly ((entry: LogEntry) => boolean)[] = [
  ({ log }) => log.message.includes('KafkaJS v2.0.0 switched default partitioner'),
  ({ log }) => log.message.includes('Limiting retries for the idempotent producer'),
  ({ namespace, log }) => namespace === 'Connection' && log.message.startsWith('Response '),
  ({ log }) => 'retryCount' in log,
];

const quietLogCreator: logCreator = () => (entry) => {
  const debugging = (process.env.KAFKAJS_LOG_LEVEL ?? '') !== '';
  if (!debugging && NOISE.some((isNoise) => isNoise(entry))) return;
  const { namespace, label, log } = entry;
  const extra = Object.fromEntries(
    Object.entries(log).filter(([key]) => !['message', 'timestamp', 'logger'].includes(key)),
  );
  const details = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
  console.warn(`kafkajs ${label} [${namespace}] ${log.message}${details}`);
};
