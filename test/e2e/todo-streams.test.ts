/**
 * Streams, read-your-writes and history end to end (design §4–§6): the todo gateway generated
 * from specs/todo, against the real broker (every topic with 3 partitions). `GET /tasks` with
 * `Accept: text/event-stream` streams the view of `task-snapshots`; commands are answered by the
 * stand-in service of support.ts, which writes snapshots and events before it replies.
 *
 * The topics are shared with other test files, so each test uses keys of its own and looks only
 * at events of those keys.
 */
import { randomUUID } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient, KafkaProducer } from '../../runtime/kafka/types.ts';
import { encodeKey, parseEventId } from '../../runtime/gateway/streams/event-format.ts';
import type { StreamEnd } from '../../runtime/gateway/streams/sse-stream.ts';
import { SseClient, type SseMessage } from '../../runtime/gateway/streams/test-sse-client.ts';
import {
  encodeProgress,
  parseTopicProgress,
  progressAfter,
} from '../../runtime/gateway/progress.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import {
  ensureTodoTopics,
  generateGateway,
  startGenerated,
  startTodoResponder,
  testKafka,
} from './support.ts';

type Event = Extract<SseMessage, { type: 'event' }>;

const snapshots = 'task-snapshots';
const maxBufferBytes = 256 * 1024;

let kafka: KafkaClient;
let out: string;
let producer: KafkaProducer;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let gateway: { gateway: Gateway; url: string };
/** The same generated gateway with an identity filter: a request sees the records it owns. */
let owned: { gateway: Gateway; url: string };
const ends: StreamEnd[] = [];
const clients: SseClient[] = [];

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  producer = kafka.producer();
  responder = await startTodoResponder(kafka);
  out = await generateGateway(
    'todo-streams',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  gateway = await startGenerated(out, {
    brokers,
    streams: { heartbeatMs: 300, retryMs: 1500, maxBufferBytes, onStreamEnd: (e) => ends.push(e) },
  });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await owned?.gateway.close();
  await gateway?.gateway.close();
  await responder?.stop();
  await producer?.close();
  await kafka?.close();
});

function prefix(): string {
  return `s-${randomUUID().slice(0, 8)}-`;
}

/** Writes a snapshot; returns the progress token just past it (for read-your-writes). */
async function put(key: string, value: object | null): Promise<string> {
  const position = await producer.send({
    topic: snapshots,
    key,
    value: value === null ? null : JSON.stringify(value),
  });
  return encodeProgress(progressAfter(position.partition, position.offset));
}

async function stream(query = '', headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await SseClient.connect(`${gateway.url}/tasks${query}`, headers);
  clients.push(client);
  return client;
}

/** The key an event is about: from its id (every event has one). */
function keyOf(event: Event): string {
  const id = parseEventId(event.id);
  if (id === undefined) throw new Error(`not a Zilla event id: ${event.id}`);
  return id.key.toString();
}

/** Reads events until `done` holds for those of keys starting with `mine`; returns those. */
async function eventsOf(
  client: SseClient,
  mine: string,
  done: (events: readonly Event[]) => boolean,
  timeoutMs = 10_000,
): Promise<Event[]> {
  const found: Event[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(found)) {
    const message = await client.next(Math.max(1, deadline - Date.now()));
    if (message.type === 'event' && keyOf(message).startsWith(mine)) found.push(message);
  }
  return found;
}

/** The events of `mine` that arrive within `ms`. */
async function moreOf(client: SseClient, mine: string, ms: number): Promise<Event[]> {
  return (await client.eventsWithin(ms)).filter((event) => keyOf(event).startsWith(mine));
}

describe('GET /tasks as server-sent events', () => {
  it('sends the state, then live changes, a delete event, retry and heartbeats', async () => {
    const mine = prefix();
    await put(`${mine}a`, { id: `${mine}a`, title: 'a' });
    await put(`${mine}b`, { id: `${mine}b`, title: 'b' });
    await put(`${mine}gone`, { id: `${mine}gone`, title: 'gone' });
    const written = await put(`${mine}gone`, null);

    // Read-your-writes: the state is taken once the view has applied every write above.
    const client = await stream('', { 'specgate-progress': written });
    expect(client.response.status).toBe(200);
    expect(client.response.headers.get('content-type')).toBe('text/event-stream');
    const first = await client.next();
    expect(first).toEqual({ type: 'retry', ms: 1500 });
    const state = await eventsOf(client, mine, (events) => events.length >= 2);
    expect(state.map(keyOf).sort()).toEqual([`${mine}a`, `${mine}b`]);
    // One message type on the topic: events are unnamed, as Zilla sends them.
    expect(state.every((event) => event.event === 'message')).toBe(true);
    expect(JSON.parse(state.find((e) => keyOf(e) === `${mine}a`)?.data ?? '')).toEqual({
      id: `${mine}a`,
      title: 'a',
    });
    // Zilla's id: a JSON array of the base64url key and the progress.
    const [key, progress] = JSON.parse(state[0]?.id ?? '') as [string, string];
    expect(key).toBe(encodeKey(keyOf(state[0] as Event)));
    expect(progress).toMatch(/^[A-Za-z0-9_-]+=*$/);

    await put(`${mine}a`, { id: `${mine}a`, title: 'a2' });
    await put(`${mine}b`, null);
    const live = await eventsOf(client, mine, (events) => events.length >= 2);
    const update = live.find((event) => event.event === 'message');
    const deleted = live.find((event) => event.event === 'delete');
    expect(JSON.parse(update?.data ?? '')).toMatchObject({ title: 'a2' });
    expect(deleted?.data).toBe(encodeKey(`${mine}b`));

    const comments: SseMessage[] = [];
    const deadline = Date.now() + 3000;
    while (comments.length === 0 && Date.now() < deadline) {
      const message = await client.next(3000);
      if (message.type === 'comment') comments.push(message);
    }
    expect(comments).toEqual([{ type: 'comment', text: 'heartbeat' }]);
  });

  it('still answers JSON to a client that does not ask for the stream', async () => {
    const response = await fetch(`${gateway.url}/tasks`, { headers: { accept: '*/*' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Array.isArray(await response.json())).toBe(true);
  });

  for (const via of ['Last-Event-ID', '?lastEventId='] as const) {
    it(`resumes with ${via}: exactly the missed records, no gap, no duplicate`, async () => {
      const mine = prefix();
      for (const name of ['a', 'b', 'c', 'd']) {
        await put(`${mine}${name}`, { id: `${mine}${name}`, v: 1 });
      }
      const before = await stream();
      await eventsOf(before, mine, (events) => events.length >= 4);
      const lastId = before.lastEventId;
      before.close();

      // While the client is away: an update, a delete, a new key; c and d stay as they were.
      await put(`${mine}a`, { id: `${mine}a`, v: 2 });
      await put(`${mine}b`, null);
      await put(`${mine}e`, { id: `${mine}e`, v: 1 });

      const after =
        via === 'Last-Event-ID'
          ? await stream('', { 'last-event-id': lastId })
          : await stream(`?lastEventId=${encodeURIComponent(lastId)}`);
      const missed = await eventsOf(after, mine, (events) => events.length >= 3);
      const extra = await moreOf(after, mine, 700);
      const seen = [...missed, ...extra].map((event) =>
        event.event === 'delete'
          ? `delete ${keyOf(event)}`
          : `${keyOf(event)} v${(JSON.parse(event.data) as { v: number }).v}`,
      );
      expect(seen.sort()).toEqual([`${mine}a v2`, `${mine}e v1`, `delete ${mine}b`].sort());

      // And it goes on live from there.
      await put(`${mine}c`, { id: `${mine}c`, v: 2 });
      const [live] = await eventsOf(after, mine, (events) => events.length >= 1);
      expect(keyOf(live as Event)).toBe(`${mine}c`);
    });
  }

  it('cuts off a client that stops reading once its buffer limit is reached', async () => {
    const mine = prefix();
    await put(`${mine}first`, { id: `${mine}first` });
    const endsBefore = ends.length;
    const socket = await rawStream('/tasks');
    // The client reads nothing from here on; write far more than the limit and socket buffers.
    socket.pause();
    const big = 'x'.repeat(100_000);
    const keys = Array.from({ length: 10 }, (_, i) => `${mine}big${i}`);
    for (let round = 0; round < 8; round++) {
      await Promise.all(keys.map((key) => put(key, { id: key, big, round })));
    }
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !ends.slice(endsBefore).some(isBufferFull)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const end = ends.slice(endsBefore).find(isBufferFull);
    expect(end).toBeDefined();
    // Bounded: at most the limit plus the one event that crossed it.
    expect(end?.bufferedBytes).toBeLessThan(maxBufferBytes + 110_000);
    await new Promise<void>((resolve) => {
      if (socket.destroyed) resolve();
      socket.once('close', () => resolve());
      socket.resume();
    });
    for (const key of keys) await put(key, null);
  });
});

function isBufferFull(end: StreamEnd): boolean {
  return end.reason === 'buffer-full';
}

/** A stream request on a plain socket, which the test can stop reading. */
async function rawStream(path: string): Promise<Socket> {
  const url = new URL(gateway.url);
  const socket = connectTcp({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  return socket;
}

describe('read-your-writes', () => {
  it('a query right after a command sees its effect', async () => {
    for (let i = 0; i < 5; i++) {
      const id = `ryw-${randomUUID()}`;
      const created = await fetch(`${gateway.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': id },
        body: JSON.stringify({ title: `task ${i}` }),
      });
      expect(created.status).toBe(201);
      const token = created.headers.get('specgate-progress') ?? '';
      // The command record's position, and what the service reported it wrote.
      expect([...(parseTopicProgress(token)?.keys() ?? [])]).toEqual([
        'task-commands',
        'task-events',
        'task-snapshots',
      ]);
      const read = await fetch(`${gateway.url}/tasks/${id}`, {
        headers: { 'specgate-progress': token },
      });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ id, title: `task ${i}` });
    }
  });

  it('a stream given the token starts from a state that has the effect', async () => {
    const id = `ryw-${randomUUID()}`;
    const created = await fetch(`${gateway.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': id },
      body: JSON.stringify({ title: 'streamed' }),
    });
    const token = created.headers.get('specgate-progress') ?? '';
    const client = await stream(`?specgate-progress=${encodeURIComponent(token)}`);
    const [event] = await eventsOf(client, id, (events) => events.length >= 1);
    expect(JSON.parse(event?.data ?? '')).toMatchObject({ id, title: 'streamed' });
  });

  it('answers 400 for a token that is not one', async () => {
    const response = await fetch(`${gateway.url}/tasks`, {
      headers: { 'specgate-progress': 'task-snapshots=%%%' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('GET /tasks/{id}/history', () => {
  it("answers the task's events in order, with timestamps and offsets", async () => {
    const id = `hist-${randomUUID()}`;
    const json = { 'content-type': 'application/json' };
    const created = await fetch(`${gateway.url}/tasks`, {
      method: 'POST',
      headers: { ...json, 'idempotency-key': id },
      body: JSON.stringify({ title: 'first' }),
    });
    expect(created.status).toBe(201);
    const renamed = await fetch(`${gateway.url}/tasks/${id}`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ title: 'second' }),
    });
    expect(renamed.status).toBe(200);
    const completed = await fetch(`${gateway.url}/tasks/${id}/complete`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ done: true }),
    });
    expect(completed.status).toBe(200);

    const response = await fetch(`${gateway.url}/tasks/${id}/history`);
    expect(response.status).toBe(200);
    const history = (await response.json()) as {
      event: string;
      timestamp: string;
      offset: string;
      data: { id: string };
    }[];
    expect(history.map((entry) => entry.event)).toEqual([
      'TaskCreated',
      'TaskRenamed',
      'TaskCompleted',
    ]);
    expect(history.map((entry) => entry.data)).toMatchObject([
      { id, title: 'first' },
      { id, title: 'second' },
      { id, done: true },
    ]);
    const offsets = history.map((entry) => BigInt(entry.offset));
    expect([...offsets].sort((a, b) => (a < b ? -1 : 1))).toEqual(offsets);
    for (const entry of history) {
      expect(new Date(entry.timestamp).toISOString()).toBe(entry.timestamp);
    }

    const none = await fetch(`${gateway.url}/tasks/hist-${randomUUID()}/history`);
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual([]);
  });
});

describe('the identity-filtering hook', () => {
  beforeAll(async () => {
    owned = await startGenerated(out, {
      brokers: kafkaBrokers(),
      visibility: (request) => {
        const user = request.headers['x-user'];
        return (record) => record.headers.owner === user;
      },
    });
  }, 60_000);

  it('hides records of other owners from items, lists, streams and history', async () => {
    const mine = prefix();
    const write = (key: string, owner: string, topic = snapshots) =>
      producer.send({
        topic,
        key,
        value: JSON.stringify({ id: key, owner }),
        headers: { owner, 'event-type': 'TaskCreated' },
      });
    await write(`${mine}alice`, 'alice');
    const last = await write(`${mine}bob`, 'bob');
    const token = encodeProgress(progressAfter(last.partition, last.offset));
    const as = (user: string) => ({ 'x-user': user, 'specgate-progress': token });

    const own = await fetch(`${owned.url}/tasks/${mine}alice`, { headers: as('alice') });
    expect(own.status).toBe(200);
    const other = await fetch(`${owned.url}/tasks/${mine}bob`, { headers: as('alice') });
    expect(other.status).toBe(404);
    const list = (await (await fetch(`${owned.url}/tasks`, { headers: as('alice') })).json()) as {
      id: string;
    }[];
    expect(list.map((task) => task.id).filter((id) => id.startsWith(mine))).toEqual([
      `${mine}alice`,
    ]);

    const client = await SseClient.connect(`${owned.url}/tasks`, as('bob'));
    clients.push(client);
    const [first] = await eventsOf(client, mine, (events) => events.length >= 1);
    expect(keyOf(first as Event)).toBe(`${mine}bob`);
    await write(`${mine}alice`, 'alice');
    await write(`${mine}bob2`, 'bob');
    const [next] = await eventsOf(client, mine, (events) => events.length >= 1);
    expect(keyOf(next as Event)).toBe(`${mine}bob2`);

    await write(`${mine}carol`, 'carol', 'task-events');
    const history = await fetch(`${owned.url}/tasks/${mine}carol/history`, { headers: as('dave') });
    expect(await history.json()).toEqual([]);
    const hers = await fetch(`${owned.url}/tasks/${mine}carol/history`, { headers: as('carol') });
    expect(((await hers.json()) as unknown[]).length).toBe(1);
  });
});

describe('shutdown', () => {
  it('ends open streams and closes at once, without waiting for keep-alive timeouts', async () => {
    const started = await startGenerated(out, { brokers: kafkaBrokers() });
    const client = await SseClient.connect(`${started.url}/tasks`);
    const leaving = await SseClient.connect(`${started.url}/tasks`);
    clients.push(client, leaving);
    await client.next();
    await leaving.next();
    // A client that goes away just as the server shuts down, and one that never says anything.
    leaving.close();
    const { hostname, port } = new URL(started.url);
    const quiet = connectTcp({ host: hostname, port: Number(port) });
    await new Promise((resolve) => quiet.once('connect', resolve));
    const closing = Date.now();
    await started.gateway.close();
    expect(Date.now() - closing).toBeLessThan(3000);
    expect(await client.ended(1000)).toBe(true);
    quiet.destroy();
  });
});
