// The todo app end to end over real HTTP and a real broker: the generated gateway in front of the
// real task service (examples/todo/service.ts, built on the generated handlers). The example
// uses the fixed todo topic names, which other test files also use with a stand-in service, so
// this file runs on a broker of its own.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../examples/todo/demo.ts';
import { routes } from '../../examples/todo/generated/gateway/routes.ts';
import { spec } from '../../examples/todo/generated/gateway/spec.ts';
import { openGateway } from '../../runtime/gateway/gateway.ts';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';
import { startReadyChild, type ReadyChild } from '../process/ready-child.ts';

let broker: Broker | undefined;

beforeAll(async () => {
  broker = await startBroker();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

function brokers(): string[] {
  if (broker === undefined) throw new Error('the broker did not start');
  return [broker.brokers];
}

interface Answer {
  readonly status: number;
  readonly etag: string | null;
  /** The command's `specgate-progress`: a read that sends it back sees the command's effect. */
  readonly progress: string | null;
  readonly body: unknown;
}

async function call(
  base: string,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['idempotency-key'] ??= crypto.randomUUID();
  const response = await fetch(new URL(path, base), {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    progress: response.headers.get('specgate-progress'),
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

describe('the todo app', () => {
  it('answers a stale If-Match with 412, keeps the history, and undoes change after change', async () => {
    const demo: Demo = await startDemo({ brokers: brokers() });
    try {
      const id = `task-${crypto.randomUUID()}`;
      const created = await call(demo.url, 'POST', '/tasks', {
        body: { title: 'Buy milk' },
        headers: { 'idempotency-key': id },
      });
      expect(created).toMatchObject({ status: 201, body: { id, title: 'Buy milk', version: 1 } });
      const first = created.etag ?? '';
      expect(first).toMatch(/^"[A-Za-z0-9_=-]+\/v1"$/);

      const renamed = await call(demo.url, 'PUT', `/tasks/${id}`, {
        body: { title: 'Buy oat milk' },
        headers: { 'if-match': first },
      });
      expect(renamed).toMatchObject({ status: 200, body: { title: 'Buy oat milk', version: 2 } });

      // The first ETag is stale now: the service refuses, and the caller gets the 412.
      const stale = await call(demo.url, 'POST', `/tasks/${id}/complete`, {
        body: { done: true },
        headers: { 'if-match': first },
      });
      expect(stale).toMatchObject({ status: 412, body: { status: 412 } });

      const done = await call(demo.url, 'POST', `/tasks/${id}/complete`, {
        body: { done: true },
        headers: { 'if-match': renamed.etag ?? '' },
      });
      expect(done).toMatchObject({ status: 200, body: { done: true, version: 3 } });

      // Undo takes back the completion, then the rename, then the creation.
      expect(await call(demo.url, 'POST', `/tasks/${id}/undo`)).toMatchObject({
        status: 200,
        body: { title: 'Buy oat milk', done: false, version: 4 },
      });
      expect(await call(demo.url, 'POST', `/tasks/${id}/undo`)).toMatchObject({
        status: 200,
        body: { title: 'Buy milk', done: false, version: 5 },
      });
      const uncreated = await call(demo.url, 'POST', `/tasks/${id}/undo`);
      expect(uncreated.status).toBe(204);
      // Read-your-writes: with the undo's progress, the read waits for the tombstone.
      const after = await call(demo.url, 'GET', `/tasks/${id}`, {
        headers: { 'specgate-progress': uncreated.progress ?? '' },
      });
      expect(after.status).toBe(404);
      expect(await call(demo.url, 'POST', `/tasks/${id}/undo`)).toMatchObject({ status: 409 });
      expect((await call(demo.url, 'POST', `/tasks/missing-${id}/undo`)).status).toBe(404);

      const history = await call(demo.url, 'GET', `/tasks/${id}/history`);
      expect(history.status).toBe(200);
      const entries = history.body as { event: string; data: { undid?: string } }[];
      expect(entries.map((entry) => entry.event)).toEqual([
        'TaskCreated',
        'TaskRenamed',
        'TaskCompleted',
        'TaskUndone',
        'TaskUndone',
        'TaskUndone',
      ]);
      expect(entries.slice(3).map((entry) => entry.data.undid)).toEqual([
        'TaskCompleted',
        'TaskRenamed',
        'TaskCreated',
      ]);
    } finally {
      await demo.close();
    }
  }, 60_000);

  it('loses and doubles nothing when the service is SIGKILLed in the middle of a stream of commands', async () => {
    const gateway = openGateway({ spec, routes, brokers: brokers(), replyTimeoutMs: 60_000 });
    const base = await gateway.listen({ host: '127.0.0.1', port: 0 });
    const services: ChildProcess[] = [];
    try {
      const first = startService(brokers());
      services.push(first.process);
      await Promise.all([first.ready, gateway.ready]);

      // 12 tasks, each created and then renamed 5 times, 4 tasks at a time.
      const tasks = Array.from({ length: 12 }, (_, n) => `crash-${n}-${crypto.randomUUID()}`);
      let acknowledged = 0;
      const work = async (id: string): Promise<number[]> => {
        const statuses: number[] = [];
        const created = await call(base, 'POST', '/tasks', {
          body: { title: `${id} 0` },
          headers: { 'idempotency-key': id },
        });
        statuses.push(created.status);
        acknowledged++;
        for (let n = 1; n <= 5; n++) {
          const renamed = await call(base, 'PUT', `/tasks/${id}`, {
            body: { title: `${id} ${n}` },
          });
          statuses.push(renamed.status);
          acknowledged++;
        }
        return statuses;
      };
      const results: Promise<number[]>[] = [];
      const queue = [...tasks];
      const lanes = Array.from({ length: 4 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const result = work(id);
          results.push(result);
          await result;
        }
      });

      // Kill the service once some commands are answered and most are still to come.
      while (acknowledged < 20) await new Promise((resolve) => setTimeout(resolve, 5));
      first.process.kill('SIGKILL');
      expect(acknowledged).toBeLessThan(tasks.length * 6);
      await first.exited;
      const second = startService(brokers());
      services.push(second.process);
      await second.ready;
      await Promise.all(lanes);

      const statuses = (await Promise.all(results)).flat();
      expect(statuses).toEqual(tasks.flatMap(() => [201, 200, 200, 200, 200, 200]));

      // What Kafka holds (read_committed): per command one reply, per task one event per
      // command, in order, and a snapshot at the last version.
      const commands = (await readTopic('task-commands', { brokers: brokers() })).filter((c) =>
        tasks.includes(c.key?.toString() ?? ''),
      );
      expect(commands).toHaveLength(tasks.length * 6);
      const replies = await readTopic('task-replies', { brokers: brokers() });
      for (const command of commands) {
        const correlationId = headerOf(command, 'zilla:correlation-id');
        const matching = replies.filter(
          (reply) => headerOf(reply, 'zilla:correlation-id') === correlationId,
        );
        expect(matching, `replies to ${correlationId}`).toHaveLength(1);
      }
      const events = await readTopic('task-events', { brokers: brokers() });
      const snapshots = await readTopic('task-snapshots', { brokers: brokers() });
      for (const id of tasks) {
        const own = events.filter((event) => event.key?.toString() === id);
        expect(own.map((event) => headerOf(event, 'event-type'))).toEqual([
          'TaskCreated',
          ...Array.from({ length: 5 }, () => 'TaskRenamed'),
        ]);
        const latest = snapshots.filter((s) => s.key?.toString() === id).at(-1);
        expect(JSON.parse(latest?.value?.toString() ?? 'null')).toMatchObject({
          title: `${id} 5`,
          version: 6,
        });
      }
    } finally {
      for (const service of services) if (service.exitCode === null) service.kill('SIGKILL');
      await gateway.close();
    }
  }, 120_000);
});

function headerOf(record: TopicRecord, name: string): string | undefined {
  const value = record.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

const serviceMain = fileURLToPath(new URL('../../examples/todo/service-main.ts', import.meta.url));

/** The task service as a child process (same instance id each time, as a restart is). */
function startService(brokers: readonly string[]): ReadyChild {
  return startReadyChild(serviceMain, {
    KAFKA_BROKERS: brokers.join(','),
    SERVICE_INSTANCE: '0',
    SERVICE_SESSION_TIMEOUT_MS: '6000',
  });
}
