/**
 * The event-sourced state `ctx.state(key)` answers from (design.md §8): per record key, the
 * aggregate's events folded over its `initial`, in three layers.
 *
 * - **Committed**: what a read_committed reader of the event topic has folded, plus what this
 *   runner's own transactions committed. The reader reads the whole topic before the first
 *   command and keeps following it, so events other writers commit (a runner that had these
 *   partitions before a rebalance) are folded too. An own event is folded once: by whichever
 *   sees it first, the commit or the reader (the reader may deliver it before the commit call
 *   returns); the other skips it by its partition and offset.
 * - **Run**: what earlier commands of the transaction in hand emitted; folded into committed
 *   when it commits, dropped when it aborts.
 * - **Command**: what the running handler emitted so far; merged into the run when the handler
 *   returns, dropped when it throws.
 */
import type { KafkaRecord } from '../kafka/types.ts';
import type { StateView } from './context.ts';
import type { AggregateEvent, AggregateOptions } from './types.ts';

/** An event this runner wrote, at the offset the broker gave it. */
export interface WrittenEvent {
  readonly partition: number;
  readonly offset: string;
  readonly event: AggregateEvent;
}

/** Where one of the runner's own events stands: not yet committed, or folded by one side. */
type OwnState = 'pending' | 'folded';

export class AggregateState {
  readonly topic: string;
  readonly #aggregate: AggregateOptions<unknown>;
  readonly #typeHeader: string | undefined;
  readonly #committed = new Map<string, unknown>();
  /** Own events by `partition:offset`, from their write until both the commit and the reader saw them. */
  readonly #own = new Map<string, OwnState>();
  readonly #onBadRecord: (record: KafkaRecord, reason: string) => void;

  constructor(
    aggregate: AggregateOptions<unknown>,
    typeHeader: string | undefined,
    onBadRecord: (record: KafkaRecord, reason: string) => void,
  ) {
    this.topic = aggregate.topic;
    this.#aggregate = aggregate;
    this.#typeHeader = typeHeader;
    this.#onBadRecord = onBadRecord;
  }

  /** The committed state of `key`; `initial` when it has no events. */
  current(key: string): unknown {
    return this.#committed.has(key) ? this.#committed.get(key) : this.#aggregate.initial;
  }

  fold(state: unknown, event: AggregateEvent): unknown {
    return this.#aggregate.apply(state, event);
  }

  /** The reader's callback: folds records in topic order, skipping own ones already folded. */
  readonly onRecords = (records: readonly KafkaRecord[]): void => {
    for (const record of records) {
      const where = position(record.partition, record.offset);
      const own = this.#own.get(where);
      if (own === 'folded') {
        this.#own.delete(where);
        continue;
      }
      if (own === 'pending') this.#own.set(where, 'folded');
      const event = this.#decode(record);
      if (event === undefined) continue;
      try {
        this.#foldCommitted(event);
      } catch (error) {
        this.#onBadRecord(
          record,
          `apply failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  };

  /** Own events the broker has appended, before their transaction commits. */
  written(events: readonly WrittenEvent[]): void {
    for (const { partition, offset } of events)
      this.#own.set(position(partition, offset), 'pending');
  }

  /** Their transaction committed: folds those the reader has not folded yet. */
  committed(events: readonly WrittenEvent[]): void {
    for (const { partition, offset, event } of events) {
      const where = position(partition, offset);
      if (this.#own.get(where) === 'folded') {
        this.#own.delete(where);
        continue;
      }
      this.#own.set(where, 'folded');
      this.#foldCommitted(event);
    }
  }

  /** Their transaction aborted: a read_committed reader never sees them. */
  aborted(events: readonly WrittenEvent[]): void {
    for (const { partition, offset } of events) this.#own.delete(position(partition, offset));
  }

  #foldCommitted(event: AggregateEvent): void {
    this.#committed.set(event.key, this.fold(this.current(event.key), event));
  }

  #decode(record: KafkaRecord): AggregateEvent | undefined {
    const key = record.key?.toString('utf8') ?? '';
    const text = record.value?.toString('utf8') ?? '';
    let value: unknown = null;
    if (text !== '') {
      try {
        value = JSON.parse(text);
      } catch {
        this.#onBadRecord(record, 'the value is not JSON');
        return undefined;
      }
    }
    const name = this.#typeHeader === undefined ? '' : (record.headers[this.#typeHeader] ?? '');
    return { topic: this.topic, name, value, key, timestamp: record.timestamp };
  }
}

/** A layer over another: the states it changed, the others read through. */
export class StateLayer implements StateView {
  readonly #below: { current(key: string): unknown };
  readonly #state: AggregateState;
  readonly #changed = new Map<string, unknown>();
  /** The events folded here, in order: the aggregate topic's records of this layer. */
  readonly events: AggregateEvent[] = [];

  constructor(state: AggregateState, below: { current(key: string): unknown }) {
    this.#state = state;
    this.#below = below;
  }

  current(key: string): unknown {
    return this.#changed.has(key) ? this.#changed.get(key) : this.#below.current(key);
  }

  emitted(topic: string, key: string, name: string, value: unknown): void {
    if (topic !== this.#state.topic) return;
    const event: AggregateEvent = { topic, name, value, key, timestamp: Date.now() };
    this.#changed.set(key, this.#state.fold(this.current(key), event));
    this.events.push(event);
  }

  /** A layer over this one (a command's over its run's). */
  child(): StateLayer {
    return new StateLayer(this.#state, this);
  }

  /** Takes a finished command's layer into this (run) layer. */
  absorb(layer: StateLayer): void {
    for (const [key, value] of layer.#changed) this.#changed.set(key, value);
    this.events.push(...layer.events);
  }
}

function position(partition: number, offset: string): string {
  return `${partition}:${offset}`;
}
