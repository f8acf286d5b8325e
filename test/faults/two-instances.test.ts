/**
 * design §12: two gateway instances behind a round-robin proxy (round-robin-proxy.ts), each
 * request to the next instance, and every feature works whichever instance gets a request:
 * commands with their Idempotency-Key replayed by the other instance, request-reply, the async
 * Location collected on the other instance, queries that read the other instance's writes, long
 * polls woken by a command the other instance ran, history, and streams resumed on the other
 * instance without gap or duplicate. This file runs its own broker, so the counts and the
 * streams hold its own records only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../examples/todo/generated/client/index.ts';
import { routes } from '../../examples/todo/generated/gateway/routes.ts';
import { spec } from '../../examples/todo/generated/gateway/spec.ts';
import { createGateway, type Gateway } from '../../runtime/gateway/gateway.ts';
import { SseClient } from '../../runtime/gateway/streams/test-sse-client.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { startTodoResponder, testKafka } from '../e2e/support.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.ts';
import { commandsPerIdempotencyKey, sorted, until } from './support.ts';

let broker: Broker;
let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let gateways: Gateway[] = [];
let proxy: RoundRobinProxy;

beforeAll(async () => {
  broker = await startBroker();
  kafka = testKafka([broker.brokers]);
  responder = await startTodoResponder(kafka);
  gateways = await Promise.all(
    [0, 1].map(() =>
      createGateway({
        spec,
        routes,
        brokers: [broker.brokers],
        replyTimeoutMs: 5000,
        streams: { retryMs: 200 },
      }),
    ),
  );
  proxy = await startRoundRobinProxy(await Promise.all(gateways.map((g) => g.listen())));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await responder?.stop();
  await kafka?.close();
  await broker?.stop();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  /** Which instance served it (0 or 1). */
  readonly instance: number | undefined;
}

/** A request through the proxy, tagged so that the instance that served it can be told. */
async function call(
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly headers?: Record<string, string> } = {},
): Promise<Answer> {
  const tag = randomUUID();
  const response = await fetch(`${proxy.url}${path}`, {
    method,
    headers: {
      'x-test-tag': tag,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    instance: instanceOf(tag),
  };
}

function instanceOf(tag: string): number | undefined {
  return proxy.served.find((served) => served.tag === tag)?.upstream;
}

function other(instance: number | undefined): number {
  return instance === 0 ? 1 : 0;
}

function create(id: string, title: string): Promise<Answer> {
  return call('POST', '/tasks', { body: { title }, headers: { 'idempotency-key': id } });
}

it('replays an Idempotency-Key on the other instance without a second record', async () => {
  const id = `rr-${randomUUID()}`;
  const first = await create(id, 'once');
  proxy.steer(other(first.instance));
  const again = await create(id, 'once');
  expect(first).toMatchObject({ status: 201, body: { id, title: 'once', version: 1 } });
  expect(again.instance).toBe(other(first.instance));
  expect(again.status).toBe(201);
  expect(again.body).toEqual(first.body);
  expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
  // The same key with another body is refused by either instance.
  expect((await create(id, 'changed')).status).toBe(422);
  expect((await create(id, 'changed')).status).toBe(422);
  expect((await commandsPerIdempotencyKey(broker.brokers)).get(id)).toBe(1);

  // Request-reply on each instance in turn.
  const renames = [];
  for (const title of ['twice', 'thrice']) {
    renames.push(await call('PUT', `/tasks/${id}`, { body: { title } }));
  }
  expect(renames.map((answer) => [answer.status, answer.body])).toEqual([
    [200, expect.objectContaining({ title: 'twice', version: 2 })],
    [200, expect.objectContaining({ title: 'thrice', version: 3 })],
  ]);
  expect(new Set(renames.map((answer) => answer.instance)).size).toBe(2);
});

it('collects an async answer from the other instance', async () => {
  const id = `rr-async-${randomUUID()}`;
  const accepted = await call('POST', '/tasks', {
    body: { title: 'later' },
    headers: { 'idempotency-key': id, prefer: 'respond-async' },
  });
  expect(accepted.status).toBe(202);
  const location = accepted.headers.get('location') ?? '';
  expect(location).toMatch(/^\/tasks;cid=/);
  proxy.steer(other(accepted.instance));
  const collected = await call('GET', location, { headers: { prefer: 'wait=5' } });
  expect(collected.instance).toBe(other(accepted.instance));
  expect(collected).toMatchObject({ status: 201, body: { id, title: 'later' } });
});

it('reads its writes, wakes long polls and serves history whichever instance answers', async () => {
  const id = `rr-read-${randomUUID()}`;
  const created = await create(id, 'read me');
  expect(created.status).toBe(201);
  const progress = created.headers.get('specgate-progress') ?? '';
  proxy.steer(other(created.instance));
  const read = await call('GET', `/tasks/${id}`, { headers: { 'specgate-progress': progress } });
  expect(read.instance).toBe(other(created.instance));
  expect(read).toMatchObject({ status: 200, body: { id, title: 'read me' } });
  proxy.steer(other(created.instance));
  const list = await call('GET', '/tasks', { headers: { 'specgate-progress': progress } });
  expect((list.body as { id: string }[]).map((task) => task.id)).toContain(id);

  // A long poll on one instance, woken by a rename that the other instance runs.
  const etag = read.headers.get('etag') ?? '';
  const pollOn = other(created.instance);
  proxy.steer(pollOn);
  const before = proxy.served.length;
  const polling = call('GET', `/tasks/${id}`, {
    headers: { 'if-none-match': etag, prefer: 'wait=20' },
  });
  await until(() => proxy.served.length > before, 'the long poll reached the proxy');
  proxy.steer(other(pollOn));
  const renamed = await call('PUT', `/tasks/${id}`, { body: { title: 'renamed' } });
  expect(renamed).toMatchObject({ status: 200, instance: other(pollOn) });
  const polled = await polling;
  expect(polled).toMatchObject({ status: 200, instance: pollOn, body: { title: 'renamed' } });
  expect(polled.headers.get('etag')).not.toBe(etag);

  // The history, from either instance.
  const histories = [await call('GET', `/tasks/${id}/history`)];
  proxy.steer(other(histories[0]?.instance));
  histories.push(await call('GET', `/tasks/${id}/history`));
  for (const history of histories) {
    expect(history.status).toBe(200);
    expect((history.body as { event: string }[]).map((entry) => entry.event)).toEqual([
      'TaskCreated',
      'TaskRenamed',
    ]);
  }
  expect(new Set(histories.map((history) => history.instance)).size).toBe(2);
});

/** The keys starting with `prefix` among a stream's events (its own tasks only). */
function ownKeys(events: readonly { data: string }[], prefix: string): string[] {
  return events
    .map((event) => (JSON.parse(event.data) as { id: string }).id)
    .filter((key) => key.startsWith(prefix));
}

it('resumes a stream on the other instance with no gap and no duplicate', async () => {
  const prefix = `rr-stream-${randomUUID()}-`;
  const first = await SseClient.connect(`${proxy.url}/tasks`, { 'x-test-tag': `${prefix}first` });
  const firstOn = instanceOf(`${prefix}first`);
  const seen: string[] = [];
  await create(`${prefix}1`, 'one');
  while (!seen.includes(`${prefix}1`)) seen.push(...ownKeys(await first.events(1), prefix));
  const lastEventId = first.lastEventId;
  first.close();
  // Written while no stream is connected: the resumed stream must send them.
  await create(`${prefix}2`, 'two');
  await create(`${prefix}3`, 'three');

  proxy.steer(other(firstOn));
  const second = await SseClient.connect(`${proxy.url}/tasks`, {
    'last-event-id': lastEventId,
    'x-test-tag': `${prefix}second`,
  });
  expect(instanceOf(`${prefix}second`)).toBe(other(firstOn));
  await create(`${prefix}4`, 'four');
  const resumed: string[] = [];
  while (!resumed.includes(`${prefix}4`)) {
    resumed.push(...ownKeys(await second.events(1), prefix));
  }
  resumed.push(...ownKeys(await second.eventsWithin(300), prefix));
  second.close();
  expect(seen).toEqual([`${prefix}1`]);
  expect(sorted(resumed)).toEqual(sorted([2, 3, 4].map((n) => `${prefix}${n}`)));
});

it("keeps the SDK's stream gapless when its connection is cut and it reconnects", async () => {
  const prefix = `rr-sdk-${randomUUID()}-`;
  const client = createClient({ baseUrl: proxy.url });
  const stream = client.streamListTasks({ headers: { 'x-test-tag': `${prefix}stream` } });
  const keys: string[] = [];
  const reading = (async () => {
    for await (const event of stream) {
      if (event.event !== 'delete' && event.data.id.startsWith(prefix)) keys.push(event.data.id);
    }
  })();
  await create(`${prefix}1`, 'one');
  await until(() => keys.length === 1, 'the first event');
  proxy.dropOpenResponses();
  await create(`${prefix}2`, 'two');
  await create(`${prefix}3`, 'three');
  await until(() => keys.length >= 3, 'the events after the cut');
  await create(`${prefix}4`, 'four');
  await until(() => keys.includes(`${prefix}4`), 'the last event');
  await new Promise((resolve) => setTimeout(resolve, 300));
  stream.close();
  await reading;
  const connections = proxy.served.filter((served) => served.tag === `${prefix}stream`);
  expect(connections.length).toBeGreaterThanOrEqual(2);
  expect(sorted(keys)).toEqual(sorted([1, 2, 3, 4].map((n) => `${prefix}${n}`)));
});
