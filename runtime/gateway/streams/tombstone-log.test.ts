// The tombstone log over a fake view: latest delete per key, rewritten keys dropped, the bound
// and the floor it raises, and `since` / `covers` around it.
import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../kafka/types.ts';
import type { ViewChange, ViewEntry } from '../views/materialized-view.ts';
import { TombstoneLog } from './tombstone-log.ts';

function fakeView(start: Record<number, string> = {}) {
  const listeners = new Set<(change: ViewChange) => void>();
  return {
    progressOffsets: () => start,
    subscribe(listener: (change: ViewChange) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listeners,
    /** Applies a write (value) or a delete (null) at partition/offset. */
    apply(key: string, partition: number, offset: number, value: string | null): void {
      const record: KafkaRecord = {
        topic: 't',
        partition,
        offset: String(offset),
        key: Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
        headers: {},
        headerEntries: [],
        timestamp: 0,
      };
      const entry: ViewEntry | undefined =
        value === null
          ? undefined
          : {
              key,
              value: Buffer.from(value),
              headers: {},
              partition,
              offset: String(offset),
              etag: '',
            };
      for (const listener of listeners) listener({ record, key, entry, progress: '' });
    },
  };
}

describe('TombstoneLog', () => {
  it('keeps the latest delete per key and drops it when the key is written again', () => {
    const view = fakeView();
    const log = new TombstoneLog(view);
    view.apply('a', 0, 1, null);
    view.apply('b', 1, 1, null);
    view.apply('a', 0, 5, null);
    view.apply('b', 1, 7, '{}');
    expect(log.since({}).map((t) => [t.key, t.partition, t.offset])).toEqual([['a', 0, '5']]);
    expect(log.since({ 0: '5' })).toHaveLength(1);
    expect(log.since({ 0: '6' })).toHaveLength(0);
    expect(log.covers({})).toBe(true);
  });

  it('evicts the oldest past its bound and raises the floor of that partition', () => {
    const view = fakeView();
    const log = new TombstoneLog(view, { maxTombstones: 2 });
    view.apply('a', 0, 3, null);
    view.apply('b', 1, 4, null);
    view.apply('c', 0, 9, null);
    expect(log.size).toBe(2);
    expect(log.floor()).toEqual({ 0: '4' });
    expect(log.covers({ 0: '3', 1: '0' })).toBe(false);
    expect(log.covers({ 0: '4' })).toBe(true);
    expect(log.since({ 0: '4', 1: '0' }).map((t) => t.key)).toEqual(['b', 'c']);
  });

  it('knows nothing before it was created, and stops listening', () => {
    const view = fakeView({ 0: '10' });
    const log = new TombstoneLog(view);
    expect(log.covers({ 0: '9' })).toBe(false);
    expect(log.covers({ 0: '10' })).toBe(true);
    log.stop();
    expect(view.listeners.size).toBe(0);
  });
});
