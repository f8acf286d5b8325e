// Server-sent events over real event topics (not compacted), through a real Fastify server on
// 127.0.0.1, read as text by a plain fetch client: live records only, message names, a topic
// address filled from a path parameter, resume without gap or duplicate, filters and identity
// filtering, heartbeats, backpressure and a stalled client cut off, and the reader stopped when
// a stream ends (seen through a spy around the Kafka client).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../../test/kafka/brokers.ts';
import { createKafkaClient } from '../../kafka/index.ts';
import type { KafkaClient, KafkaProducer, RecordPosition, TopicReader } from '../../kafka/types.ts';
import { encodeProgress } from '../progress.ts';
import { encodeKey, parseEventId } from './event-format.ts';
import { createLiveStreamHandler, type LiveStreamContext } from './live-stream.ts';
import type { StreamEnd } from './sse-stream.ts';
import type { StreamRouteSpec } from './stream-spec.ts';
import { SseClient, type SseMessage } from './test-sse-client.ts';

type Event = Extract<SseMessage, { type: 'event' }>;

/** A reader the handler opened, as the spy saw it. */
interface Opened {
  readonly topic: string;
  readonly reader: TopicReader;
  stops: number;
}

/** Resolves with `get()` once it is defined; rejects after `timeoutMs`. */
async function waitFor<T>(get: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True when `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

describe('live SSE stream handler', () => {
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let topic: string;
  let bigTopic: string;
  let address: string;
  let app: FastifyInstance;
  let base: string;
  const shutdown = new AbortController();
  const stoppable = new AbortController();
  const opened: Opened[] = [];
  /** Streams that went live, in order, with the reader each reads from. */
  const lives: { readonly reader: TopicReader; readonly shared: boolean }[] = [];
  const ends: (StreamEnd & { readonly route: string })[] = [];
  const clients: SseClient[] = [];
  /** Where each record was written, by its `n`. */
  const positions = new Map<string, RecordPosition>();

  const route: StreamRouteSpec = {
    kind: 'stream',
    operationId: 'streamEvents',
    method: 'GET',
    path: '/events',
    topic: '',
    compacted: false,
    messages: { names: ['Happened'] },
    filters: [
      { param: 'tenant', on: 'header', name: 'tenant' },
      { param: 'kind', on: 'field', name: 'kind' },
    ],
    schemas: {},
  };

  /** The kafka client with every reader recorded and its `stop` calls counted. */
  function spy(inner: KafkaClient): KafkaClient {
    return {
      producer: (options) => inner.producer(options),
      reader: (name, options) => {
        const reader = inner.reader(name, options);
        const entry: Opened = {
          topic: name,
          stops: 0,
          reader: {
            topic: reader.topic,
            caughtUp: reader.caughtUp,
            done: reader.done,
            state: () => reader.state(),
            positions: () => reader.positions(),
            highWatermarks: () => reader.highWatermarks(),
            stop: () => {
              entry.stops++;
              return reader.stop();
            },
          },
        };
        opened.push(entry);
        return entry.reader;
      },
      admin: inner.admin,
      close: () => inner.close(),
    };
  }

  async function send(
    to: string,
    key: string | null,
    n: string,
    options: { headers?: Record<string, string>; extra?: object; value?: null } = {},
  ): Promise<RecordPosition> {
    const position = await producer.send({
      topic: to,
      key,
      value: options.value === null ? null : JSON.stringify({ n, ...options.extra }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
    positions.set(n, position);
    return position;
  }

  async function connect(path: string, headers?: Record<string, string>): Promise<SseClient> {
    const client = await SseClient.connect(`${base}${path}`, headers);
    clients.push(client);
    return client;
  }

  /**
   * Connects, then waits until the stream is live (its reader has its start): the topic's
   * shared reader, or one of its own (`shared` says which).
   */
  async function connectLive(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ client: SseClient; reader: Opened; shared: boolean }> {
    const before = lives.length;
    const client = await connect(path, headers);
    const live = await waitFor(() => lives[before]);
    const reader = opened.find((entry) => entry.reader === live.reader);
    if (reader === undefined) throw new Error('a stream went live on a reader nobody opened');
    return { client, reader, shared: live.shared };
  }

  function nOf(event: Event): string {
    if (event.event === 'delete') return `delete ${event.data}`;
    return (JSON.parse(event.data) as { n: string }).n;
  }

  /** Per partition, the events' records in ascending offset order. */
  function expectPartitionOrder(events: readonly Event[]): void {
    const last = new Map<number, bigint>();
    for (const event of events) {
      const position = positions.get(nOf(event));
      expect(position).toBeDefined();
      if (position === undefined) return;
      const offset = BigInt(position.offset);
      const previous = last.get(position.partition);
      if (previous !== undefined) expect(offset > previous).toBe(true);
      last.set(position.partition, offset);
    }
  }

  function common(name: string): LiveStreamContext {
    return {
      kafka: spy(kafka),
      signal: shutdown.signal,
      onStreamEnd: (end) => ends.push({ route: name, ...end }),
      onStreamLive: (live) => lives.push(live),
      tailIdleMs: 300,
    };
  }

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-live-test' });
    producer = kafka.producer();
    topic = uniqueTopic('live');
    bigTopic = uniqueTopic('live-big');
    address = `${uniqueTopic('live')}.event.{streetlightId}.lighting.measured`;
    await kafka.admin.ensureTopics([
      { topic, partitions: 3 },
      { topic: bigTopic, partitions: 3 },
      { topic: address.replace('{streetlightId}', 'a1'), partitions: 3 },
      { topic: address.replace('{streetlightId}', 'b2'), partitions: 3 },
    ]);
    app = Fastify({ forceCloseConnections: true });
    const events = { ...route, topic };
    app.get('/events', createLiveStreamHandler(events, common('events')));
    app.get(
      '/beating',
      createLiveStreamHandler(events, { ...common('beating'), heartbeatMs: 100 }),
    );
    app.get(
      '/named',
      createLiveStreamHandler(
        { ...events, messages: { names: ['TaskCreated', 'TaskRenamed'], eventNameHeader: 'type' } },
        common('named'),
      ),
    );
    app.get(
      '/mine',
      createLiveStreamHandler(events, {
        ...common('mine'),
        predicate: (request) => (entry) => entry.headers.owner === request.headers['x-user'],
      }),
    );
    app.get(
      '/stoppable',
      createLiveStreamHandler(events, { ...common('stoppable'), signal: stoppable.signal }),
    );
    app.get(
      '/lights/:streetlightId/measured',
      createLiveStreamHandler(
        {
          ...route,
          path: '/lights/{streetlightId}/measured',
          topic: address,
          params: { streetlightId: 'streetlightId' },
        },
        common('lights'),
      ),
    );
    app.get(
      '/big',
      createLiveStreamHandler(
        { ...route, topic: bigTopic },
        { ...common('big'), maxBufferBytes: 64 * 1024, maxStallMs: 1000 },
      ),
    );
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    shutdown.abort();
    stoppable.abort();
    await app?.close();
    await producer?.close();
    await kafka?.close();
  });

  it('sends headers and retry at once, then only records written after it connected', async () => {
    await send(topic, 'k0', 'before');
    const { client } = await connectLive('/events');
    expect(client.response.status).toBe(200);
    expect(client.response.headers.get('content-type')).toBe('text/event-stream');
    expect(client.response.headers.get('cache-control')).toBe('no-cache');
    expect(client.response.headers.get('x-accel-buffering')).toBe('no');
    expect(await client.next()).toEqual({ type: 'retry', ms: 2000 });

    const live = ['live0', 'live1', 'live2', 'live3', 'live4', 'live5'];
    for (const [i, n] of live.entries()) await send(topic, `k${i % 3}`, n);
    const events = await client.events(6);
    expect(events.map(nOf).sort()).toEqual(live);
    expect(await client.eventsWithin(300)).toEqual([]);
    expectPartitionOrder(events);
    for (const event of events) {
      expect(event.event).toBe('message');
      const position = positions.get(nOf(event));
      const [key] = JSON.parse(event.id) as [string, string];
      expect(key).toBe(encodeKey(`k${live.indexOf(nOf(event)) % 3}`));
      // The progress is just past the record itself in its own partition.
      const progress = parseEventId(event.id)?.progress ?? {};
      expect(progress[position?.partition ?? -1]).toBe(String(BigInt(position?.offset ?? 0) + 1n));
    }
    client.close();
  });

  it('sends a record without a value as a delete, and the record etag in the id', async () => {
    const { client } = await connectLive('/events');
    await send(topic, 'gone', 'tagged', { headers: { etag: 'v7' } });
    await send(topic, 'gone', 'removed', { value: null });
    const [tagged, removed] = await client.events(2);
    expect(nOf(tagged as Event)).toBe('tagged');
    expect(parseEventId(tagged?.id ?? '')?.recordEtag).toBe('v7');
    expect(removed).toMatchObject({ event: 'delete', data: encodeKey('gone') });
    expect(parseEventId(removed?.id ?? '')?.key.toString('utf8')).toBe('gone');
    client.close();
  });

  it('names events from the message header when the channel has several types', async () => {
    const { client } = await connectLive('/named');
    await send(topic, 'named', 'renamed', { headers: { type: 'TaskRenamed' } });
    await send(topic, 'named', 'unknown', { headers: { type: 'Unknown' } });
    await send(topic, 'named', 'plain');
    const events = await client.events(3);
    expect(events.map((event) => [event.event, nOf(event)])).toEqual([
      ['TaskRenamed', 'renamed'],
      ['message', 'unknown'],
      ['message', 'plain'],
    ]);
    client.close();
  });

  it('reads the topic whose address the path parameter fills', async () => {
    const { client, reader } = await connectLive('/lights/a1/measured');
    expect(reader.topic).toBe(address.replace('{streetlightId}', 'a1'));
    await send(address.replace('{streetlightId}', 'b2'), 'lamp', 'other light');
    await send(address.replace('{streetlightId}', 'a1'), 'lamp', 'this light');
    const [event] = await client.events(1);
    expect(nOf(event as Event)).toBe('this light');
    expect(await client.eventsWithin(300)).toEqual([]);
    client.close();

    const bad = await fetch(`${base}/lights/a%20b/measured`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      errors: [{ pointer: '/params/streetlightId' }],
    });
  });

  it.each([
    ['Last-Event-ID', 'h', (id: string) => ['/events', { 'last-event-id': id }] as const],
    [
      '?lastEventId=',
      'q',
      (id: string) => [`/events?lastEventId=${encodeURIComponent(id)}`, {}] as const,
    ],
  ])('resumes with %s: exactly the missed records', async (_name, p, request) => {
    const before = ends.length;
    const { client: first } = await connectLive('/events');
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push(`${p}a${i}`);
      await send(topic, `r${i % 3}`, `${p}a${i}`);
    }
    const got = await first.events(6);
    expect(got.map(nOf).sort()).toEqual(sent);
    // The client processed the first three only: it resumes from the third's id.
    const lastId = got[2]?.id ?? '';
    const unseen = got.slice(3).map(nOf);
    first.close();
    await waitFor(() => ends.slice(before).find((e) => e.route === 'events'));

    const missed: string[] = [];
    for (let i = 0; i < 6; i++) {
      missed.push(`${p}b${i}`);
      await send(topic, `r${i % 3}`, `${p}b${i}`);
    }
    const [path, headers] = request(lastId);
    const { client: second, shared, reader: own } = await connectLive(path, headers);
    // Behind the topic's shared reader: it reads the missed records on its own.
    expect(shared).toBe(false);
    const resumed = await second.events(unseen.length + missed.length);
    expect(resumed.map(nOf).sort()).toEqual([...unseen, ...missed].sort());
    expectPartitionOrder(resumed);
    expect(await second.eventsWithin(300)).toEqual([]);

    // Live continues from there, once.
    await send(topic, 'r0', `${p}c`);
    const [live] = await second.events(1);
    expect(nOf(live as Event)).toBe(`${p}c`);
    expect(await second.eventsWithin(200)).toEqual([]);
    // Caught up, it joined the topic's shared reader and let its own go; nothing lost or twice.
    await waitFor(() => (own.stops > 0 ? true : undefined));
    for (let i = 0; i < 3; i++) await send(topic, `r${i}`, `${p}d${i}`);
    const after = await second.events(3);
    expect(after.map(nOf).sort()).toEqual([`${p}d0`, `${p}d1`, `${p}d2`]);
    expectPartitionOrder(after);
    expect(await second.eventsWithin(300)).toEqual([]);
    second.close();
  });

  it('resumes the partitions a progress names; the others start at their end', async () => {
    const sent: RecordPosition[] = [];
    for (let i = 0; i < 9; i++) sent.push(await send(topic, `s${i}`, `s${i}`));
    const first = sent[0] as RecordPosition;
    expect(sent.some((position) => position.partition !== first.partition)).toBe(true);
    // A bare progress token naming one partition only, at the first record.
    const token = encodeProgress({ [first.partition]: first.offset });
    const { client } = await connectLive('/events', { 'last-event-id': token });
    const want = sent
      .map((position, i) => ({ position, n: `s${i}` }))
      .filter(({ position }) => position.partition === first.partition)
      .map(({ n }) => n);
    const events = await client.events(want.length);
    expect(events.map(nOf)).toEqual(want);
    expect(await client.eventsWithin(300)).toEqual([]);
    const other = sent.find((position) => position.partition !== first.partition);
    const otherKey = `s${sent.indexOf(other as RecordPosition)}`;
    await send(topic, otherKey, 'after');
    const [live] = await client.events(1);
    expect(nOf(live as Event)).toBe('after');
    client.close();
  });

  it('ends a resume whose end offsets cannot be read (the client retries)', async () => {
    const before = ends.length;
    const readers = opened.length;
    // No topic for this light: its end offsets cannot be read.
    const client = await connect('/lights/none/measured', {
      'last-event-id': encodeProgress({ 0: '0' }),
    });
    expect(client.response.status).toBe(200);
    expect(await client.next()).toEqual({ type: 'retry', ms: 2000 });
    expect(await client.ended(15_000)).toBe(true);
    const end = await waitFor(() => ends.slice(before).find((e) => e.route === 'lights'));
    expect(end).toMatchObject({ reason: 'server', events: 0 });
    expect(opened.length).toBe(readers);
  });

  it('starts live when the last event id is not one', async () => {
    await send(topic, 'k1', 'old');
    const { client } = await connectLive('/events', { 'last-event-id': 'garbage' });
    await send(topic, 'k1', 'new');
    const events = await client.events(1);
    expect(events.map(nOf)).toEqual(['new']);
    expect(await client.eventsWithin(300)).toEqual([]);
    client.close();
  });

  it('filters by query parameters, on headers and on fields', async () => {
    const { client } = await connectLive('/events?tenant=a&kind=x');
    const a = { tenant: 'a' };
    await send(topic, 'f', 'a-x', { headers: a, extra: { kind: 'x' } });
    await send(topic, 'f', 'b-x', { headers: { tenant: 'b' }, extra: { kind: 'x' } });
    await send(topic, 'f', 'a-y', { headers: a, extra: { kind: 'y' } });
    await send(topic, 'f', 'a-delete', { headers: a, value: null });
    await send(topic, 'f', 'b-delete', { headers: { tenant: 'b' }, value: null });
    await send(topic, 'f', 'a-x2', { headers: a, extra: { kind: 'x' } });
    const events = await client.events(3);
    expect(events.map(nOf)).toEqual(['a-x', `delete ${encodeKey('f')}`, 'a-x2']);
    expect(await client.eventsWithin(300)).toEqual([]);
    client.close();
  });

  it("sends only the records the request's predicate allows", async () => {
    const { client } = await connectLive('/mine', { 'x-user': 'alice' });
    await send(topic, 'm', 'bob', { headers: { owner: 'bob' } });
    await send(topic, 'm', 'alice', { headers: { owner: 'alice' } });
    const events = await client.events(1);
    expect(events.map(nOf)).toEqual(['alice']);
    expect(await client.eventsWithin(300)).toEqual([]);
    client.close();
  });

  it('rejects a malformed specgate-progress and streams live with a valid one', async () => {
    const bad = await fetch(`${base}/events`, {
      headers: { accept: 'text/event-stream', 'specgate-progress': '!!' },
    });
    expect(bad.status).toBe(400);
    await bad.body?.cancel();

    const written = await send(topic, 'w', 'written');
    const token = encodeProgress({ [written.partition]: String(BigInt(written.offset) + 1n) });
    const { client } = await connectLive(`/events?specgate-progress=${token}`);
    expect(client.response.status).toBe(200);
    await send(topic, 'w', 'later');
    expect((await client.events(1)).map(nOf)).toEqual(['later']);
    client.close();
  });

  it('sends heartbeat comments on the interval', async () => {
    const client = await connect('/beating');
    const deadline = Date.now() + 3000;
    let comment: SseMessage | undefined;
    while (Date.now() < deadline && comment === undefined) {
      const message = await client.next(3000);
      if (message.type === 'comment') comment = message;
    }
    expect(comment).toEqual({ type: 'comment', text: 'heartbeat' });
    client.close();
  });

  it("stops the topic's reader once its last client disconnected", async () => {
    const before = ends.length;
    const { client, reader, shared } = await connectLive('/events');
    expect(shared).toBe(true);
    const { client: other, reader: same } = await connectLive('/events');
    // One reader for both streams of the topic.
    expect(same).toBe(reader);
    await send(topic, 'd', 'seen');
    await client.events(1);
    expect((await other.events(1)).map(nOf)).toEqual(['seen']);
    other.close();
    client.close();
    const end = await waitFor(() => ends.slice(before).find((e) => e.route === 'events'));
    expect(end).toMatchObject({ reason: 'client', events: 1 });
    // After the idle time (300 ms here), not before.
    expect(reader.stops).toBe(0);
    await waitFor(() => (reader.stops > 0 ? true : undefined));
    expect(reader.stops).toBe(1);
    expect(await settlesWithin(reader.reader.done, 5000)).toBe(true);
    // Once only.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ends.slice(before).filter((e) => e.route === 'events')).toHaveLength(2);
  });

  it('ends every stream and stops its reader when the signal aborts', async () => {
    const before = ends.length;
    const { client, reader } = await connectLive('/stoppable');
    stoppable.abort();
    expect(await client.ended(5000)).toBe(true);
    const end = await waitFor(() => ends.slice(before).find((e) => e.route === 'stoppable'));
    expect(end.reason).toBe('server');
    expect(reader.stops).toBe(1);
    expect(await settlesWithin(reader.reader.done, 5000)).toBe(true);
  });

  it('paces a slow reader without losing records', async () => {
    const { client } = await connectLive('/big');
    const big = 'x'.repeat(100_000);
    const sent = Array.from({ length: 40 }, (_, i) => `paced${i}`);
    await Promise.all(sent.map((n, i) => send(bigTopic, `p${i % 5}`, n, { extra: { big } })));
    const events = await client.events(40, 20_000);
    expect(events.map(nOf).sort()).toEqual([...sent].sort());
    expectPartitionOrder(events);
    client.close();
  });

  it('holds records in Kafka while a client reads nothing, then cuts it off', async () => {
    const before = ends.length;
    const { client, reader } = await connectLive('/big');
    await send(bigTopic, 'b', 'first');
    expect((await client.events(1)).map(nOf)).toEqual(['first']);
    // The client now reads nothing more; write far more than socket buffers hold.
    const big = 'x'.repeat(200_000);
    const count = 150;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        send(bigTopic, `b${i % 20}`, `big${i}`, { extra: { big } }),
      ),
    );
    const end = await waitFor(
      () => ends.slice(before).find((e) => e.route === 'big' && e.reason === 'buffer-full'),
      20_000,
    );
    // Bounded: at most the limit plus the one event that crossed it.
    expect(end.bufferedBytes).toBeLessThan(64 * 1024 + 210_000);
    // The rest stayed in Kafka: the stream never took it from the reader.
    expect(end.events).toBeLessThan(count + 1);
    expect(reader.stops).toBe(1);
    expect(await settlesWithin(reader.reader.done, 5000)).toBe(true);
    expect(await client.ended(20_000)).toBe(true);
  });

  it('keeps a fast client on the shared reader while a stalled one falls behind and is cut', async () => {
    const before = ends.length;
    const { client: stalled } = await connectLive('/big');
    const { client: fast, shared } = await connectLive('/big');
    expect(shared).toBe(true);
    const big = 'x'.repeat(200_000);
    const sent = Array.from({ length: 60 }, (_, i) => `fan${i}`);
    // The stalled client takes the first event, then nothing more.
    await send(bigTopic, 'f0', 'fan-first');
    expect((await stalled.events(1)).map(nOf)).toEqual(['fan-first']);
    expect((await fast.events(1)).map(nOf)).toEqual(['fan-first']);
    await Promise.all(sent.map((n, i) => send(bigTopic, `f${i % 5}`, n, { extra: { big } })));
    const events = await fast.events(sent.length, 20_000);
    expect(events.map(nOf).sort()).toEqual([...sent].sort());
    expectPartitionOrder(events);
    const cut = await waitFor(
      () => ends.slice(before).find((e) => e.route === 'big' && e.reason === 'buffer-full'),
      20_000,
    );
    expect(cut.events).toBeLessThan(sent.length + 1);
    fast.close();
  });

  it('refuses a compacted topic', () => {
    expect(() => createLiveStreamHandler({ ...route, compacted: true }, { kafka })).toThrow(
      /compacted/,
    );
  });
});
