// Helpers for the service tests against the real broker: topics, commands, and reading what
// the service committed (read_committed, as a gateway and a view read it).
import { createTopic, kafkaClient, uniqueId, uniqueTopic } from '../../test/kafka/brokers.ts';
import { readTopic, type TopicRecord } from '../../test/kafka/read-topic.ts';

export const correlationHeader = 'zilla:correlation-id';
export const replyToHeader = 'zilla:reply-to';

export interface TestTopics {
  readonly commands: string;
  readonly events: string;
  readonly snapshots: string;
  readonly replies: string;
  readonly groupId: string;
}

/** Fresh 3-partition topics (snapshots compacted) and a fresh group id. */
export async function createTestTopics(prefix: string): Promise<TestTopics> {
  const topics = {
    commands: uniqueTopic(`${prefix}-commands`),
    events: uniqueTopic(`${prefix}-events`),
    snapshots: uniqueTopic(`${prefix}-snapshots`),
    replies: uniqueTopic(`${prefix}-replies`),
    groupId: uniqueId(`${prefix}-group`),
  };
  const admin = kafkaClient('specgate-service-test-admin').admin();
  await admin.connect();
  try {
    for (const topic of [topics.commands, topics.events, topics.replies]) {
      await createTopic(admin, topic, { partitions: 3 });
    }
    await createTopic(admin, topics.snapshots, { partitions: 3, compacted: true });
  } finally {
    await admin.disconnect();
  }
  return topics;
}

export interface TestCommand {
  readonly key?: string;
  /** The raw value; objects are JSON-encoded, undefined writes an empty value. */
  readonly value?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Produces the commands in order (acks=all). */
export async function produceCommands(
  topic: string,
  commands: readonly TestCommand[],
): Promise<void> {
  const producer = kafkaClient('specgate-service-test-producer').producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: commands.map((command) => ({
        key: command.key ?? null,
        value:
          command.value === undefined
            ? ''
            : typeof command.value === 'string'
              ? command.value
              : JSON.stringify(command.value),
        headers: { ...command.headers },
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Polls `topic` (read_committed) until `done(records)`; fails after `timeoutMs`. */
export async function waitForRecords(
  topic: string,
  done: (records: readonly TopicRecord[]) => boolean,
  timeoutMs = 20_000,
): Promise<TopicRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await readTopic(topic);
    if (done(records)) return records;
    if (Date.now() > deadline) {
      throw new Error(
        `waitForRecords(${topic}): gave up after ${timeoutMs} ms with ${records.length}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A header's value as text (the first of a repeated one). */
export function header(record: TopicRecord, name: string): string | undefined {
  const value = record.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
}

export function text(record: TopicRecord): string | undefined {
  return record.value?.toString('utf8');
}

export function json(record: TopicRecord): unknown {
  const value = text(record);
  return value === undefined || value === '' ? undefined : JSON.parse(value);
}
