/**
 * An in-memory view of one compacted topic (design.md §5): the latest record per key,
 * tombstones delete. It reads every partition from the log start without a consumer group, so
 * any gateway instance answers any query. Values are JSON bytes: a list body is their join,
 * cached per version, so unchanged data is never serialized again.
 */
import type { KafkaClient, KafkaRecord, TopicReader } from '../../kafka/types.ts';
import {
  coversProgress,
  encodeProgress,
  etagOf,
  mergeProgress,
  progressAfter,
  type Progress,
} from '../progress.ts';

/** The latest record of one key. */
export interface ViewEntry {
  /** The record key, decoded as UTF-8. */
  readonly key: string;
  /** JSON bytes. */
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: string;
  /** Quoted: the record's own progress (just past it), then `/<etag header>` when it has one. */
  readonly etag: string;
}

/** Decides per request whether a record may be seen (the identity-filter hook). */
export type RecordPredicate = (entry: ViewEntry) => boolean;

/** A header value, or a top-level JSON field of the value compared as a string. */
export interface ViewFilter {
  readonly on: 'header' | 'field';
  readonly name: string;
  readonly value: string;
}

export interface ListOptions {
  /** All must match. */
  readonly filters?: readonly ViewFilter[];
  readonly predicate?: RecordPredicate;
  /** Most entries in the page; default all. */
  readonly limit?: number;
  /** From a previous page's `nextCursor`: the page starts after the key it names. */
  readonly cursor?: string;
}

export interface ListPage {
  readonly entries: readonly ViewEntry[];
  /** The JSON array of the entries' values. */
  readonly body: Buffer;
  /** Present when more entries may follow. */
  readonly nextCursor?: string;
}

/** One applied record, for change listeners (server-sent events later). */
export interface ViewChange {
  readonly record: KafkaRecord;
  readonly key: string;
  /** The entry after the record; undefined when it deleted the key. */
  readonly entry: ViewEntry | undefined;
  /** The view's progress token just after this record. */
  readonly progress: string;
}

export interface MaterializedViewOptions {
  readonly topic: string;
  /** Called when the reader stops with an error (the view then no longer changes). */
  readonly onError?: (error: unknown) => void;
}

export class MaterializedView {
  readonly topic: string;
  /** Resolves once the view holds every record up to the high-water marks read at start. */
  readonly ready: Promise<void>;
  readonly #reader: TopicReader;
  readonly #entries = new Map<string, ViewEntry>();
  readonly #listeners = new Set<(change: ViewChange) => void>();
  #waiters = new Set<() => void>();
  /** Next offsets of the records applied so far; merged with the reader's positions. */
  /** Per partition, the offset of the last record applied (its progress is one past it). */
  #applied: Record<number, string> = {};
  #version = 0;
  #isReady = false;
  #sorted: { version: number; keys: readonly string[] } | undefined;
  #body: { version: number; body: Buffer } | undefined;

  constructor(kafka: KafkaClient, options: MaterializedViewOptions) {
    this.topic = options.topic;
    this.#reader = kafka.reader(options.topic, {
      from: 'earliest',
      onRecords: (records) => this.#apply(records),
    });
    this.ready = this.#reader.caughtUp.then(() => {
      this.#isReady = true;
      this.#notify();
    });
    this.ready.catch(() => undefined);
    this.#reader.done.catch((error: unknown) => options.onError?.(error));
  }

  /** True once `ready` resolved. */
  isReady(): boolean {
    return this.#isReady;
  }

  /** Bumped by each applied batch that changed an entry. */
  get version(): number {
    return this.#version;
  }

  /** Per partition, the next offset the view will apply. */
  progressOffsets(): Progress {
    return mergeProgress(this.#reader.positions(), pastApplied(this.#applied));
  }

  /** The view's progress token (the list ETag's content). */
  progress(): string {
    return encodeProgress(this.progressOffsets());
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, predicate?: RecordPredicate): ViewEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || (predicate !== undefined && !predicate(entry))) return undefined;
    return entry;
  }

  /** Entries in key order (code units); without options, the body is cached per version. */
  list(options: ListOptions = {}): ListPage {
    const keys = this.#sortedKeys();
    const unfiltered =
      options.predicate === undefined &&
      (options.filters ?? []).length === 0 &&
      options.limit === undefined &&
      options.cursor === undefined;
    if (unfiltered) {
      const entries = keys.map((key) => this.#entry(key));
      if (this.#body?.version !== this.#version) {
        this.#body = { version: this.#version, body: joinValues(entries) };
      }
      return { entries, body: this.#body.body };
    }
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const entries: ViewEntry[] = [];
    let more = false;
    for (let i = after === undefined ? 0 : firstAfter(keys, after); i < keys.length; i++) {
      const entry = this.#entry(keys[i] ?? '');
      if (!matches(entry, options)) continue;
      if (entries.length >= limit) {
        more = true;
        break;
      }
      entries.push(entry);
    }
    const last = entries.at(-1);
    return more && last !== undefined
      ? { entries, body: joinValues(entries), nextCursor: encodeCursor(last.key) }
      : { entries, body: joinValues(entries) };
  }

  /**
   * Resolves true once the version is past `sinceVersion`, false after `timeoutMs` or when
   * `signal` aborts.
   */
  waitForChange(sinceVersion: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return this.#waitUntil(() => this.#version > sinceVersion, timeoutMs, signal);
  }

  /** Read-your-writes: resolves true once the view has applied everything `required` names. */
  waitForProgress(required: Progress, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return this.#waitUntil(
      () => coversProgress(this.progressOffsets(), required),
      timeoutMs,
      signal,
    );
  }

  /** Calls `listener` with each record the view applies; returns the unsubscribe function. */
  subscribe(listener: (change: ViewChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await this.#reader.stop();
    this.#notify();
  }

  #entry(key: string): ViewEntry {
    const entry = this.#entries.get(key);
    if (entry === undefined) throw new Error(`view ${this.topic}: sorted key ${key} is missing`);
    return entry;
  }

  #sortedKeys(): readonly string[] {
    if (this.#sorted?.version !== this.#version) {
      const keys = [...this.#entries.keys()].sort(compareCodeUnits);
      this.#sorted = { version: this.#version, keys };
    }
    return this.#sorted.keys;
  }

  #apply(records: readonly KafkaRecord[]): void {
    let changed = false;
    // What `progress` of a change is computed from, only if a listener asks: the view's
    // progress before this batch, then the batch's records up to the change's one.
    let before: Progress | undefined;
    for (let index = 0; index < records.length; index++) {
      const record = records[index];
      if (record === undefined) continue;
      if (this.#listeners.size > 0 && before === undefined) before = this.progressOffsets();
      // The reader delivers each partition's records in offset order: the last is the latest.
      this.#applied[record.partition] = record.offset;
      if (record.key === null) continue;
      const key = record.key.toString('utf8');
      let entry: ViewEntry | undefined;
      if (record.value === null) {
        if (!this.#entries.delete(key)) continue;
      } else {
        entry = new StoredEntry(key, record, record.value);
        this.#entries.set(key, entry);
      }
      changed = true;
      if (this.#listeners.size > 0) {
        const change = new Change(record, key, entry, before ?? {}, records, index);
        for (const listener of this.#listeners) {
          // A failing listener must not stop the reader, and so every other reader of the view.
          try {
            listener(change);
          } catch {
            this.#listeners.delete(listener);
          }
        }
      }
    }
    if (changed) this.#version++;
    this.#notify();
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake();
  }

  #waitUntil(done: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    if (timeoutMs <= 0 || signal?.aborted === true) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(check);
        resolve(result);
      };
      const check = (): void => {
        if (done()) finish(true);
        else this.#waiters.add(check);
      };
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(done()), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(check);
    });
  }
}

function matches(entry: ViewEntry, options: ListOptions): boolean {
  if (options.predicate !== undefined && !options.predicate(entry)) return false;
  return (options.filters ?? []).every((filter) => matchesFilter(entry, filter));
}

/** A record of an event topic as filters see it: a null key is the empty key, a null value empty. */
export function recordEntry(record: KafkaRecord): ViewEntry {
  return new StoredEntry(
    (record.key ?? Buffer.alloc(0)).toString('utf8'),
    record,
    record.value ?? Buffer.alloc(0),
  );
}

/** Parsed values, computed on the first field filter that needs one, dropped with the entry. */
const parsedValues = new WeakMap<ViewEntry, unknown>();

/** A predicate that is true when every filter matches (none: always true). */
export function filterPredicate(filters: readonly ViewFilter[]): RecordPredicate {
  return (entry) => filters.every((filter) => matchesFilter(entry, filter));
}

/** True when the entry's header or top-level JSON field, as a string, equals the filter's. */
function matchesFilter(entry: ViewEntry, filter: ViewFilter): boolean {
  if (filter.on === 'header') return entry.headers[filter.name] === filter.value;
  if (!parsedValues.has(entry)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(entry.value.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    parsedValues.set(entry, parsed);
  }
  const parsed = parsedValues.get(entry);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  const field: unknown = (parsed as Record<string, unknown>)[filter.name];
  const text =
    typeof field === 'string'
      ? field
      : typeof field === 'number' || typeof field === 'boolean'
        ? String(field)
        : undefined;
  return text === filter.value;
}

/** Style.md §6: code-unit order, never locale order. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first key greater than `key` in sorted `keys`. */
function firstAfter(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((keys[mid] ?? '') <= key) low = mid + 1;
    else high = mid;
  }
  return low;
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const NULL = Buffer.from('null');

function joinValues(entries: readonly ViewEntry[]): Buffer {
  const parts: Buffer[] = [OPEN];
  entries.forEach((entry, i) => {
    if (i > 0) parts.push(COMMA);
    // An empty value is no JSON; `null` keeps the array parseable.
    parts.push(entry.value.length === 0 ? NULL : entry.value);
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/** Keyset pagination: the cursor is the base64url of the last key of the previous page. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key a cursor names; undefined for garbage. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** Per partition, the offset just past the last applied record. */
function pastApplied(applied: Readonly<Record<number, string>>): Record<number, string> {
  const past: Record<number, string> = {};
  for (const [partition, offset] of Object.entries(applied)) {
    past[Number(partition)] = (BigInt(offset) + 1n).toString();
  }
  return past;
}

/**
 * A view entry whose ETag is worked out when first asked for: a view loading a topic replaces
 * most entries before anyone reads them.
 */
/** A record as a view entry; its ETag is worked out when first read. */
export class StoredEntry implements ViewEntry {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: string;
  #etag: string | undefined;

  constructor(key: string, record: KafkaRecord, value: Buffer) {
    this.key = key;
    this.value = value;
    this.headers = record.headers;
    this.partition = record.partition;
    this.offset = record.offset;
  }

  get etag(): string {
    this.#etag ??= etagOf(
      encodeProgress(progressAfter(this.partition, this.offset)),
      this.headers.etag,
    );
    return this.#etag;
  }
}

/** A change whose `progress` is worked out when first asked for (live streams ask; loads do not). */
class Change implements ViewChange {
  readonly record: KafkaRecord;
  readonly key: string;
  readonly entry: ViewEntry | undefined;
  readonly #before: Progress;
  readonly #batch: readonly KafkaRecord[];
  readonly #index: number;
  #progress: string | undefined;

  constructor(
    record: KafkaRecord,
    key: string,
    entry: ViewEntry | undefined,
    before: Progress,
    batch: readonly KafkaRecord[],
    index: number,
  ) {
    this.record = record;
    this.key = key;
    this.entry = entry;
    this.#before = before;
    this.#batch = batch;
    this.#index = index;
  }

  get progress(): string {
    if (this.#progress === undefined) {
      const offsets: Record<number, string> = { ...this.#before };
      for (let at = 0; at <= this.#index; at++) {
        const record = this.#batch[at];
        if (record !== undefined)
          offsets[record.partition] = (BigInt(record.offset) + 1n).toString();
      }
      this.#progress = encodeProgress(offsets);
    }
    return this.#progress;
  }
}
