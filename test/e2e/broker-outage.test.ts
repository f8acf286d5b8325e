/**
 * design §11: when the broker goes away, commands answer 503 quickly (with Retry-After), and
 * when it returns they work again in the same gateway process, without a restart. This file
 * runs its own broker (not the shared one) so it can stop and restart it on the same port.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { generateGateway, startGenerated, startTodoResponder, testKafka } from './support.ts';

let broker: Broker;
let dataDir: string;
let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let gateway: { gateway: Gateway; url: string };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'specgate-outage-'));
  broker = await startBroker({ dataDir });
  kafka = testKafka([broker.brokers]);
  await kafka.admin.ensureTopics([
    { topic: 'task-commands', partitions: 3 },
    { topic: 'task-replies', partitions: 3 },
    // The gateway's view of the queried topic must catch up before it starts.
    { topic: 'task-snapshots', partitions: 3, compacted: true },
  ]);
  responder = await startTodoResponder(kafka);
  const out = await generateGateway(
    'todo-outage',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  gateway = await startGenerated(out, { brokers: [broker.brokers], replyTimeoutMs: 5000 });
}, 180_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await responder?.stop();
  await kafka?.close();
  await broker?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function create(title: string): Promise<Response> {
  return fetch(`${gateway.url}/tasks`, {
    method: 'POST',
    body: JSON.stringify({ title }),
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
  });
}

it('answers 503 within 5 s while the broker is down, and recovers without a restart', async () => {
  expect((await create('before')).status).toBe(201);

  await broker.stop();
  const started = Date.now();
  const during = await create('during');
  const elapsed = Date.now() - started;
  expect(during.status).toBe(503);
  expect(elapsed).toBeLessThan(5000);
  expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await during.json()).toMatchObject({ status: 503, code: 'KAFKA_UNAVAILABLE' });

  broker = await startBroker({ dataDir, port: broker.port });
  // Same gateway process: the producer, the reply reader and the idempotency view reconnect.
  let after: Response | undefined;
  const deadline = Date.now() + 30_000;
  do {
    after = await create('after');
  } while (after.status === 503 && Date.now() < deadline);
  expect(after.status).toBe(201);
  expect(await after.json()).toMatchObject({ title: 'after' });
}, 120_000);
