// The stream over a view whose reader the test drives (a fake of runtime/kafka's TopicReader):
// the first byte before the view is ready, garbage and too-old resume ids, the identity
// predicate on values and deletes, and the end of every stream on shutdown.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaClient, KafkaRecord, ReaderOptions, TopicReader } from '../../kafka/types.ts';
import { MaterializedView } from '../views/materialized-view.ts';
import { encodeProgress } from '../progress.ts';
import { encodeEventId, parseEventId } from './event-format.ts';
import { createStreamHandler, type StreamEnd } from './sse-stream.ts';
import type { StreamRouteSpec } from './stream-spec.ts';
import { TombstoneLog } from './tombstone-log.ts';
import { SseClient } from './test-sse-client.ts';

/** A KafkaClient whose only reader is fed by `deliver` and caught up by `catchUp`. */
function drivenKafka() {
  let onRecords: ReaderOptions['onRecords'] | undefined;
  let caughtUp: () => void = () => undefined;
  const positions: Record<number, string> = {};
  const reader: TopicReader = {
    topic: 't',
    caughtUp: new Promise<void>((resolve) => (caughtUp = resolve)),
    done: new Promise<void>(() => undefined),
    state: () => 'connected',
    positions: () => ({ ...positions }),
    highWatermarks: () => undefined,
    stop: () => Promise.resolve(),
  };
  const kafka = {
    reader(_topic: string, options: ReaderOptions): TopicReader {
      onRecords = options.onRecords;
      return reader;
    },
  } as unknown as KafkaClient;
  const offsets = new Map<number, number>();
  return {
    kafka,
    catchUp: () => caughtUp(),
    /** Appends one record to `partition` and delivers it. */
    async deliver(
      partition: number,
      key: string,
      value: unknown,
      headers: Record<string, string> = {},
    ) {
      const offset = offsets.get(partition) ?? 0;
      offsets.set(partition, offset + 1);
      const record: KafkaRecord = {
        topic: 't',
        partition,
        offset: String(offset),
        key: Buffer.from(key),
        value: value === null ? null : Buffer.from(JSON.stringify(value)),
        headers,
        headerEntries: Object.entries(headers),
        timestamp: 0,
      };
      await onRecords?.([record]);
      positions[partition] = String(offset + 1);
    },
  };
}

describe('SSE stream handler over a driven view', () => {
  const driven = drivenKafka();
  const view = new MaterializedView(driven.kafka, { topic: 't' });
  const tombstones = new TombstoneLog(view, { maxTombstones: 1 });
  const shutdown = new AbortController();
  const ends: StreamEnd[] = [];
  const clients: SseClient[] = [];
  let app: FastifyInstance;
  let base: string;

  const route: StreamRouteSpec = {
    kind: 'stream',
    operationId: 'streamTasks',
    method: 'GET',
    path: '/events',
    topic: 't',
    compacted: true,
    messages: { names: ['Task'] },
    filters: [],

    schemas: {},
  };

  async function connect(path: string, headers?: Record<string, string>): Promise<SseClient> {
    const client = await SseClient.connect(`${base}${path}`, headers);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    app = Fastify({ forceCloseConnections: true });
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
    });
    const common = {
      view,
      tombstones,
      signal: shutdown.signal,
      onStreamEnd: (end: StreamEnd) => ends.push(end),
    };
    app.get('/events', createStreamHandler(route, common));
    app.get(
      '/mine',
      createStreamHandler(route, {
        ...common,
        predicate: (request) => (entry) => entry.headers.owner === request.headers['x-user'],
      }),
    );
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await app.close();
  });

  it('sends its first byte before the view is ready, the state once it is', async () => {
    await driven.deliver(0, 'a', { n: 1 }, { owner: 'u1' });
    const client = await connect('/events');
    expect(client.response.status).toBe(200);
    expect(client.response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await client.next(2000)).toEqual({ type: 'retry', ms: 2000 });
    expect(view.isReady()).toBe(false);
    expect(await client.eventsWithin(200)).toEqual([]);
    await driven.deliver(1, 'b', { n: 2 }, { owner: 'u2' });
    driven.catchUp();
    const state = await client.events(2);
    expect(state.map((event) => parseEventId(event.id)?.key.toString())).toEqual(['a', 'b']);
  });

  it('answers a garbage resume id with the full state', async () => {
    const client = await connect('/events', { 'last-event-id': 'not-an-id' });
    expect((await client.events(2)).map((event) => event.data)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('answers a resume id older than the tombstone log with the full state', async () => {
    const first = await connect('/events');
    const [, last] = await first.events(2);
    first.close();
    // Two deletes overflow the one-tombstone log, which then misses deletes after `last`.
    await driven.deliver(0, 'x', { n: 0 });
    await driven.deliver(0, 'x', null);
    await driven.deliver(0, 'y', { n: 0 });
    await driven.deliver(0, 'y', null);
    expect(tombstones.covers(parseEventId(last?.id ?? '')?.progress ?? {})).toBe(false);
    const second = await connect('/events', { 'last-event-id': last?.id ?? '' });
    const events = await second.events(2);
    expect(events.map((event) => event.data)).toEqual(['{"n":1}', '{"n":2}']);
    expect(await second.eventsWithin(200)).toEqual([]);
  });

  it('treats a resume id ahead of the view as seen (another instance was further)', async () => {
    const ahead = encodeEventId('a', encodeProgress({ 0: '1000', 1: '1000' }));
    const client = await connect('/events', { 'last-event-id': ahead });
    await driven.deliver(0, 'z', { n: 9 });
    expect(await client.eventsWithin(200)).toEqual([]);
    await driven.deliver(0, 'z', null);
  });

  it('shows a request only what its predicate allows, deletes included', async () => {
    const client = await connect('/mine', { 'x-user': 'u1' });
    const [own] = await client.events(1);
    expect(parseEventId(own?.id ?? '')?.key.toString()).toBe('a');
    await driven.deliver(1, 'b', null, { owner: 'u2' });
    await driven.deliver(1, 'c', { n: 3 }, { owner: 'u2' });
    await driven.deliver(0, 'a', null, { owner: 'u1' });
    const [deleted] = await client.events(1);
    expect(deleted).toMatchObject({
      event: 'delete',
      data: 'YQ==',
    });
    expect(await client.eventsWithin(200)).toEqual([]);
  });

  it('ends every stream when the signal aborts, and says why', async () => {
    const client = await connect('/events');
    await client.events(1);
    const before = ends.filter((end) => end.reason === 'server').length;
    shutdown.abort();
    expect(await client.ended(2000)).toBe(true);
    expect(ends.filter((end) => end.reason === 'server').length).toBeGreaterThan(before);
    expect(ends.some((end) => end.reason === 'client')).toBe(true);
  });
});
