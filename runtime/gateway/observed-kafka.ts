/**
 * The gateway's Kafka client as the metrics see it (design.md §11): a wrapper that times each
 * produced record, is told each producer batch's size, and keeps the gateway's readers with
 * their connection state — without the views, reply routers or streams knowing.
 */
import { isKafkaError } from '../kafka/index.ts';
import type {
  KafkaClient,
  KafkaProducer,
  ProducerOptions,
  ReaderOptions,
  ReaderState,
  TopicReader,
} from '../kafka/types.ts';

/**
 * `core`: the readers the gateway cannot serve without (views, reply topics, idempotency
 * keys), which readiness follows; `request`: readers of one request or stream (history, live).
 */
export type ReaderRole = 'core' | 'request';

/** What the wrapper reports to. */
export interface KafkaObserver {
  /** A send settled: `ok`, or the `KafkaErrorCode` it failed with (`error` for another error). */
  produced(topic: string, seconds: number, result: string): void;
  /** A producer micro-batch settled with this many records. */
  batch(records: number): void;
}

interface TrackedReader {
  readonly role: ReaderRole;
  /** Set once the client made it (its first state report may come before). */
  reader: TopicReader | undefined;
  /** True from a `disconnected` report until the next `connected` one. */
  lost: boolean;
}

/** The readers of one gateway, whichever wrapped client made them. */
export class KafkaWatch {
  readonly #readers = new Set<TrackedReader>();
  readonly #observer: KafkaObserver;

  constructor(observer: KafkaObserver) {
    this.#observer = observer;
  }

  /** `kafka`, observed: its readers are tracked with `role`, its producers timed. */
  client(kafka: KafkaClient, role: ReaderRole): KafkaClient {
    return {
      admin: kafka.admin,
      close: () => kafka.close(),
      producer: (options) => this.#producer(kafka, options),
      reader: (topic, options) => this.#reader(kafka, role, topic, options),
    };
  }

  /**
   * False while a core reader has lost its broker. A reader starts `disconnected` and says
   * so only when it had been connected, so a reader that has not fetched yet does not count.
   */
  reachable(): boolean {
    for (const tracked of this.#readers) if (tracked.role === 'core' && tracked.lost) return false;
    return true;
  }

  /** How many running readers of each role are in each state. */
  counts(): { readonly role: ReaderRole; readonly state: ReaderState; readonly count: number }[] {
    const counts = new Map<string, number>();
    for (const role of ['core', 'request'] as const) {
      for (const state of ['connected', 'disconnected'] as const) counts.set(`${role} ${state}`, 0);
    }
    for (const { role, reader } of this.#readers) {
      const key = `${role} ${reader?.state() ?? 'disconnected'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([key, count]) => {
      const [role, state] = key.split(' ') as [ReaderRole, ReaderState];
      return { role, state, count };
    });
  }

  #reader(
    kafka: KafkaClient,
    role: ReaderRole,
    topic: string,
    options: ReaderOptions,
  ): TopicReader {
    const entry: TrackedReader = { role, reader: undefined, lost: false };
    const reader = kafka.reader(topic, {
      ...options,
      onStateChange: (state) => {
        entry.lost = state === 'disconnected';
        options.onStateChange?.(state);
      },
    });
    entry.reader = reader;
    this.#readers.add(entry);
    reader.done.then(
      () => this.#readers.delete(entry),
      () => this.#readers.delete(entry),
    );
    return reader;
  }

  #producer(kafka: KafkaClient, options: ProducerOptions | undefined): KafkaProducer {
    const observer = this.#observer;
    const producer = kafka.producer({
      ...options,
      onBatch: (records) => {
        observer.batch(records);
        options?.onBatch?.(records);
      },
    });
    return {
      send(record) {
        const start = performance.now();
        const sent = producer.send(record);
        sent.then(
          () => observer.produced(record.topic, (performance.now() - start) / 1000, 'ok'),
          (error: unknown) =>
            observer.produced(
              record.topic,
              (performance.now() - start) / 1000,
              isKafkaError(error) ? error.code : 'error',
            ),
        );
        return sent;
      },
      stats: () => producer.stats(),
      flush: () => producer.flush(),
      close: () => producer.close(),
    };
  }
}
