// The idempotency store when the broker goes away between taking a claim and serving it back
// (design §11): the request answers 503 quickly instead of waiting for the broker, and a retry
// on this instance runs under the claim once it is read, rather than getting 409 until it
// expires. A fake Kafka: writes are acknowledged, reads arrive only when the test delivers them.
import { expect, it } from 'vitest';
import type {
  KafkaClient,
  KafkaProducer,
  KafkaRecord,
  OutgoingRecord,
  ReaderOptions,
  RecordPosition,
  TopicReader,
} from '../kafka/types.ts';
import { IdempotencyStore } from './idempotency.ts';

function fakeKafka(): {
  client: KafkaClient;
  producer: KafkaProducer;
  /** Delivers every record written so far to the store's reader. */
  readBack(): Promise<void>;
} {
  const written: KafkaRecord[] = [];
  let onRecords: ReaderOptions['onRecords'] = () => undefined;
  const reader: TopicReader = {
    topic: 'idempotency',
    caughtUp: Promise.resolve(),
    done: new Promise<void>(() => undefined),
    state: () => 'connected',
    positions: () => ({}),
    highWatermarks: () => ({}),
    stop: () => Promise.resolve(),
  };
  const producer = {
    send(record: OutgoingRecord): Promise<RecordPosition> {
      const offset = String(written.length);
      const value = record.value === null ? null : Buffer.from(record.value);
      const key = record.key === null ? null : Buffer.from(record.key);
      written.push({
        topic: record.topic,
        partition: 0,
        offset,
        key,
        value,
        headers: {},
        headerEntries: [],
        timestamp: Date.now(),
      });
      return Promise.resolve({ topic: record.topic, partition: 0, offset });
    },
  } as KafkaProducer;
  const client = {
    admin: { ensureTopics: () => Promise.resolve([]) },
    reader(_topic: string, options: ReaderOptions): TopicReader {
      onRecords = options.onRecords;
      return reader;
    },
  } as unknown as KafkaClient;
  let delivered = 0;
  return {
    client,
    producer,
    async readBack() {
      const records = written.slice(delivered);
      delivered = written.length;
      await onRecords(records);
    },
  };
}

it('answers 503 when its claim is not read back in time, and a retry here runs under it', async () => {
  const kafka = fakeKafka();
  const store = new IdempotencyStore(kafka.client, kafka.producer, {
    topic: 'idempotency',
    applyTimeoutMs: 100,
  });
  await store.start();

  // The broker took the claim and went away before the store read it back.
  const started = Date.now();
  await expect(store.begin('op:key', 'hash', 5000)).rejects.toMatchObject({
    code: 'KAFKA_UNAVAILABLE',
    status: 503,
  });
  expect(Date.now() - started).toBeLessThan(5000);

  // It is back: the claim is read, and is the first for the key. The retry runs under it
  // (at once: 409 would mean waiting for the claim to expire).
  await kafka.readBack();
  const retry = await store.begin('op:key', 'hash', 0);
  expect(retry).toMatchObject({ kind: 'run', claim: { key: 'op:key', hash: 'hash' } });

  // Another request with the key now waits for that run, as for any live claim.
  expect(await store.begin('op:key', 'hash', 0)).toEqual({ kind: 'in-flight' });
});
