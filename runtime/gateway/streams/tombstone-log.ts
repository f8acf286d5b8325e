/**
 * Recent deletes of one view, for streams that resume (design.md §6). The view keeps only live
 * keys, so a client resuming from an id must learn from here which keys were deleted since.
 *
 * Limits: the log holds the latest tombstone per key, removed when the key is written again, and
 * at most `maxTombstones` of them; the oldest go first. It knows only deletes the view applied
 * after the log was created — create it right after the view, before the view has read, and it
 * sees every tombstone from the log start. `floor()` says from where per partition the log is
 * complete; a resume point below it cannot be served exactly (the stream then sends the full
 * state, and the client may keep keys deleted in between). A tombstone whose key the view never
 * held (its value already compacted away) is not reported by the view, so not logged.
 */
import type { MaterializedView, ViewChange } from '../views/materialized-view.ts';
import { mergeProgress, type Progress } from '../progress.ts';

/** One deleted key. */
export interface Tombstone {
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TombstoneLogOptions {
  /** Default 10,000. */
  readonly maxTombstones?: number;
}

export class TombstoneLog {
  readonly maxTombstones: number;
  /** Insertion order is offset order per partition: the first entry is the oldest. */
  readonly #byKey = new Map<string, Tombstone>();
  /** Per partition, the next offset after the newest evicted tombstone (or what came before us). */
  #floor: Record<number, string>;
  readonly #unsubscribe: () => void;

  constructor(
    view: Pick<MaterializedView, 'subscribe' | 'progressOffsets'>,
    options: TombstoneLogOptions = {},
  ) {
    this.maxTombstones = options.maxTombstones ?? 10_000;
    this.#floor = { ...view.progressOffsets() };
    this.#unsubscribe = view.subscribe((change) => this.#apply(change));
  }

  /** Per partition, the first offset from which every delete is known (absent: from the start). */
  floor(): Progress {
    return this.#floor;
  }

  /** True when every delete after `from` is still known. */
  covers(from: Progress): boolean {
    return Object.entries(this.#floor).every(
      ([partition, next]) => BigInt(from[Number(partition)] ?? '0') >= BigInt(next),
    );
  }

  /** Deletes at or after `from` (per partition; a partition `from` does not name: all). */
  since(from: Progress): Tombstone[] {
    const found: Tombstone[] = [];
    for (const tombstone of this.#byKey.values()) {
      const next = from[tombstone.partition];
      if (next === undefined || BigInt(tombstone.offset) >= BigInt(next)) found.push(tombstone);
    }
    return found;
  }

  get size(): number {
    return this.#byKey.size;
  }

  stop(): void {
    this.#unsubscribe();
  }

  #apply(change: ViewChange): void {
    this.#byKey.delete(change.key);
    if (change.entry !== undefined) return;
    const { partition, offset, headers } = change.record;
    this.#byKey.set(change.key, { key: change.key, partition, offset, headers });
    while (this.#byKey.size > this.maxTombstones) {
      const oldest = this.#byKey.values().next();
      if (oldest.done === true) break;
      this.#byKey.delete(oldest.value.key);
      const past = (BigInt(oldest.value.offset) + 1n).toString();
      this.#floor = mergeProgress(this.#floor, { [oldest.value.partition]: past });
    }
  }
}
