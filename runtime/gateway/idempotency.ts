/**
 * Idempotency-Key (IETF httpapi draft, design §4) with Kafka as the store, so a retry gets the
 * first answer across gateway restarts and across instances. Every instance reads the compacted
 * idempotency topic from the beginning without a consumer group and keeps its latest entry per
 * key. To run a command, an instance writes a claim and waits until its own view has applied it:
 * the first claim in the partition wins (every instance sees the same order), so two instances
 * racing on one key agree on a single winner and only the winner produces the command.
 *
 * An entry goes claimed → produced (the record is in Kafka; a reply may still be due) → done
 * (the response is stored). A claim whose holder died expires after `claimTtlMs`.
 */
import { randomUUID } from 'node:crypto';
import { KafkaError } from '../kafka/index.ts';
import type {
  KafkaClient,
  KafkaProducer,
  KafkaRecord,
  RecordPosition,
  TopicReader,
} from '../kafka/types.ts';

/** A response as stored and replayed: status, headers and the body bytes (base64). */
export interface StoredResponse {
  readonly status: number;
  readonly headers: { readonly [name: string]: string };
  readonly body: string;
}

type Entry =
  | {
      readonly state: 'claimed';
      readonly hash: string;
      readonly claimant: string;
      readonly at: number;
    }
  | {
      readonly state: 'produced';
      readonly hash: string;
      readonly claimant: string;
      readonly at: number;
      readonly correlationId?: string;
    }
  | {
      readonly state: 'done';
      readonly hash: string;
      readonly claimant: string;
      readonly at: number;
      readonly response: StoredResponse;
    }
  | { readonly state: 'released'; readonly claimant: string; readonly at: number };

export type BeginOutcome =
  /** This request holds the claim: run the command, then `produced` and `complete`. */
  | { readonly kind: 'run'; readonly claim: Claim }
  /** The same request was answered before. */
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  /** The same request's record is in Kafka; its reply (if any) carries this correlation id. */
  | { readonly kind: 'produced'; readonly claim: Claim; readonly correlationId?: string }
  /** The key was used for a different request: 422. */
  | { readonly kind: 'mismatch' }
  /** The first request with this key is still running: 409. */
  | { readonly kind: 'in-flight' };

export interface Claim {
  readonly key: string;
  readonly hash: string;
  readonly claimant: string;
}

export interface IdempotencyOptions {
  readonly topic: string;
  /** A claim older than this is presumed dead and can be taken over (default 60 s). */
  readonly claimTtlMs?: number;
  /** Entries older than this are forgotten (and expire in Kafka by retention; default 24 h). */
  readonly retentionMs?: number;
  /**
   * How long a request waits to read its own claim back before it answers 503 (default 3 s):
   * the broker may have gone away right after taking the claim.
   */
  readonly applyTimeoutMs?: number;
}

export class IdempotencyStore {
  readonly #client: KafkaClient;
  readonly #producer: KafkaProducer;
  readonly #topic: string;
  readonly #claimTtlMs: number;
  readonly #retentionMs: number;
  readonly #applyTimeoutMs: number;
  readonly #entries = new Map<string, Entry>();
  /** Per key, claims of ours that timed out before they were read back: they never ran. */
  readonly #abandoned = new Map<string, Set<string>>();
  /** Per partition, the offset of the last record applied to the view. */
  readonly #applied = new Map<number, bigint>();
  readonly #listeners = new Set<() => void>();
  #reader: TopicReader | undefined;

  constructor(client: KafkaClient, producer: KafkaProducer, options: IdempotencyOptions) {
    this.#client = client;
    this.#producer = producer;
    this.#topic = options.topic;
    this.#claimTtlMs = options.claimTtlMs ?? 60_000;
    this.#retentionMs = options.retentionMs ?? 86_400_000;
    this.#applyTimeoutMs = options.applyTimeoutMs ?? 3000;
  }

  get topic(): string {
    return this.#topic;
  }

  /** Ensures the topic and reads it up to the high-water marks of now. */
  async start(): Promise<void> {
    await this.#client.admin.ensureTopics([
      {
        topic: this.#topic,
        partitions: 6,
        compacted: true,
        config: { 'cleanup.policy': 'compact,delete', 'retention.ms': String(this.#retentionMs) },
      },
    ]);
    this.#reader = this.#client.reader(this.#topic, {
      from: 'earliest',
      onRecords: (records) => this.#apply(records),
    });
    await this.#reader.caughtUp;
  }

  async stop(): Promise<void> {
    await this.#reader?.stop();
  }

  /**
   * Decides what a request with this key and request hash does; waits (up to `waitMs`) while
   * another request with the same key runs.
   */
  async begin(
    key: string,
    hash: string,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<BeginOutcome> {
    const deadline = Date.now() + waitMs;
    let mine: string | undefined;
    for (;;) {
      const entry = this.#live(key);
      if (entry !== undefined && entry.state !== 'released') {
        if (entry.hash !== hash) return { kind: 'mismatch' };
        if (entry.state === 'done') return { kind: 'replay', response: entry.response };
        const claim = { key, hash, claimant: entry.claimant };
        if (entry.state === 'produced') {
          return entry.correlationId === undefined
            ? { kind: 'produced', claim }
            : { kind: 'produced', claim, correlationId: entry.correlationId };
        }
        if (entry.claimant === mine || this.#adopt(key, entry.claimant)) {
          return { kind: 'run', claim };
        }
        // Someone else's live claim: wait for it to move on.
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted) return { kind: 'in-flight' };
        await this.#changed(Math.min(left, 250), signal);
        continue;
      }
      mine = randomUUID();
      const position = await this.#write(key, {
        state: 'claimed',
        hash,
        claimant: mine,
        at: Date.now(),
      });
      if (!(await this.#appliedUpTo(position, this.#applyTimeoutMs))) {
        // Design §11: commands answer 503 quickly while the broker is away, rather than wait
        // for it. The claim may still win once read; it never ran, so a retry here takes it.
        const abandoned = this.#abandoned.get(key) ?? new Set();
        this.#abandoned.set(key, abandoned.add(mine));
        throw new KafkaError(
          'KAFKA_UNAVAILABLE',
          `the idempotency claim was not read back within ${this.#applyTimeoutMs} ms`,
        );
      }
    }
  }

  /** Whether `claimant` is a claim of ours that never ran; a retry then runs under it. */
  #adopt(key: string, claimant: string): boolean {
    const abandoned = this.#abandoned.get(key);
    if (abandoned?.has(claimant) !== true) return false;
    this.#abandoned.delete(key);
    return true;
  }

  /** The command record is in Kafka; a retry must not produce it again. */
  async produced(claim: Claim, correlationId: string | undefined): Promise<void> {
    await this.#write(claim.key, {
      state: 'produced',
      hash: claim.hash,
      claimant: claim.claimant,
      at: Date.now(),
      ...(correlationId === undefined ? {} : { correlationId }),
    });
  }

  /** The final response: retries replay it. */
  async complete(claim: Claim, response: StoredResponse): Promise<void> {
    await this.#write(claim.key, {
      state: 'done',
      hash: claim.hash,
      claimant: claim.claimant,
      at: Date.now(),
      response,
    });
  }

  /** Nothing was produced (the broker was down, say): let a retry run the command. */
  async release(claim: Claim): Promise<void> {
    await this.#write(claim.key, { state: 'released', claimant: claim.claimant, at: Date.now() });
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.at < Date.now() - this.#retentionMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async #write(key: string, entry: Entry): Promise<RecordPosition> {
    return this.#producer.send({ topic: this.#topic, key, value: JSON.stringify(entry) });
  }

  #apply(records: readonly KafkaRecord[]): void {
    for (const record of records) {
      this.#applied.set(record.partition, BigInt(record.offset));
      const key = record.key?.toString('utf8');
      if (key === undefined) continue;
      if (record.value === null) {
        this.#entries.delete(key);
        continue;
      }
      const next = parseEntry(record.value);
      if (next === undefined) continue;
      const current = this.#entries.get(key);
      if (accepts(current, next, this.#claimTtlMs)) this.#entries.set(key, next);
    }
    for (const listener of [...this.#listeners]) listener();
  }

  /** True once the view has applied `position`; false after `timeoutMs`. */
  #appliedUpTo(position: RecordPosition, timeoutMs: number): Promise<boolean> {
    const target = BigInt(position.offset);
    const reached = (): boolean => (this.#applied.get(position.partition) ?? -1n) >= target;
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (applied: boolean): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(applied);
      };
      const listener = (): void => {
        if (reached()) settle(true);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.#listeners.add(listener);
    });
  }

  #changed(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#listeners.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** The view's rule: the first live claim wins; later states apply only to the claim holder. */
function accepts(current: Entry | undefined, next: Entry, claimTtlMs: number): boolean {
  if (current === undefined || current.state === 'released') return next.state !== 'released';
  switch (next.state) {
    case 'claimed':
      return current.state === 'claimed' && current.at + claimTtlMs < next.at;
    case 'produced':
    case 'released':
      return current.claimant === next.claimant && current.state !== 'done';
    case 'done':
      return current.hash === next.hash;
  }
}

function parseEntry(value: Buffer): Entry | undefined {
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('state' in parsed)) return undefined;
    return parsed as Entry;
  } catch {
    return undefined;
  }
}
