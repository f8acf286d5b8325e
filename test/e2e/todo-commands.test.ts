/**
 * Commands end to end (issue 4): the todo gateway generated from specs/todo, running against
 * the real broker, driven over HTTP while a responder plays the service.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient, KafkaRecord } from '../../runtime/kafka/types.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { readTopic } from '../kafka/read-topic.ts';
import {
  ensureTodoTopics,
  eventually,
  generateGateway,
  repoRoot,
  startGenerated,
  startTodoResponder,
  testKafka,
} from './support.ts';

let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let out: string;
let a: { gateway: Gateway; url: string };
let b: { gateway: Gateway; url: string };

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  out = await generateGateway('todo', 'specs/todo/openapi.yaml', 'specs/todo/asyncapi.yaml');
  responder = await startTodoResponder(kafka);
  a = await startGenerated(out, { brokers, replyTimeoutMs: 1500 });
  b = await startGenerated(out, { brokers, replyTimeoutMs: 1500 });
}, 120_000);

afterAll(async () => {
  await a?.gateway.close();
  await b?.gateway.close();
  await responder?.stop();
  await kafka?.close();
});

function post(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function commandsWithKey(key: string): KafkaRecord[] {
  return responder.commands.filter((r) => r.key?.toString() === key);
}

describe('request-reply commands', () => {
  it('produces the record and answers with the reply: status, declared headers, body', async () => {
    const id = randomUUID();
    const response = await post(
      a.url,
      '/tasks',
      { title: 'buy milk' },
      {
        'idempotency-key': id,
        authorization: 'Bearer secret',
        cookie: 'session=1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/tasks/${id}`);
    // The reply's `etag: v1` in Zilla's ETag shape, with the progress of the snapshot the
    // service wrote: what a read of the task answers, and what If-Match sends back as `v1`.
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_=-]+\/v1"$/);
    expect(await response.json()).toEqual({ id, title: 'buy milk', done: false, version: 1 });

    const [record] = commandsWithKey(id);
    expect(record?.value?.toString()).toBe('{"title":"buy milk"}');
    expect(record?.headers).toMatchObject({
      'content-type': 'application/json',
      'command-type': 'CreateTask',
      'idempotency-key': id,
      'zilla:reply-to': 'task-replies',
      ':method': 'POST',
      ':path': '/tasks',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(record?.headers['zilla:correlation-id']).toMatch(/.+/);
    expect(record?.headers).not.toHaveProperty('authorization');
    expect(record?.headers).not.toHaveProperty('cookie');
  });

  it('keys by the path parameter and forwards the etag part of If-Match', async () => {
    const id = randomUUID();
    expect(
      (await post(a.url, '/tasks', { title: 'first' }, { 'idempotency-key': id })).status,
    ).toBe(201);
    const renamed = await fetch(`${a.url}/tasks/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ title: 'second' }),
      headers: { 'content-type': 'application/json', 'if-match': 'AAAA/v1' },
    });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id, title: 'second', version: 2 });
    const stale = await fetch(`${a.url}/tasks/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ title: 'third' }),
      headers: { 'content-type': 'application/json', 'if-match': 'AAAA/v1' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    const records = commandsWithKey(id);
    expect(records.map((r) => r.headers['if-match'])).toEqual([undefined, 'v1', 'v1']);
    // An If-Match without a "/" is not Zilla's form: it is not forwarded.
    await fetch(`${a.url}/tasks/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ title: 'fourth' }),
      headers: { 'content-type': 'application/json', 'if-match': 'v2' },
    });
    const last = await eventually(() => commandsWithKey(id)[3]);
    expect(last.headers).not.toHaveProperty('if-match');
  });

  it('writes an empty, non-null value for a DELETE with a reply topic, and answers its 204', async () => {
    const id = randomUUID();
    await post(a.url, '/tasks', { title: 'doomed' }, { 'idempotency-key': id });
    const deleted = await fetch(`${a.url}/tasks/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const record = commandsWithKey(id)[1];
    expect(record?.headers['command-type']).toBe('DeleteTask');
    expect(record?.value).not.toBeNull();
    expect(record?.value?.length).toBe(0);
  });

  it('answers 202 + Location when the reply does not come in time, and the Location collects it later', async () => {
    const id = `no-reply-${randomUUID()}`;
    const started = Date.now();
    const response = await post(
      a.url,
      '/tasks',
      { title: 'unanswered' },
      { 'idempotency-key': id },
    );
    expect(response.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const location = response.headers.get('location');
    expect(location).toMatch(/^\/tasks;cid=/);
    // Nothing yet: 202 again, with the same Location.
    const pending = await fetch(`${a.url}${location}`);
    expect(pending.status).toBe(202);
    expect(pending.headers.get('location')).toBe(location);
  });

  it('answers respond-async at once, and GET on the Location with Prefer: wait returns the reply', async () => {
    const id = randomUUID();
    const response = await post(
      a.url,
      '/tasks',
      { title: 'later' },
      { 'idempotency-key': id, prefer: 'respond-async' },
    );
    expect(response.status).toBe(202);
    const location = response.headers.get('location') ?? '';
    // Any instance can answer it: B reads the same reply topic.
    const collected = await fetch(`${b.url}${location}`, { headers: { prefer: 'wait=5' } });
    expect(collected.status).toBe(201);
    expect(await collected.json()).toMatchObject({ id, title: 'later' });
  });

  it('collects an async answer on a path with parameters, beside the item query', async () => {
    const id = randomUUID();
    const response = await fetch(`${a.url}/tasks/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ title: 'renamed' }),
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
    });
    expect(response.status).toBe(202);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^/tasks/${id};cid=`));
    const collected = await fetch(`${a.url}${location}`, { headers: { prefer: 'wait=5' } });
    expect(collected.status).toBe(200);
    expect(await collected.json()).toMatchObject({ id, title: 'renamed' });
  });
});

describe('idempotency', () => {
  it('replays the first answer to a retry, on another instance too, and produces one record', async () => {
    const id = randomUUID();
    const first = await post(a.url, '/tasks', { title: 'once' }, { 'idempotency-key': id });
    const again = await post(b.url, '/tasks', { title: 'once' }, { 'idempotency-key': id });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    // Give a wrongly produced second record time to arrive before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(commandsWithKey(id)).toHaveLength(1);
  });

  it('lets exactly one of two concurrent identical requests produce', async () => {
    const id = randomUUID();
    const [x, y] = await Promise.all([
      post(a.url, '/tasks', { title: 'race' }, { 'idempotency-key': id }),
      post(b.url, '/tasks', { title: 'race' }, { 'idempotency-key': id }),
    ]);
    expect([x.status, y.status]).toEqual([201, 201]);
    await new Promise((r) => setTimeout(r, 500));
    expect(commandsWithKey(id)).toHaveLength(1);
  });

  it('answers 422 when the key is reused with another body', async () => {
    const id = randomUUID();
    expect((await post(a.url, '/tasks', { title: 'one' }, { 'idempotency-key': id })).status).toBe(
      201,
    );
    const reused = await post(b.url, '/tasks', { title: 'two' }, { 'idempotency-key': id });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('replays after a gateway restart: the store is Kafka, not memory', async () => {
    const id = randomUUID();
    const first = await post(a.url, '/tasks', { title: 'survivor' }, { 'idempotency-key': id });
    expect(first.status).toBe(201);
    const fresh = await startGenerated(out, { brokers: kafkaBrokers(), replyTimeoutMs: 1500 });
    try {
      const again = await post(
        fresh.url,
        '/tasks',
        { title: 'survivor' },
        { 'idempotency-key': id },
      );
      expect(again.status).toBe(201);
      expect(await again.json()).toEqual(await first.json());
    } finally {
      await fresh.gateway.close();
    }
    expect(commandsWithKey(id)).toHaveLength(1);
  });
});

describe('bad input is a problem+json answer', () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    [
      'malformed JSON',
      () => post(a.url, '/tasks', '{"title":', { 'idempotency-key': 'x1' }),
      400,
      'MALFORMED_JSON',
    ],
    [
      'a body that breaks the schema',
      () => post(a.url, '/tasks', { titel: 'typo' }, { 'idempotency-key': 'x2' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a missing required header',
      () => post(a.url, '/tasks', { title: 'no key' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'another media type',
      () =>
        fetch(`${a.url}/tasks`, {
          method: 'POST',
          body: 'title',
          headers: { 'content-type': 'text/plain', 'idempotency-key': 'x3' },
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body over the limit',
      () => post(a.url, '/tasks', { title: 'x'.repeat(2_000_000) }, { 'idempotency-key': 'x4' }),
      413,
      'BODY_TOO_LARGE',
    ],
    ['an unknown path', () => fetch(`${a.url}/nothing-here`), 404, 'NOT_FOUND'],
    [
      'a method the path lacks',
      () => fetch(`${a.url}/tasks/abc`, { method: 'PATCH' }),
      405,
      'METHOD_NOT_ALLOWED',
    ],
  ];
  it.each(cases)('%s', async (_name, send, status, code) => {
    const before = responder.commands.length;
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status, code });
    expect(responder.commands.length).toBe(before);
  });

  it('names the failing JSON pointer', async () => {
    const response = await post(
      a.url,
      '/tasks',
      { title: 42 },
      { 'idempotency-key': randomUUID() },
    );
    const problem = (await response.json()) as { errors: { pointer: string }[] };
    expect(problem.errors[0]?.pointer).toBe('/body/title');
  });
});

describe('a reply timeout without a declared 202', () => {
  it('answers 504', async () => {
    // completeTask without its 202: the only answer to a missing reply is 504.
    const openapi = parse(await readFile(join(repoRoot, 'specs/todo/openapi.yaml'), 'utf8')) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const complete = openapi.paths['/tasks/{id}/complete']?.post;
    if (complete === undefined) throw new Error('specs/todo changed: no POST /tasks/{id}/complete');
    delete complete.responses['202'];
    const patched = join(repoRoot, 'test/.tmp', `todo-no-202-${randomUUID().slice(0, 8)}.yaml`);
    await writeFile(patched, stringify(openapi));
    const noAsync = await generateGateway('todo-no-202', patched, 'specs/todo/asyncapi.yaml');
    const gateway = await startGenerated(noAsync, {
      brokers: kafkaBrokers(),
      replyTimeoutMs: 1000,
    });
    try {
      const response = await post(gateway.url, `/tasks/no-reply-${randomUUID()}/complete`, {
        done: true,
      });
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ status: 504, code: 'REPLY_TIMEOUT' });
    } finally {
      await gateway.gateway.close();
    }
  });
});

describe('one-way commands (petstore)', () => {
  it('produces with acks=all and answers the declared status; a body-less DELETE writes a tombstone', async () => {
    await kafka.admin.ensureTopics([{ topic: 'petstore', partitions: 3, compacted: true }]);
    const pets = await generateGateway(
      'petstore',
      'specs/petstore/openapi.yaml',
      'specs/petstore/asyncapi.yaml',
    );
    const gateway = await startGenerated(pets, { brokers: kafkaBrokers() });
    try {
      const id = randomUUID();
      const created = await post(
        gateway.url,
        '/pets',
        { id, name: 'Rex' },
        { 'idempotency-key': id },
      );
      expect(created.status).toBe(202);
      const deleted = await fetch(`${gateway.url}/pets/${id}`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      const records = (await readTopic('petstore')).filter((r) => r.key?.toString() === id);
      expect(records.map((r) => r.value?.toString() ?? null)).toEqual([
        JSON.stringify({ id, name: 'Rex' }),
        null,
      ]);
    } finally {
      await gateway.gateway.close();
    }
  });
});
