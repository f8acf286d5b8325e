/**
 * Request-reply (design §4): every gateway instance reads each reply topic without a consumer
 * group, so it sees every reply, whichever instance sent the request. A waiting request is
 * matched by its correlation id; replies are also kept for a while so `GET` on an async
 * command's `Location` (on any instance) and an idempotent retry can collect them.
 */
import type { KafkaClient, KafkaRecord, TopicReader } from '../kafka/types.ts';

export interface ReplyRouterOptions {
  /** How long a reply stays collectable after it arrived (default 10 minutes). */
  readonly keepMs?: number;
  /** At most this many kept replies; the oldest go first (default 10 000). */
  readonly maxKept?: number;
}

interface Waiter {
  resolve(record: KafkaRecord | undefined): void;
}

export class ReplyRouter {
  readonly topic: string;
  readonly correlationHeader: string;
  readonly #client: KafkaClient;
  readonly #keepMs: number;
  readonly #maxKept: number;
  /** Insertion order is arrival order: the first entries are the oldest. */
  readonly #kept = new Map<string, { record: KafkaRecord; at: number }>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  #reader: TopicReader | undefined;

  constructor(
    client: KafkaClient,
    topic: string,
    correlationHeader: string,
    options: ReplyRouterOptions = {},
  ) {
    this.#client = client;
    this.topic = topic;
    this.correlationHeader = correlationHeader;
    this.#keepMs = options.keepMs ?? 600_000;
    this.#maxKept = options.maxKept ?? 10_000;
  }

  /**
   * Starts reading with the replies of the last `keepMs`, so that a reply that came while this
   * instance was not running (it was restarted, or is new) can still be collected at its
   * Location and by an idempotent retry.
   */
  async start(): Promise<void> {
    this.#reader = this.#client.reader(this.topic, {
      since: Date.now() - this.#keepMs,
      onRecords: (records) => {
        for (const record of records) this.#accept(record);
      },
    });
    await this.#reader.caughtUp;
  }

  async stop(): Promise<void> {
    await this.#reader?.stop();
    for (const waiters of this.#waiters.values())
      for (const waiter of waiters) waiter.resolve(undefined);
    this.#waiters.clear();
  }

  /** A reply that already arrived, if it is still kept. */
  get(correlationId: string): KafkaRecord | undefined {
    this.#expire();
    return this.#kept.get(correlationId)?.record;
  }

  /** The reply for `correlationId`, or undefined after `timeoutMs` (or when `signal` aborts). */
  wait(
    correlationId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<KafkaRecord | undefined> {
    const kept = this.get(correlationId);
    if (kept !== undefined) return Promise.resolve(kept);
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(correlationId);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(correlationId, waiters);
      }
      const set = waiters;
      const done = (record: KafkaRecord | undefined): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set.delete(waiter);
        if (set.size === 0) this.#waiters.delete(correlationId);
        resolve(record);
      };
      const waiter: Waiter = { resolve: done };
      const onAbort = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(waiter);
    });
  }

  #accept(record: KafkaRecord): void {
    const correlationId = record.headers[this.correlationHeader];
    if (correlationId === undefined) return;
    this.#kept.delete(correlationId);
    this.#kept.set(correlationId, { record, at: Date.now() });
    this.#expire();
    const waiters = this.#waiters.get(correlationId);
    if (waiters !== undefined) for (const waiter of [...waiters]) waiter.resolve(record);
  }

  #expire(): void {
    const oldest = Date.now() - this.#keepMs;
    for (const [id, entry] of this.#kept) {
      if (entry.at >= oldest && this.#kept.size <= this.#maxKept) break;
      this.#kept.delete(id);
    }
  }
}
