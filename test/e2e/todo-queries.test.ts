/**
 * Queries end to end (design §5): the todo gateway generated from specs/todo, running against
 * the real broker, answering item and list queries from its view of `task-snapshots`. The
 * snapshots are produced straight to the topic, as the todo service would. The topic is shared
 * by every run, so each test uses ids of its own and looks only at them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient, KafkaProducer } from '../../runtime/kafka/types.ts';
import { encodeProgress, parseEtag, progressAfter } from '../../runtime/gateway/progress.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { ensureTodoTopics, generateGateway, startGenerated, testKafka } from './support.ts';

const topic = 'task-snapshots';

let kafka: KafkaClient;
let producer: KafkaProducer;
let gateway: { gateway: Gateway; url: string };

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  producer = kafka.producer();
  const out = await generateGateway(
    'todo-queries',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  gateway = await startGenerated(out, { brokers });
}, 120_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await producer?.close();
  await kafka?.close();
});

interface Task {
  readonly id: string;
  readonly title: string;
  readonly done: boolean;
}

/**
 * Produces a snapshot (a tombstone when `task` is null) and returns the progress token just past
 * it, which a query sends as `specgate-progress` to read its own write.
 */
async function put(id: string, task: Task | null, etag?: string): Promise<string> {
  const position = await producer.send({
    topic,
    key: Buffer.from(id),
    value: task === null ? null : Buffer.from(JSON.stringify(task)),
    headers: etag === undefined ? {} : { etag },
  });
  return encodeProgress(progressAfter(position.partition, position.offset));
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}${path}`, { headers });
}

function task(id: string, title: string): Task {
  return { id, title, done: false };
}

describe('item queries', () => {
  it('answers the latest value with an ETag of the view progress and the record etag', async () => {
    const id = randomUUID();
    await put(id, task(id, 'first'), 'v1');
    const progress = await put(id, task(id, 'second'), 'v2');
    const response = await get(`/tasks/${id}`, { 'specgate-progress': progress });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual(task(id, 'second'));
    const etag = response.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+=*\/v2"$/);
    // The progress part names the partition and the offset just past the record.
    expect(parseEtag(etag)).toMatchObject({ recordEtag: 'v2' });
    expect(parseEtag(etag)?.progress).toEqual(parseEtag(progress)?.progress);
  });

  it('has an ETag of the progress alone when the record carries no etag header', async () => {
    const id = randomUUID();
    const progress = await put(id, task(id, 'plain'));
    const response = await get(`/tasks/${id}`, { 'specgate-progress': progress });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${progress}"`);
  });

  it('answers 404 with a problem for a deleted id and for an unknown one', async () => {
    const id = randomUUID();
    await put(id, task(id, 'doomed'), 'v1');
    const progress = await put(id, null);
    for (const missing of [id, randomUUID()]) {
      const response = await get(`/tasks/${missing}`, { 'specgate-progress': progress });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });

  it('answers 304 to an If-None-Match that matches', async () => {
    const id = randomUUID();
    const progress = await put(id, task(id, 'same'), 'v1');
    const first = await get(`/tasks/${id}`, { 'specgate-progress': progress });
    const etag = first.headers.get('etag') ?? '';
    const again = await get(`/tasks/${id}`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
  });

  it('holds a long poll until the task changes, then answers 200 with the new value', async () => {
    const id = randomUUID();
    const progress = await put(id, task(id, 'before'), 'v1');
    const first = await get(`/tasks/${id}`, { 'specgate-progress': progress });
    const etag = first.headers.get('etag') ?? '';
    const started = Date.now();
    const polling = get(`/tasks/${id}`, { 'if-none-match': etag, prefer: 'wait=5' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await put(id, task(id, 'after'), 'v2');
    const response = await polling;
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.headers.get('preference-applied')).toBe('wait=5');
    expect(await response.json()).toEqual(task(id, 'after'));
    expect(response.headers.get('etag')).toMatch(/\/v2"$/);
  });

  it('answers a long poll that sees no change with 304 and Preference-Applied', async () => {
    const id = randomUUID();
    const progress = await put(id, task(id, 'still'), 'v1');
    const first = await get(`/tasks/${id}`, { 'specgate-progress': progress });
    const etag = first.headers.get('etag') ?? '';
    const started = Date.now();
    const response = await get(`/tasks/${id}`, { 'if-none-match': etag, prefer: 'wait=1' });
    expect(response.status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(response.headers.get('preference-applied')).toBe('wait=1');
    expect(response.headers.get('etag')).toBe(etag);
  });
});

describe('list queries', () => {
  it('answers every live task in key order, with the view progress as ETag', async () => {
    const run = randomUUID();
    const ids = [`${run}-c`, `${run}-a`, `${run}-d`, `${run}-b`];
    for (const id of ids) await put(id, task(id, id.slice(-1)), 'v1');
    const progress = await put(`${run}-d`, null);
    const response = await get('/tasks', { 'specgate-progress': progress });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const tasks = (await response.json()) as Task[];
    const keys = tasks.map((t) => t.id);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(keys.filter((id) => id.startsWith(run))).toEqual([`${run}-a`, `${run}-b`, `${run}-c`]);
    const etag = response.headers.get('etag') ?? '';
    // A list ETag is the view's progress: no record etag part.
    expect(parseEtag(etag)).toMatchObject({ token: expect.any(String) });
    expect(parseEtag(etag)?.recordEtag).toBeUndefined();
  });
});

it('answers 405 with Allow for a method no route of the path has', async () => {
  const response = await fetch(`${gateway.url}/tasks`, { method: 'PATCH' });
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
});
