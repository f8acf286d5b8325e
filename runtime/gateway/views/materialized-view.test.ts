// The materialized view against the test broker: building from existing records, live records
// and tombstones, readiness, order, the cached body, progress, waits, listeners, filters, pages.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../../test/kafka/brokers.ts';
import { createKafkaClient } from '../../kafka/index.ts';
import type { KafkaClient, KafkaProducer, RecordPosition } from '../../kafka/types.ts';
import { decodeProgress, parseEtag, progressAfter } from '../progress.ts';
import { MaterializedView, type ViewChange } from './materialized-view.ts';

describe('MaterializedView', () => {
  let shared: KafkaClient | undefined;
  let producer: KafkaProducer | undefined;
  let views: MaterializedView[] = [];

  function client(): KafkaClient {
    shared ??= createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-view-test' });
    return shared;
  }

  afterEach(async () => {
    await Promise.all(views.map((view) => view.stop()));
    views = [];
  });

  afterAll(async () => {
    await shared?.close();
  });

  async function topic(prefix: string): Promise<string> {
    const name = uniqueTopic(prefix);
    await client().admin.ensureTopics([{ topic: name, partitions: 3, compacted: true }]);
    return name;
  }

  function send(
    name: string,
    key: string,
    value: unknown,
    headers?: Record<string, string>,
  ): Promise<RecordPosition> {
    producer ??= client().producer();
    return producer.send({
      topic: name,
      key,
      value: value === null ? null : JSON.stringify(value),
      ...(headers === undefined ? {} : { headers }),
    });
  }

  function view(name: string): MaterializedView {
    const created = new MaterializedView(client(), { topic: name });
    views.push(created);
    return created;
  }

  function keysOf(v: MaterializedView): string[] {
    return v.list().entries.map((entry) => entry.key);
  }

  it('builds from existing records and is ready only after catching up', async () => {
    const name = await topic('view-build');
    for (let i = 0; i < 30; i++) await send(name, `k${i % 10}`, { n: i });
    await send(name, 'k3', null);
    const v = view(name);
    expect(v.isReady()).toBe(false);
    await v.ready;
    expect(v.isReady()).toBe(true);
    expect(v.size).toBe(9);
    expect(v.get('k3')).toBeUndefined();
    expect(JSON.parse(v.get('k4')?.value.toString() ?? 'null')).toEqual({ n: 24 });
    const total = Object.values(v.progressOffsets()).reduce((sum, next) => sum + Number(next), 0);
    expect(total).toBe(31);
  });

  it('is ready at once on an empty topic', async () => {
    const v = view(await topic('view-empty'));
    await v.ready;
    expect(v.list().body.toString()).toBe('[]');
    expect(Object.keys(v.progressOffsets()).sort()).toEqual(['0', '1', '2']);
  });

  it('applies live records and tombstones, bumping the version', async () => {
    const name = await topic('view-live');
    const v = view(name);
    await v.ready;
    const before = v.version;
    const position = await send(name, 'a', { title: 'first' }, { etag: 'v1' });
    expect(await v.waitForChange(before, 10_000)).toBe(true);
    const entry = v.get('a');
    expect(entry?.partition).toBe(position.partition);
    expect(entry?.offset).toBe(position.offset);
    expect(entry?.headers.etag).toBe('v1');
    const parsed = parseEtag(entry?.etag ?? '');
    expect(parsed?.recordEtag).toBe('v1');
    expect(parsed?.progress).toEqual(progressAfter(position.partition, position.offset));

    const deleted = v.version;
    await send(name, 'a', null);
    expect(await v.waitForChange(deleted, 10_000)).toBe(true);
    expect(v.get('a')).toBeUndefined();
    expect(v.size).toBe(0);
  });

  it('lists in key code-unit order with a body cached per version', async () => {
    const name = await topic('view-order');
    const keys = ['b', 'a', 'Z', 'é', 'a10', 'a2', '_'];
    for (const key of keys) await send(name, key, { key });
    const v = view(name);
    await v.ready;
    expect(keysOf(v)).toEqual(['Z', '_', 'a', 'a10', 'a2', 'b', 'é']);
    const first = v.list();
    expect(JSON.parse(first.body.toString())).toEqual(first.entries.map(({ key }) => ({ key })));
    expect(v.list().body).toBe(first.body);

    const version = v.version;
    await send(name, 'c', { key: 'c' });
    await v.waitForChange(version, 10_000);
    const second = v.list();
    expect(second.body).not.toBe(first.body);
    expect(v.list().body).toBe(second.body);
    expect(keysOf(v).at(-2)).toBe('c');
  });

  it('gives a progress token that round-trips and covers what was written', async () => {
    const name = await topic('view-progress');
    const positions = await Promise.all(
      Array.from({ length: 9 }, (_, i) => send(name, `k${i}`, { i })),
    );
    const v = view(name);
    await v.ready;
    const progress = decodeProgress(v.progress());
    expect(progress).toEqual(v.progressOffsets());
    for (const { partition, offset } of positions) {
      expect(BigInt(progress?.[partition] ?? '0')).toBeGreaterThan(BigInt(offset));
    }
  });

  it('answers waitForChange with a record produced while waiting, and times out otherwise', async () => {
    const name = await topic('view-wait');
    const v = view(name);
    await v.ready;
    const started = Date.now();
    expect(await v.waitForChange(v.version, 200)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    const waiting = v.waitForChange(v.version, 10_000);
    await send(name, 'x', { x: 1 });
    expect(await waiting).toBe(true);
    expect(v.get('x')).toBeDefined();

    const controller = new AbortController();
    const aborted = v.waitForChange(v.version, 10_000, controller.signal);
    controller.abort();
    expect(await aborted).toBe(false);
  });

  it('waits for progress (read-your-writes)', async () => {
    const name = await topic('view-ryw');
    const v = view(name);
    await v.ready;
    const position = await send(name, 'mine', { mine: true });
    expect(
      await v.waitForProgress(progressAfter(position.partition, position.offset), 10_000),
    ).toBe(true);
    expect(v.get('mine')).toBeDefined();
    // An offset nobody wrote yet is not reached.
    const ahead = progressAfter(position.partition, BigInt(position.offset) + 100n);
    expect(await v.waitForProgress(ahead, 200)).toBe(false);
  });

  it('tells subscribers about each applied record', async () => {
    const name = await topic('view-subscribe');
    const v = view(name);
    await v.ready;
    const changes: ViewChange[] = [];
    const unsubscribe = v.subscribe((change) => changes.push(change));
    const version = v.version;
    await send(name, 's', { s: 1 });
    await v.waitForChange(version, 10_000);
    await send(name, 's', null);
    await v.waitForChange(version + 1, 10_000);
    expect(changes.map((change) => [change.key, change.entry === undefined])).toEqual([
      ['s', false],
      ['s', true],
    ]);
    expect(decodeProgress(changes[0]?.progress ?? '')).toBeDefined();
    unsubscribe();
    await send(name, 't', { t: 1 });
    await v.waitForChange(version + 2, 10_000);
    expect(changes).toHaveLength(2);
  });

  it('filters on headers, fields and a per-request predicate, and pages by cursor', async () => {
    const name = await topic('view-filter');
    for (let i = 0; i < 10; i++) {
      await send(
        name,
        `t${i}`,
        { done: i % 2 === 0, n: i, owner: i < 5 ? 'ann' : 'bob' },
        { tenant: i < 3 ? 'x' : 'y' },
      );
    }
    const v = view(name);
    await v.ready;
    const keys = (options: Parameters<MaterializedView['list']>[0]): string[] =>
      v.list(options).entries.map((entry) => entry.key);
    expect(keys({ filters: [{ on: 'field', name: 'done', value: 'true' }] })).toEqual([
      't0',
      't2',
      't4',
      't6',
      't8',
    ]);
    expect(keys({ filters: [{ on: 'field', name: 'n', value: '7' }] })).toEqual(['t7']);
    expect(keys({ filters: [{ on: 'header', name: 'tenant', value: 'x' }] })).toEqual([
      't0',
      't1',
      't2',
    ]);
    const annOnly = (entry: { value: Buffer }): boolean =>
      (JSON.parse(entry.value.toString()) as { owner: string }).owner === 'ann';
    expect(keys({ predicate: annOnly })).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(v.get('t7', annOnly)).toBeUndefined();
    expect(v.get('t1', annOnly)).toBeDefined();

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = v.list({ limit: 4, ...(cursor === undefined ? {} : { cursor }) });
      pages.push(page.entries.map((entry) => entry.key));
      expect(JSON.parse(page.body.toString())).toHaveLength(page.entries.length);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(pages).toEqual([
      ['t0', 't1', 't2', 't3'],
      ['t4', 't5', 't6', 't7'],
      ['t8', 't9'],
    ]);
  });
});
