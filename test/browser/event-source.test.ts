// A plain browser EventSource in real Chromium against the gateway generated from specs/todo
// (its snapshot topic a fresh compacted one with 3 partitions): `GET /tasks` streams the state,
// live events and deletes with Zilla event ids, and after the connection drops the browser
// reconnects with Last-Event-ID and gets exactly the records it missed.
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createKafkaClient } from '../../runtime/kafka/index.ts';
import type { KafkaClient, KafkaProducer } from '../../runtime/kafka/types.ts';
import { openGateway } from '../../runtime/index.ts';
import { decodeProgress, encodeProgress, progressAfter } from '../../runtime/gateway/progress.ts';
import { kafkaBrokers, uniqueTopic } from '../kafka/brokers.ts';
import { generateGateway, importGenerated, todoSpecsWithSnapshotTopic } from '../e2e/support.ts';
import { launchChromium, openPage, type OpenedPage } from './chromium.ts';

/** The gateway the browser reads, generated from specs/todo with a snapshot topic of its own. */
interface StreamGateway {
  /** `http://127.0.0.1:PORT`, listening. */
  readonly url: string;
  /** The stream: `GET /tasks` with `Accept: text/event-stream`, same origin as the page. */
  readonly streamPath: string;
  /** Writes a snapshot (`null`: a tombstone) and resolves once the gateway's view has it. */
  write(key: string, value: unknown): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The todo gateway, generated from a copy of specs/todo whose snapshot topic is a fresh one (3
 * partitions, compacted), so the stream holds only this test's keys. `register` adds the test's
 * page and hooks to the gateway's app before it starts.
 */
async function startStreamGateway(
  register: (app: FastifyInstance) => void,
): Promise<StreamGateway> {
  const brokers = kafkaBrokers();
  const kafka: KafkaClient = createKafkaClient({ brokers, clientId: 'specgate-browser-test' });
  const producer: KafkaProducer = kafka.producer();
  const topic = uniqueTopic('browser-sse');
  await kafka.admin.ensureTopics([
    { topic: 'task-commands', partitions: 3 },
    { topic: 'task-replies', partitions: 3 },
    { topic, partitions: 3, compacted: true },
  ]);
  const specs = await todoSpecsWithSnapshotTopic(topic);
  const out = await generateGateway('browser', specs.openapi, specs.asyncapi);
  const { spec, routes } = await importGenerated(out);
  const gateway = openGateway({
    brokers,
    spec,
    routes: (app, runtime) => {
      register(app);
      routes(app, runtime);
    },
    streams: { retryMs: 300 },
  });
  await gateway.ready;
  const url = await gateway.listen();
  return {
    url,
    streamPath: '/tasks',
    async write(key, value) {
      const position = await producer.send({
        topic,
        key,
        value: value === null ? null : JSON.stringify(value),
      });
      // Read-your-writes: the item query answers once the view has applied the record.
      const token = encodeProgress(progressAfter(position.partition, position.offset));
      const response = await fetch(`${url}/tasks/${encodeURIComponent(key)}`, {
        headers: { 'specgate-progress': token },
      });
      await response.arrayBuffer();
    },
    async stop() {
      await gateway.close();
      await producer.close();
      await kafka.close();
    },
  };
}

/** One event as the page's EventSource dispatched it. */
interface Received {
  /** `message` or `delete`. */
  readonly type: string;
  readonly data: string;
  /** `lastEventId` of the event: its `id:`. */
  readonly id: string;
}

/** What the page script keeps on `window`. */
interface PageState {
  readonly received: Received[];
  opens: number;
  errors: number;
}

function pageHtml(streamPath: string): string {
  return `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>EventSource</title></head>
  <body>
    <script>
      window.received = [];
      window.opens = 0;
      window.errors = 0;
      const source = new EventSource(${JSON.stringify(streamPath)});
      const keep = (event) =>
        window.received.push({ type: event.type, data: event.data, id: event.lastEventId });
      source.addEventListener('message', keep);
      source.addEventListener('delete', keep);
      source.addEventListener('open', () => window.opens++);
      source.addEventListener('error', () => window.errors++);
    </script>
  </body>
</html>
`;
}

/** The key in base64url with `=` padding, as Zilla (Java's URL encoder) writes it. */
function base64urlKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

describe('EventSource in Chromium', () => {
  let gateway: StreamGateway;
  let base: string;
  let browser: Browser;
  /** The Last-Event-ID header of each stream request, in order (undefined: none). */
  const streamRequests: (string | undefined)[] = [];
  const openStreams = new Set<ServerResponse>();
  /** Stream requests wait for this before they are served. */
  let gate: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    // The browser first: without it nothing else is worth starting.
    browser = await launchChromium();
    gateway = await startStreamGateway((app) => {
      app.get('/', (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(pageHtml('/tasks')),
      );
      app.addHook('onRequest', async (request, reply) => {
        if (request.headers.accept !== 'text/event-stream') return;
        const header = request.headers['last-event-id'];
        streamRequests.push(typeof header === 'string' ? header : undefined);
        openStreams.add(reply.raw);
        reply.raw.on('close', () => openStreams.delete(reply.raw));
        await gate;
      });
    });
    base = gateway.url;
    // The state every page starts from: k0 … k4 (k5 is deleted before any page opens).
    for (let i = 0; i < 6; i++) await gateway.write(`k${i}`, { id: `k${i}`, n: 0 });
    await gateway.write('k5', null);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  /** A page on the stream, closed when the test ends. */
  async function open(): Promise<OpenedPage> {
    const page = await openPage(browser, `${base}/`);
    onTestFinished(() => page.close());
    return page;
  }

  /** Polls (bounded) until `done` holds. */
  async function until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 8000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out after 8 s waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function received(page: Page): Promise<Received[]> {
    return page.evaluate(() => (window as unknown as PageState).received);
  }

  /** Waits (bounded) until the page holds `count` events; fails with what it holds. */
  async function receivedAtLeast(opened: OpenedPage, count: number): Promise<Received[]> {
    try {
      await opened.page.waitForFunction(
        (n) => (window as unknown as PageState).received.length >= n,
        count,
        { timeout: 8000, polling: 50 },
      );
    } catch (error) {
      const got = await received(opened.page).catch(() => []);
      throw new Error(
        `the page did not receive ${count} events in 8 s; it has ${JSON.stringify(got)}; ` +
          `problems: ${JSON.stringify(opened.problems)}`,
        { cause: error },
      );
    }
    return received(opened.page);
  }

  /** What the page's state is after applying events: key → data, deletes remove. */
  function apply(state: Map<string, string>, events: readonly Received[]): Map<string, string> {
    for (const event of events) {
      const key = keyOf(event);
      if (event.type === 'delete') state.delete(key);
      else state.set(key, event.data);
    }
    return state;
  }

  /** Checks the id is Zilla's `["<base64url key>","<progress>"]` and returns the key. */
  function keyOf(event: Received): string {
    const id: unknown = JSON.parse(event.id);
    expect(id).toEqual([expect.any(String), expect.any(String)]);
    const [key, progress] = id as [string, string];
    expect(key).toMatch(/^[A-Za-z0-9_-]*={0,2}$/);
    expect(progress).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    expect(decodeProgress(progress)).toBeDefined();
    return Buffer.from(key, 'base64url').toString('utf8');
  }

  it('receives the state, then live records and deletes, with Zilla event ids', async () => {
    const page = await open();
    const state = await receivedAtLeast(page, 5);
    expect(state.map((event) => event.type)).toEqual(Array(5).fill('message'));
    expect(apply(new Map(), state)).toEqual(
      new Map(['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => [k, JSON.stringify({ id: k, n: 0 })])),
    );

    // The ids' progress covers the topic's 3 partitions.
    const [, progress] = JSON.parse(state.at(-1)?.id ?? '') as [string, string];
    expect(Object.keys(decodeProgress(progress) ?? {}).sort()).toEqual(['0', '1', '2']);

    await gateway.write('k6', { id: 'k6', n: 1 });
    const [live] = (await receivedAtLeast(page, 6)).slice(5);
    expect(live).toMatchObject({ type: 'message', data: JSON.stringify({ id: 'k6', n: 1 }) });
    expect(keyOf(live as Received)).toBe('k6');

    await gateway.write('k6', null);
    const events = await receivedAtLeast(page, 7);
    const deleted = events[6] as Received;
    expect(deleted.type).toBe('delete');
    expect(deleted.data).toBe(base64urlKey('k6'));
    expect(deleted.data).toBe('azY=');
    expect(keyOf(deleted)).toBe('k6');
    expect((JSON.parse(deleted.id) as unknown[])[0]).toBe('azY=');

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await received(page.page)).toHaveLength(7);
    expect(page.problems.filter((problem) => problem.startsWith('page error'))).toEqual([]);
  });

  it('reconnects with Last-Event-ID after a dropped connection and gets only what it missed', async () => {
    const page = await open();
    const state = await receivedAtLeast(page, 5);
    await gateway.write('r1', { n: 1 });
    const before = await receivedAtLeast(page, state.length + 1);
    const lastId = before.at(-1)?.id;
    expect(keyOf(before.at(-1) as Received)).toBe('r1');
    const requestsBefore = streamRequests.length;

    // Hold the reconnect until the missed records are in, then drop the connection.
    let release = (): void => undefined;
    gate = new Promise((resolve) => (release = resolve));
    onTestFinished(() => {
      release();
      gate = Promise.resolve();
    });
    // Only this page's stream (an earlier test's page may still be closing).
    await until(() => openStreams.size === 1, 'one open stream');
    for (const raw of openStreams) raw.destroy();
    await until(() => streamRequests.length > requestsBefore, 'the reconnect');
    expect(streamRequests.length).toBe(requestsBefore + 1);
    expect(streamRequests.at(-1)).toBe(lastId);

    await gateway.write('k1', { id: 'k1', n: 2 });
    await gateway.write('r2', { n: 2 });
    await gateway.write('k2', null);
    release();

    const after = (await receivedAtLeast(page, before.length + 3)).slice(before.length);
    expect(after.map((event) => `${event.type} ${keyOf(event)}`).sort()).toEqual(
      ['delete k2', 'message k1', 'message r2'].sort(),
    );
    expect(after.find((event) => event.type === 'delete')?.data).toBe(base64urlKey('k2'));

    // Live again, once; nothing was sent twice.
    await gateway.write('r3', { n: 3 });
    await receivedAtLeast(page, before.length + 4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = await received(page.page);
    expect(all).toHaveLength(before.length + 4);
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    const counters = await page.page.evaluate(() => {
      const { opens, errors } = window as unknown as PageState;
      return { opens, errors };
    });
    expect(counters.opens).toBe(2);
    expect(counters.errors).toBeGreaterThanOrEqual(1);
    expect(apply(new Map(), all)).toEqual(
      new Map([
        ['k0', JSON.stringify({ id: 'k0', n: 0 })],
        ['k1', JSON.stringify({ id: 'k1', n: 2 })],
        ['k3', JSON.stringify({ id: 'k3', n: 0 })],
        ['k4', JSON.stringify({ id: 'k4', n: 0 })],
        ['r1', JSON.stringify({ n: 1 })],
        ['r2', JSON.stringify({ n: 2 })],
        ['r3', JSON.stringify({ n: 3 })],
      ]),
    );
  });
});
