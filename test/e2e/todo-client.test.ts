/**
 * The generated todo client end to end (design §7): generated with the gateway from specs/todo,
 * it calls every operation of the running generated gateway, against the real broker, with the
 * stand-in service of support.ts answering commands. Its types are those of the golden client
 * (test/golden/client/todo), which the golden test keeps equal to what the generator writes.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientOptions } from '../../runtime/client/index.ts';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import type { TodoClient } from '../golden/client/todo/client/index.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { readTopic } from '../kafka/read-topic.ts';
import {
  ensureTodoTopics,
  generateGateway,
  startGenerated,
  startTodoResponder,
  testKafka,
} from './support.ts';

let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let gateway: { gateway: Gateway; url: string };
let createClient: (options: ClientOptions) => TodoClient;
let client: TodoClient;

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  responder = await startTodoResponder(kafka);
  const out = await generateGateway(
    'todo-client',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  gateway = await startGenerated(out, { brokers, streams: { retryMs: 200 } });
  const module: unknown = await import(pathToFileURL(join(out, 'client/index.ts')).href);
  createClient = (module as { createClient: typeof createClient }).createClient;
  client = createClient({ baseUrl: gateway.url, retry: { baseDelayMs: 20 } });
}, 120_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await responder?.stop();
  await kafka?.close();
});

function data<T>(result: { ok: true; data: T } | { ok: false; status: number; error: unknown }): T {
  if (!result.ok) throw new Error(`${result.status}: ${JSON.stringify(result.error)}`);
  return result.data;
}

describe('the generated todo client', () => {
  it('calls every operation', async () => {
    const id = `client-${randomUUID()}`;
    const created = await client.createTask(
      { body: { title: 'write it' } },
      { idempotencyKey: id },
    );
    expect(created).toMatchObject({ ok: true, status: 201, data: { id, title: 'write it' } });
    const progress = created.ok ? created.progress : undefined;
    expect(progress).toContain('task-snapshots=');

    const read = await client.getTask({ params: { id } }, { progress });
    expect(data(read)).toMatchObject({ id, title: 'write it', done: false });
    const list = await client.listTasks({ progress });
    expect(data(list).some((task) => task.id === id)).toBe(true);

    const renamed = await client.renameTask({ params: { id }, body: { title: 'rewrite it' } });
    expect(data(renamed)).toMatchObject({ title: 'rewrite it' });
    const completed = await client.completeTask({ params: { id }, body: { done: true } });
    expect(data(completed)).toMatchObject({ done: true });

    const history = await client.getTaskHistory({ params: { id } });
    expect(data(history).map((entry) => entry.event)).toEqual([
      'TaskCreated',
      'TaskRenamed',
      'TaskCompleted',
    ]);

    const deleted = await client.deleteTask({ params: { id } });
    expect(deleted).toMatchObject({ ok: true, status: 204 });
    const gone = await client.getTask(
      { params: { id } },
      { progress: deleted.ok ? deleted.progress : undefined },
    );
    expect(gone).toMatchObject({ ok: false, status: 404, error: { status: 404 } });
  });

  it('retries a command whose answer was lost, and the command is produced once', async () => {
    const id = `retry-${randomUUID()}`;
    let calls = 0;
    // The first answer is lost on the way back, after the gateway has produced the record.
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      calls++;
      if (calls === 1) {
        await response.arrayBuffer();
        throw new TypeError('fetch failed: connection reset');
      }
      return response;
    };
    const retrying = createClient({
      baseUrl: gateway.url,
      fetch: lossy,
      retry: { baseDelayMs: 20 },
    });
    const created = await retrying.createTask(
      { body: { title: 'exactly once' } },
      { idempotencyKey: id },
    );
    expect(created).toMatchObject({ ok: true, status: 201, data: { id } });
    expect(calls).toBe(2);
    const records = (await readTopic('task-commands')).filter((r) => r.key?.toString() === id);
    expect(records).toHaveLength(1);
  });

  it('sends an async command and collects its reply from the Location', async () => {
    const id = `async-${randomUUID()}`;
    const created = await client.createTask(
      { body: { title: 'later' } },
      { idempotencyKey: id, async: { waitSeconds: 5 } },
    );
    expect(created).toMatchObject({ ok: true, status: 201, data: { id, title: 'later' } });
  });

  it('watches a task and yields its change', async () => {
    const id = `watch-${randomUUID()}`;
    const created = await client.createTask({ body: { title: 'v1' } }, { idempotencyKey: id });
    const watch = client.watchGetTask(
      { params: { id } },
      { progress: created.ok ? created.progress : undefined, waitSeconds: 10 },
    );
    try {
      const first = await watch.next();
      expect(first.value).toMatchObject({ id, title: 'v1' });
      await client.renameTask({ params: { id }, body: { title: 'v2' } });
      const second = await watch.next();
      expect(second.value).toMatchObject({ id, title: 'v2' });
    } finally {
      watch.close();
    }
  });

  it('streams the tasks across a forced disconnect, with no gap and no duplicate', async () => {
    const mine = `stream-${randomUUID().slice(0, 8)}-`;
    const bodies: ReadableStreamDefaultController<Uint8Array>[] = [];
    // Every stream response goes through a body the test can break, as a dropped connection.
    const breakable: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const source = response.body;
      if (source === null || !response.headers.get('content-type')?.includes('event-stream')) {
        return response;
      }
      const reader = source.getReader();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          bodies.push(controller);
        },
        async pull(controller) {
          const chunk = await reader
            .read()
            .catch(() => ({ done: true as const, value: undefined }));
          if (chunk.done) controller.close();
          else controller.enqueue(chunk.value);
        },
        cancel() {
          void reader.cancel();
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const streaming = createClient({ baseUrl: gateway.url, fetch: breakable });
    const create = async (name: string): Promise<string | undefined> => {
      const result = await client.createTask(
        { body: { title: name } },
        { idempotencyKey: `${mine}${name}` },
      );
      return result.ok ? result.progress : undefined;
    };
    const progress = await create('a');
    const stream = streaming.streamListTasks({ progress });
    const seen: string[] = [];
    const next = async (): Promise<string> => {
      for (;;) {
        const { value, done } = await stream.next();
        if (done === true) throw new Error('the stream ended');
        const key = value.event === 'delete' ? value.key : value.data.id;
        if (!key.startsWith(mine)) continue;
        const text = value.event === 'delete' ? `delete ${key}` : `${key} ${value.data.title}`;
        seen.push(text);
        return text;
      }
    };
    try {
      expect(await next()).toBe(`${mine}a a`);
      await create('b');
      expect(await next()).toBe(`${mine}b b`);

      // The connection drops; records arrive while the client is away.
      bodies.at(-1)?.error(new TypeError('network connection lost'));
      await create('c');
      await client.deleteTask({ params: { id: `${mine}a` } });
      const after = [await next(), await next()];
      expect(after.sort()).toEqual([`${mine}c c`, `delete ${mine}a`].sort());
      expect(bodies.length).toBe(2);

      await create('d');
      expect(await next()).toBe(`${mine}d d`);
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      stream.close();
    }
  });
});
