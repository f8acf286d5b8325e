// The query handlers through a real Fastify app over a view of a real topic: item and list,
// ETag and 304, long poll, read-your-writes, filters and pages.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../../test/kafka/brokers.ts';
import { createKafkaClient } from '../../kafka/index.ts';
import type { KafkaClient, KafkaProducer, RecordPosition } from '../../kafka/types.ts';
import { encodeProgress, parseEtag, progressAfter } from '../progress.ts';
import { MaterializedView } from './materialized-view.ts';
import { createQueryHandler, etagMatches, nextCursorHeader, progressHeader } from './queries.ts';
import type { QueryRouteSpec } from './query-spec.ts';

describe('query handlers', () => {
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let topic: string;
  let view: MaterializedView;
  let app: FastifyInstance;

  const filters: QueryRouteSpec['filters'] = [
    { param: 'done', on: 'field', name: 'done' },
    { param: 'tenant', on: 'header', name: 'tenant' },
  ];

  function send(key: string, value: unknown, headers?: Record<string, string>) {
    return producer.send({
      topic,
      key,
      value: value === null ? null : JSON.stringify(value),
      ...(headers === undefined ? {} : { headers }),
    });
  }

  /** Sends and waits until the view holds the record. */
  async function write(
    key: string,
    value: unknown,
    headers?: Record<string, string>,
  ): Promise<RecordPosition> {
    const position = await send(key, value, headers);
    await view.waitForProgress(progressAfter(position.partition, position.offset), 10_000);
    return position;
  }

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-queries-test' });
    producer = kafka.producer();
    topic = uniqueTopic('queries');
    await kafka.admin.ensureTopics([{ topic, partitions: 3, compacted: true }]);
    for (let i = 0; i < 6; i++) {
      await send(`t${i}`, { id: `t${i}`, done: i % 2 === 0 }, { etag: `v${i}`, tenant: 'x' });
    }
    view = new MaterializedView(kafka, { topic });
    app = Fastify();
    const base = {
      kind: 'query',
      method: 'GET',
      topic: { address: topic, params: {}, compacted: true },
      filters,
      schemas: {},
    } as const;
    const item: QueryRouteSpec = {
      ...base,
      operationId: 'getTask',
      path: '/tasks/{id}',
      mode: 'item',
      keyParam: 'id',
    };
    const list: QueryRouteSpec = {
      ...base,
      operationId: 'listTasks',
      path: '/tasks',
      mode: 'list',
    };
    const paged: QueryRouteSpec = {
      ...base,
      operationId: 'pageTasks',
      path: '/paged',
      mode: 'list',
      pagination: { maxLimit: 100 },
    };
    const ctx = { view, maxWaitMs: 10_000, readYourWritesMs: 3000 };
    app.get('/tasks/:id', createQueryHandler(item, ctx));
    app.get('/tasks', createQueryHandler(list, ctx));
    app.get('/paged', createQueryHandler(paged, ctx));
    await view.ready;
  });

  afterAll(async () => {
    await app.close();
    await view.stop();
    await kafka.close();
  });

  it('answers 503 while the view is not ready', async () => {
    const loading = new MaterializedView(kafka, { topic });
    // Stopped before catching up, it never becomes ready.
    await loading.stop();
    const local = Fastify();
    local.get(
      '/tasks',
      createQueryHandler(
        {
          kind: 'query',
          method: 'GET',
          topic: { address: topic, params: {}, compacted: true },
          filters,
          schemas: {},
          operationId: 'l',
          path: '/tasks',
          mode: 'list',
        },
        { view: loading },
      ),
    );
    const response = await local.inject({ method: 'GET', url: '/tasks' });
    expect(loading.isReady()).toBe(false);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    await local.close();
  });

  it('answers an item with its value and ETag, 404 when absent or deleted', async () => {
    const found = await app.inject({ method: 'GET', url: '/tasks/t1' });
    expect(found.statusCode).toBe(200);
    expect(found.headers['content-type']).toMatch(/^application\/json/);
    expect(found.json()).toEqual({ id: 't1', done: false });
    const etag = String(found.headers.etag);
    expect(parseEtag(etag)?.recordEtag).toBe('v1');

    const missing = await app.inject({ method: 'GET', url: '/tasks/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });

    await write('gone', { id: 'gone' });
    expect((await app.inject({ method: 'GET', url: '/tasks/gone' })).statusCode).toBe(200);
    await write('gone', null);
    expect((await app.inject({ method: 'GET', url: '/tasks/gone' })).statusCode).toBe(404);
  });

  it('answers a list in key order with the view progress as ETag', async () => {
    const response = await app.inject({ method: 'GET', url: '/tasks' });
    expect(response.statusCode).toBe(200);
    const ids = (response.json() as { id: string }[]).map((task) => task.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(['t0', 't1', 't2', 't3', 't4', 't5']));
    expect(response.headers.etag).toBe(`"${view.progress()}"`);
  });

  it('answers 304 when If-None-Match equals the ETag', async () => {
    const first = await app.inject({ method: 'GET', url: '/tasks/t2' });
    const etag = String(first.headers.etag);
    const again = await app.inject({
      method: 'GET',
      url: '/tasks/t2',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const other = await app.inject({
      method: 'GET',
      url: '/tasks/t2',
      headers: { 'if-none-match': '"AQA="' },
    });
    expect(other.statusCode).toBe(200);

    const list = await app.inject({ method: 'GET', url: '/tasks' });
    const listAgain = await app.inject({
      method: 'GET',
      url: '/tasks',
      headers: { 'if-none-match': String(list.headers.etag) },
    });
    expect(listAgain.statusCode).toBe(304);
  });

  it('holds a long poll until a record changes the item', async () => {
    const first = await app.inject({ method: 'GET', url: '/tasks/t3' });
    const etag = String(first.headers.etag);
    const started = Date.now();
    const held = app.inject({
      method: 'GET',
      url: '/tasks/t3',
      headers: { 'if-none-match': etag, prefer: 'wait=5' },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A change to another key does not answer the item's long poll.
    await write('t4', { id: 't4', done: true, again: true });
    await send('t3', { id: 't3', done: true }, { etag: 'v9' });
    const response = await held;
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: 't3', done: true });
    expect(response.headers['preference-applied']).toBe('wait=5');
    expect(parseEtag(String(response.headers.etag))?.recordEtag).toBe('v9');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('holds a list long poll until the view changes', async () => {
    const first = await app.inject({ method: 'GET', url: '/tasks' });
    const held = app.inject({
      method: 'GET',
      url: '/tasks',
      headers: { 'if-none-match': String(first.headers.etag), prefer: 'wait=5' },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await send('new', { id: 'new' });
    const response = await held;
    expect(response.statusCode).toBe(200);
    expect((response.json() as { id: string }[]).map((task) => task.id)).toContain('new');
    expect(response.headers.etag).not.toBe(first.headers.etag);
  });

  it('answers a long poll with 304 and Preference-Applied when nothing changes', async () => {
    const first = await app.inject({ method: 'GET', url: '/tasks/t5' });
    const started = Date.now();
    const response = await app.inject({
      method: 'GET',
      url: '/tasks/t5',
      headers: { 'if-none-match': String(first.headers.etag), prefer: 'wait=1' },
    });
    expect(response.statusCode).toBe(304);
    expect(response.headers['preference-applied']).toBe('wait=1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('waits for a read-your-writes progress token before answering', async () => {
    const position = await send('ryw', { id: 'ryw' });
    const token = encodeProgress(progressAfter(position.partition, position.offset));
    const response = await app.inject({
      method: 'GET',
      url: '/tasks/ryw',
      headers: { [progressHeader]: token },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: 'ryw' });

    const bad = await app.inject({
      method: 'GET',
      url: '/tasks/ryw',
      headers: { [progressHeader]: 'garbage!' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('filters on a JSON field and on a header', async () => {
    const done = await app.inject({ method: 'GET', url: '/tasks?done=true' });
    const tasks = done.json() as { done: boolean }[];
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((task) => task.done)).toBe(true);
    const tenant = await app.inject({ method: 'GET', url: '/tasks?tenant=x' });
    expect((tenant.json() as { id: string }[]).map((task) => task.id)).toContain('t0');
    const none = await app.inject({ method: 'GET', url: '/tasks?tenant=nobody' });
    expect(none.json()).toEqual([]);
    // On an item, a filter that does not match means not found.
    expect((await app.inject({ method: 'GET', url: '/tasks/t1?done=true' })).statusCode).toBe(404);
  });

  it('pages a list with a cursor in Link and specgate-next-cursor', async () => {
    const all = (await app.inject({ method: 'GET', url: '/tasks' })).json() as { id: string }[];
    const seen: string[] = [];
    let url: string | undefined = '/paged?limit=3';
    let pages = 0;
    while (url !== undefined) {
      const target: string = url;
      const response = await app.inject({ method: 'GET', url: target });
      expect(response.statusCode).toBe(200);
      const page = response.json() as { id: string }[];
      expect(page.length).toBeLessThanOrEqual(3);
      seen.push(...page.map((task) => task.id));
      const link: unknown = response.headers.link;
      const cursor = response.headers[nextCursorHeader];
      if (typeof link === 'string') {
        expect(link).toContain(`cursor=${String(cursor)}`);
        url = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      } else {
        url = undefined;
      }
      pages++;
    }
    expect(seen).toEqual(all.map((task) => task.id));
    expect(pages).toBe(Math.ceil(all.length / 3));

    const badLimit = await app.inject({ method: 'GET', url: '/paged?limit=0' });
    expect(badLimit.statusCode).toBe(400);
    const badCursor = await app.inject({ method: 'GET', url: '/paged?cursor=%%%' });
    expect(badCursor.statusCode).toBe(400);
  });
});

describe('etagMatches', () => {
  const table: readonly [string, string, boolean][] = [
    ['"a/b"', '"a/b"', true],
    ['W/"a/b"', '"a/b"', true],
    ['a/b', '"a/b"', true],
    ['"x", "a/b"', '"a/b"', true],
    ['*', '"a/b"', true],
    ['"a"', '"a/b"', false],
    ['"x", "y"', '"a/b"', false],
  ];
  it.each(table)('If-None-Match %s vs %s is %s', (ifNoneMatch, etag, want) => {
    expect(etagMatches(ifNoneMatch, etag)).toBe(want);
  });
});
