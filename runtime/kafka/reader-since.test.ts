// The topic reader's `since` start against the test broker: each partition from its first record
// stamped at or after a time (ListOffsets by timestamp), from its end where none is that recent.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../test/kafka/brokers.ts';
import { createKafkaClient } from './index.ts';
import type { KafkaRecord } from './types.ts';

const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-reader-since' });

afterAll(async () => {
  await kafka.close();
});

async function produce(topic: string, values: readonly string[]): Promise<void> {
  const producer = kafka.producer();
  for (const [i, value] of values.entries()) {
    await producer.send({ topic, key: `k${i}`, value });
  }
  await producer.close();
}

async function readSince(topic: string, since: number): Promise<string[]> {
  const records: KafkaRecord[] = [];
  const reader = kafka.reader(topic, { since, onRecords: (batch) => void records.push(...batch) });
  await reader.caughtUp;
  await reader.stop();
  return records.map((record) => record.value?.toString() ?? '').sort();
}

it('starts at the first record of that time or later, and at the end where none is', async () => {
  const topic = uniqueTopic('reader-since');
  await kafka.admin.ensureTopics([{ topic, partitions: 3 }]);
  await produce(topic, ['old-0', 'old-1', 'old-2', 'old-3']);
  await sleep(50);
  const between = Date.now();
  await sleep(50);
  await produce(topic, ['new-0', 'new-1', 'new-2', 'new-3', 'new-4', 'new-5']);

  expect(await readSince(topic, between)).toEqual([
    'new-0',
    'new-1',
    'new-2',
    'new-3',
    'new-4',
    'new-5',
  ]);
  expect(await readSince(topic, 0)).toHaveLength(10);
  // Nothing that recent: every partition starts at its end, and a record written later comes.
  const records: KafkaRecord[] = [];
  const reader = kafka.reader(topic, {
    since: Date.now() + 60_000,
    onRecords: (batch) => void records.push(...batch),
  });
  await reader.caughtUp;
  expect(records).toEqual([]);
  await produce(topic, ['later']);
  for (const deadline = Date.now() + 10_000; records.length === 0 && Date.now() < deadline;) {
    await sleep(20);
  }
  await reader.stop();
  expect(records.map((record) => record.value?.toString())).toEqual(['later']);
});
