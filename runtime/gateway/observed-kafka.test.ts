// The metrics' view of the gateway's Kafka client, over a fake client: reader states, reader
// lifetimes, timed sends and batch sizes.
import { describe, expect, it } from 'vitest';
import { KafkaError } from '../kafka/errors.ts';
import type {
  KafkaClient,
  ProducerOptions,
  ReaderOptions,
  ReaderState,
  TopicReader,
} from '../kafka/types.ts';
import { KafkaWatch } from './observed-kafka.ts';

interface FakeReader extends TopicReader {
  report(state: ReaderState): void;
  finish(): void;
}

function fakeClient(): {
  client: KafkaClient;
  readers: FakeReader[];
  producerOptions: (ProducerOptions | undefined)[];
  failNext: () => void;
} {
  const readers: FakeReader[] = [];
  const producerOptions: (ProducerOptions | undefined)[] = [];
  let fail = false;
  const client: KafkaClient = {
    admin: {
      ensureTopics: () => Promise.resolve([]),
      highWatermarks: () => Promise.resolve({}),
      partitions: () => Promise.resolve([0]),
    },
    close: () => Promise.resolve(),
    producer(options) {
      producerOptions.push(options);
      return {
        send(record) {
          if (!fail) return Promise.resolve({ topic: record.topic, partition: 0, offset: '0' });
          fail = false;
          return Promise.reject(new KafkaError('KAFKA_UNAVAILABLE', 'no broker answered'));
        },
        stats: () => ({
          records: 0,
          recordsWritten: 0,
          recordsFailed: 0,
          batches: 0,
          produceRequests: 0,
          producerIds: 0,
        }),
        flush: () => Promise.resolve(),
        close: () => Promise.resolve(),
      };
    },
    reader(topic: string, options: ReaderOptions) {
      let state: ReaderState = 'disconnected';
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const reader: FakeReader = {
        topic,
        caughtUp: Promise.resolve(),
        done,
        state: () => state,
        positions: () => ({}),
        highWatermarks: () => ({}),
        stop: () => {
          finish();
          return done;
        },
        report(next) {
          state = next;
          options.onStateChange?.(next);
        },
        finish: () => finish(),
      };
      readers.push(reader);
      return reader;
    },
  };
  return { client, readers, producerOptions, failNext: () => (fail = true) };
}

describe('KafkaWatch', () => {
  it('is reachable until a core reader that was connected loses its broker', async () => {
    const fake = fakeClient();
    const watch = new KafkaWatch({ produced: () => undefined, batch: () => undefined });
    const core = watch.client(fake.client, 'core');
    const request = watch.client(fake.client, 'request');
    const view = core.reader('view', { onRecords: () => undefined });
    const live = request.reader('events', { onRecords: () => undefined });
    const [viewReader, liveReader] = fake.readers;
    // Not fetched yet: starting is not unreachable.
    expect(watch.reachable()).toBe(true);
    viewReader?.report('connected');
    liveReader?.report('disconnected');
    // A request's reader does not decide readiness.
    expect(watch.reachable()).toBe(true);
    viewReader?.report('disconnected');
    expect(watch.reachable()).toBe(false);
    expect(watch.counts()).toContainEqual({ role: 'core', state: 'disconnected', count: 1 });
    viewReader?.report('connected');
    expect(watch.reachable()).toBe(true);
    expect(watch.counts()).toContainEqual({ role: 'core', state: 'connected', count: 1 });

    // A stopped reader is forgotten.
    viewReader?.report('disconnected');
    await view.stop();
    await live.stop();
    expect(watch.reachable()).toBe(true);
    expect(watch.counts().every(({ count }) => count === 0)).toBe(true);
  });

  it("passes state reports on to the reader's own listener", () => {
    const fake = fakeClient();
    const watch = new KafkaWatch({ produced: () => undefined, batch: () => undefined });
    const states: ReaderState[] = [];
    watch
      .client(fake.client, 'core')
      .reader('view', { onRecords: () => undefined, onStateChange: (s) => states.push(s) });
    fake.readers[0]?.report('connected');
    expect(states).toEqual(['connected']);
  });

  it('times each send with its result, and hears of batches', async () => {
    const fake = fakeClient();
    const seen: { produced: string[]; batches: number[] } = { produced: [], batches: [] };
    const watch = new KafkaWatch({
      produced: (topic, seconds, result) => {
        expect(seconds).toBeGreaterThanOrEqual(0);
        seen.produced.push(`${topic} ${result}`);
      },
      batch: (records) => seen.batches.push(records),
    });
    const ownBatches: number[] = [];
    const producer = watch
      .client(fake.client, 'request')
      .producer({ timeoutMs: 100, onBatch: (n) => ownBatches.push(n) });
    await producer.send({ topic: 'commands', key: 'a', value: '{}' });
    fake.failNext();
    await expect(producer.send({ topic: 'commands', key: 'b', value: '{}' })).rejects.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.produced).toEqual(['commands ok', 'commands KAFKA_UNAVAILABLE']);
    expect(fake.producerOptions[0]?.timeoutMs).toBe(100);
    fake.producerOptions[0]?.onBatch?.(7);
    expect(seen.batches).toEqual([7]);
    expect(ownBatches).toEqual([7]);
  });
});
