/**
 * One reader per live topic, shared by every stream that is up to date with it (live-stream.ts):
 * each record is fetched and decoded once, its filterable entry built once, and — for the
 * streams whose progress is the tail's, which is every stream once it has seen the partitions it
 * started ahead of — its event formatted once. Before, each stream had a reader of its own:
 * 1 000 clients of a topic meant 1 000 fetch loops and 3 000 sockets for 10 records a second
 * (bench B5).
 *
 * A stream joins with the start its own rules give it (the end offsets when it connected, or
 * its resume point when that is not behind the tail); records before its start are not its. A
 * stream that falls behind its client (the socket's buffer past the limit) leaves the tail and
 * goes on with a reader of its own from its own progress, so no client ever slows another; once
 * that reader has caught up with the tail, the stream joins it again. The
 * tail's reader stops a while after its last stream left (a reconnect storm reuses it).
 */
import type { KafkaClient, KafkaRecord, TopicReader } from '../../kafka/types.ts';
import { encodeProgress, progressAfter, type Progress } from '../progress.ts';
import { recordEntry, type ViewEntry } from '../views/materialized-view.ts';
import { encodeEventId } from './event-format.ts';

/** What the tail hands each of its streams, per record. */
export interface TailEvent {
  readonly record: KafkaRecord;
  /** The record as filters and predicates see it (its `etag` worked out when read). */
  readonly entry: ViewEntry;
  /** The tail's progress just after this record: the id's progress of every synced stream. */
  readonly progress: Progress;
  /** The event for a stream whose progress is the tail's, formatted once. */
  sharedText(): string;
  /** The event for a stream whose progress is `progress`. */
  textWith(progress: Progress): string;
}

/** A record's event text with the given id (the route's event name and data). */
export type EventFormatter = (record: KafkaRecord, id: string) => string;

export interface TailSubscriber {
  /** Called in offset order per partition; must not wait (write, or leave the tail). */
  deliver(event: TailEvent): void;
  /** The tail's reader ended (a failure): the stream ends too. */
  end(): void;
}

/** The tails of one stream route, by filled topic address. */
export class TopicTails {
  readonly #kafka: KafkaClient;
  readonly #format: EventFormatter;
  readonly #idleStopMs: number;
  readonly #tails = new Map<string, TopicTail>();

  /** `idleStopMs`: how long a tail with no streams keeps reading before it stops. */
  constructor(kafka: KafkaClient, format: EventFormatter, idleStopMs: number) {
    this.#kafka = kafka;
    this.#format = format;
    this.#idleStopMs = idleStopMs;
  }

  /** The running tail of `topic`, if any. */
  get(topic: string): TopicTail | undefined {
    const tail = this.#tails.get(topic);
    return tail === undefined || tail.ended ? undefined : tail;
  }

  /**
   * Adds `subscriber` to the tail of `topic`, starting one at `from` (the end offsets, or
   * 'latest') when there is none.
   */
  join(
    topic: string,
    from: Readonly<Record<number, string>> | 'latest',
    subscriber: TailSubscriber,
  ): TopicTail {
    let tail = this.#tails.get(topic);
    if (tail === undefined || tail.ended) {
      tail = new TopicTail(this.#kafka, topic, from, this.#format, this.#idleStopMs, () => {
        if (this.#tails.get(topic) === tail) this.#tails.delete(topic);
      });
      this.#tails.set(topic, tail);
    }
    tail.add(subscriber);
    return tail;
  }

  /** Stops every tail (gateway shutdown). */
  async stop(): Promise<void> {
    await Promise.all([...this.#tails.values()].map((tail) => tail.stop()));
  }
}

export class TopicTail {
  readonly topic: string;
  readonly #reader: TopicReader;
  readonly #subscribers = new Set<TailSubscriber>();
  readonly #format: EventFormatter;
  readonly #idleStopMs: number;
  readonly #onEnd: () => void;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  constructor(
    kafka: KafkaClient,
    topic: string,
    from: Readonly<Record<number, string>> | 'latest',
    format: EventFormatter,
    idleStopMs: number,
    onEnd: () => void,
  ) {
    this.topic = topic;
    this.#format = format;
    this.#idleStopMs = idleStopMs;
    this.#onEnd = onEnd;
    this.#reader = kafka.reader(topic, {
      from,
      onRecords: (records) => this.#fanOut(records),
    });
    const ended = (): void => {
      this.#ended = true;
      clearTimeout(this.#idle);
      this.#onEnd();
      for (const subscriber of [...this.#subscribers]) subscriber.end();
      this.#subscribers.clear();
    };
    this.#reader.done.then(ended, ended);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The shared reader (what a stream on the tail reads from). */
  get reader(): TopicReader {
    return this.#reader;
  }

  /** Per partition, the next offset the tail will deliver (what it delivered is below). */
  progress(): Progress {
    return this.#reader.positions();
  }

  add(subscriber: TailSubscriber): void {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    this.#subscribers.add(subscriber);
  }

  /** Takes `subscriber` off the tail; the tail stops a while after its last one left. */
  remove(subscriber: TailSubscriber): void {
    if (!this.#subscribers.delete(subscriber) || this.#subscribers.size > 0 || this.#ended) return;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      if (this.#subscribers.size === 0) void this.stop();
    }, this.#idleStopMs);
    this.#idle.unref();
  }

  async stop(): Promise<void> {
    this.#ended = true;
    clearTimeout(this.#idle);
    this.#onEnd();
    await this.#reader.stop();
  }

  #fanOut(records: readonly KafkaRecord[]): void {
    // Positions move only after this returns: they cover every record delivered before.
    const cursor: Record<number, string> = this.#reader.positions();
    for (const record of records) {
      Object.assign(cursor, progressAfter(record.partition, record.offset));
      if (this.#subscribers.size === 0) continue;
      const event = new SharedEvent(record, { ...cursor }, this.#format);
      // A stream that leaves the tail (slow client) while we deliver misses nothing: it reads
      // the rest from its own progress. (A Set skips members deleted during the loop.)
      for (const subscriber of this.#subscribers) subscriber.deliver(event);
    }
  }
}

class SharedEvent implements TailEvent {
  readonly record: KafkaRecord;
  readonly progress: Progress;
  readonly entry: ViewEntry;
  readonly #format: EventFormatter;
  #text: string | undefined;

  constructor(record: KafkaRecord, progress: Progress, format: EventFormatter) {
    this.record = record;
    this.progress = progress;
    this.entry = recordEntry(record);
    this.#format = format;
  }

  sharedText(): string {
    this.#text ??= this.#format(this.record, eventId(this.record, this.progress));
    return this.#text;
  }

  textWith(progress: Progress): string {
    return this.#format(this.record, eventId(this.record, progress));
  }
}

/** Zilla's event id: the key, then the progress (and the record's own etag). */
function eventId(record: KafkaRecord, progress: Progress): string {
  return encodeEventId(
    record.key ?? Buffer.alloc(0),
    encodeProgress(progress),
    record.headers.etag,
  );
}
