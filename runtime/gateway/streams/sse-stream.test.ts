// Server-sent events over a view of a real compacted topic, through a real Fastify server on
// 127.0.0.1, read as text by a plain fetch client: state then live, deletes, resume without gap or
// duplicate, heartbeats, message names, filters, and a slow client cut off at the buffer limit.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../../test/kafka/brokers.ts';
import { createKafkaClient } from '../../kafka/index.ts';
import type { KafkaClient, KafkaProducer, RecordPosition } from '../../kafka/types.ts';
import { progressAfter } from '../progress.ts';
import { MaterializedView } from '../views/materialized-view.ts';
import { encodeKey, parseEventId } from './event-format.ts';
import { createStreamHandler, type StreamEnd } from './sse-stream.ts';
import type { StreamRouteSpec } from './stream-spec.ts';
import { TombstoneLog } from './tombstone-log.ts';
import { SseClient, type SseMessage } from './test-sse-client.ts';

type Event = Extract<SseMessage, { type: 'event' }>;

describe('SSE stream handler', () => {
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let topic: string;
  let view: MaterializedView;
  let tombstones: TombstoneLog;
  let app: FastifyInstance;
  let base: string;
  const shutdown = new AbortController();
  const ends: StreamEnd[] = [];
  const clients: SseClient[] = [];

  const route: StreamRouteSpec = {
    kind: 'stream',
    operationId: 'streamTasks',
    method: 'GET',
    path: '/tasks/events',
    topic: '',
    compacted: true,
    messages: { names: ['Task'] },
    filters: [{ param: 'tenant', on: 'header', name: 'tenant' }],

    schemas: {},
  };

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

  async function connect(path: string, headers?: Record<string, string>): Promise<SseClient> {
    const client = await SseClient.connect(`${base}${path}`, headers);
    clients.push(client);
    return client;
  }

  /** What the client holds after applying events: key → data, deletes remove. */
  function apply(state: Map<string, string>, events: readonly Event[]): Map<string, string> {
    for (const event of events) {
      const key = parseEventId(event.id)?.key.toString('utf8') ?? '?';
      if (event.event === 'delete') state.delete(key);
      else state.set(key, event.data);
    }
    return state;
  }

  function keyOf(event: Event): string {
    return parseEventId(event.id)?.key.toString('utf8') ?? '?';
  }

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-sse-test' });
    producer = kafka.producer();
    topic = uniqueTopic('sse');
    await kafka.admin.ensureTopics([{ topic, partitions: 3, compacted: true }]);
    for (let i = 0; i < 8; i++)
      await send(`k${i}`, { id: `k${i}`, n: 0 }, { tenant: i < 4 ? 'a' : 'b' });
    await send('k7', null);
    view = new MaterializedView(kafka, { topic });
    // Right after the view: the log then sees every delete from the log start.
    tombstones = new TombstoneLog(view);
    app = Fastify({ forceCloseConnections: true });
    const common = {
      view,
      tombstones,
      signal: shutdown.signal,
      onStreamEnd: (end: StreamEnd) => ends.push(end),
    };
    app.get('/tasks/events', createStreamHandler({ ...route, topic }, common));
    app.get(
      '/tasks/beating',
      createStreamHandler({ ...route, topic }, { ...common, heartbeatMs: 100 }),
    );
    app.get(
      '/tasks/named',
      createStreamHandler(
        {
          ...route,
          topic,
          messages: { names: ['TaskCreated', 'TaskRenamed'], eventNameHeader: 'type' },
        },
        common,
      ),
    );
    app.get(
      '/tasks/small',
      createStreamHandler({ ...route, topic }, { ...common, maxBufferBytes: 256 * 1024 }),
    );
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    shutdown.abort();
    await app?.close();
    tombstones?.stop();
    await view?.stop();
    await producer?.close();
    await kafka?.close();
  });

  it('sends headers and retry at once, then the state, then live records and deletes', async () => {
    const client = await connect('/tasks/events');
    expect(client.response.status).toBe(200);
    expect(client.response.headers.get('content-type')).toBe('text/event-stream');
    expect(client.response.headers.get('cache-control')).toBe('no-cache');
    expect(client.response.headers.get('x-accel-buffering')).toBe('no');
    expect(await client.next()).toEqual({ type: 'retry', ms: 2000 });

    const state = await client.events(7);
    expect(state.map(keyOf).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    expect(state.every((event) => event.event === 'message')).toBe(true);
    expect(JSON.parse(state.find((event) => keyOf(event) === 'k3')?.data ?? '')).toEqual({
      id: 'k3',
      n: 0,
    });
    expect(await client.eventsWithin(300)).toEqual([]);

    await write('k8', { id: 'k8', n: 1 }, { etag: 'v1' });
    const [live] = await client.events(1);
    expect(live?.event).toBe('message');
    expect(JSON.parse(live?.data ?? '')).toEqual({ id: 'k8', n: 1 });
    expect(parseEventId(live?.id ?? '')?.recordEtag).toBe('v1');
    expect(JSON.parse(live?.id ?? '')).toEqual([encodeKey('k8'), expect.stringMatching(/\/v1$/)]);

    await write('k8', null);
    const [deleted] = await client.events(1);
    expect(deleted).toMatchObject({ event: 'delete', data: encodeKey('k8') });
    expect(keyOf(deleted as Event)).toBe('k8');
  });

  it.each([
    ['Last-Event-ID', 'h', (id: string) => ['/tasks/events', { 'last-event-id': id }] as const],
    [
      '?lastEventId=',
      'q',
      (id: string) => [`/tasks/events?lastEventId=${encodeURIComponent(id)}`, {}] as const,
    ],
  ])('resumes with %s: exactly the missed events', async (_name, p, request) => {
    await write(`${p}-old`, { n: 0 });
    const first = await connect('/tasks/events');
    const seen = apply(new Map(), await first.events(view.size));
    await write(`${p}-live`, { n: 1 });
    const [last] = await first.events(1);
    apply(seen, [last as Event]);
    const lastId = last?.id ?? '';
    first.close();

    await write('k1', { id: 'k1', n: 2 });
    await write(`${p}-new`, { n: 3 });
    await write(`${p}-old`, null);
    await write(`${p}-live`, null);

    const [path, headers] = request(lastId);
    const second = await connect(path, headers);
    const missed = await second.events(4);
    expect(missed.map((event) => `${event.event} ${keyOf(event)}`).sort()).toEqual(
      [`delete ${p}-live`, `delete ${p}-old`, 'message k1', `message ${p}-new`].sort(),
    );
    expect(await second.eventsWithin(300)).toEqual([]);
    apply(seen, missed);
    expect(seen).toEqual(new Map(view.list().entries.map((e) => [e.key, e.value.toString()])));

    // Live continues from there, once.
    await write(`${p}-new`, { n: 4 });
    const [live] = await second.events(1);
    expect(JSON.parse(live?.data ?? '')).toEqual({ n: 4 });
    expect(await second.eventsWithin(200)).toEqual([]);
    await write(`${p}-new`, null);
    await second.events(1);
  });

  it('resumes in the middle of the state without gap or duplicate', async () => {
    const all = view.list().entries.map((entry) => entry.key);
    const first = await connect('/tasks/events');
    const head = await first.events(3);
    first.close();
    // The id of the last event read, not the client's lastEventId: the chunk held more.
    const second = await connect('/tasks/events', { 'last-event-id': head[2]?.id ?? '' });
    const rest = await second.eventsWithin(1000);
    // Deletes of keys deleted before the state was taken may come too (no-ops for the client).
    const deletes = rest.filter((event) => event.event === 'delete');
    expect(deletes.filter((event) => all.includes(keyOf(event)))).toEqual([]);
    const values = [...head, ...rest].filter((event) => event.event !== 'delete');
    expect(values.map(keyOf).sort()).toEqual([...all].sort());
  });

  it('sends heartbeat comments on the interval', async () => {
    const client = await connect('/tasks/beating');
    const deadline = Date.now() + 3000;
    let comment: SseMessage | undefined;
    while (Date.now() < deadline && comment === undefined) {
      const message = await client.next(3000);
      if (message.type === 'comment') comment = message;
    }
    expect(comment).toEqual({ type: 'comment', text: 'heartbeat' });
  });

  it('names events from the message header when the channel has several types', async () => {
    const client = await connect('/tasks/named?tenant=n');
    expect(await client.eventsWithin(300)).toEqual([]);
    await write('n1', { n: 1 }, { tenant: 'n', type: 'TaskRenamed' });
    await write('n2', { n: 2 }, { tenant: 'n', type: 'Unknown' });
    const events = await client.events(2);
    expect(events.map((event) => event.event)).toEqual(['TaskRenamed', 'message']);
  });

  it('filters by query parameters', async () => {
    const client = await connect('/tasks/events?tenant=a');
    const want = view.list({ filters: [{ on: 'header', name: 'tenant', value: 'a' }] }).entries;
    expect(want.length).toBeGreaterThan(1);
    const state = await client.events(want.length);
    expect(state.map(keyOf).sort()).toEqual(want.map((entry) => entry.key).sort());
    expect(await client.eventsWithin(200)).toEqual([]);
    await write('f1', { n: 1 }, { tenant: 'b' });
    await write('f2', { n: 2 }, { tenant: 'a' });
    const [live] = await client.events(1);
    expect(keyOf(live as Event)).toBe('f2');
  });

  it('cuts off a client that stops reading once its buffer limit is reached', async () => {
    const before = ends.length;
    const client = await connect('/tasks/small');
    await client.events(1);
    // The client now reads nothing more; write far more than socket buffers hold.
    const big = 'x'.repeat(200_000);
    await Promise.all(Array.from({ length: 150 }, (_, i) => send(`big${i % 20}`, { big, i })));
    const deadline = Date.now() + 20_000;
    while (
      Date.now() < deadline &&
      !ends.slice(before).some((end) => end.reason === 'buffer-full')
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const end = ends.slice(before).find((e) => e.reason === 'buffer-full');
    expect(end).toBeDefined();
    // Bounded: at most the limit plus the one event that crossed it.
    expect(end?.bufferedBytes).toBeLessThan(256 * 1024 + 210_000);
    expect(await client.ended(20_000)).toBe(true);
    for (let i = 0; i < 20; i++) await send(`big${i}`, null);
  });
});
