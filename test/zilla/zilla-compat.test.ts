/**
 * Issue 12, the Zilla compatibility profile (design.md §4–§6): a gateway generated from
 * specs/zilla-todo (`compat: zilla`) stands in for Zilla's http-kafka and sse-kafka bindings.
 * A page on another origin drives it as a Zilla todo app does (fetch for the commands, one
 * EventSource on GET /tasks, in headless Chromium), and a command service written for Zilla
 * (zilla-todo-service.ts: plain kafkajs, Zilla's headers only) answers. Each case is also
 * checked on the topics, header by header: the command record the gateway wrote (names, order,
 * values, key, value), the service's reply, and the HTTP answer the reply became.
 */
import { request as httpRequest } from 'node:http';
import type { Admin, Kafka } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, type OpenedPage } from '../browser/chromium.ts';
import { startServerProcess } from '../e2e/support.ts';
import { kafkaClient } from '../kafka/brokers.ts';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';
import type { ReadyChild } from '../process/ready-child.ts';
import { startPageServer, type FetchAnswer, type SeenEvent, type TodoPage } from './browser-app.ts';
import { openSse } from './sse-reader.ts';
import { prepareZillaTodo, type ZillaTodoTopics } from './zilla-todo-gateway.ts';
import { startZillaTodoService, type ZillaTodoService } from './zilla-todo-service.ts';

/** Request headers a Zilla record never carries (issue 12), plus what HTTP/1.1 moves or owns. */
const notForwarded = new Set([
  'content-length',
  'prefer',
  'authorization',
  'cookie',
  // `host` becomes `:authority`; `connection` is HTTP/1.1's own (there is none in HTTP/2,
  // which Zilla's records mirror).
  'host',
  'connection',
]);

/** One command as the browser made it and as the gateway answered it. */
interface Exchange {
  /** What the page's script could read. */
  readonly answer: FetchAnswer;
  /** Every response header, as Chromium received them (CORS does not hide these). */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The request headers Chromium sent, in order, names in lower case. */
  readonly sent: readonly { readonly name: string; readonly value: string }[];
}

let kafka: Kafka;
let admin: Admin;
let topics: ZillaTodoTopics;
let service: ZillaTodoService;
let gateway: { readonly child: ReadyChild; readonly url: string };
let pages: { origin: string; close(): Promise<void> };
let browser: Browser;
let opened: OpenedPage;
let page: Page;
/** The EventSource's own response headers (its request is cross-origin too). */
let streamResponseHeaders: Record<string, string>;

beforeAll(async () => {
  kafka = kafkaClient('zilla-compat-test');
  admin = kafka.admin();
  await admin.connect();
  const prepared = await prepareZillaTodo(admin);
  topics = prepared.topics;
  service = await startZillaTodoService(kafka, {
    commands: topics.commands,
    snapshots: topics.snapshots,
  });
  gateway = await startServerProcess(prepared.serverFile);
  pages = await startPageServer();
  browser = await launchChromium();
  opened = await openPage(browser, `${pages.origin}/`);
  page = opened.page;
  const [streamResponse] = await Promise.all([
    page.waitForResponse(
      (r) => r.url() === `${gateway.url}/tasks` && r.request().method() === 'GET',
    ),
    page.evaluate(
      (url) => (window as unknown as PageWindow).todo.openStream(url),
      `${gateway.url}/tasks`,
    ),
  ]);
  streamResponseHeaders = await streamResponse.allHeaders();
});

afterAll(async () => {
  await opened?.close();
  await browser?.close();
  await pages?.close();
  gateway?.child.process.kill('SIGTERM');
  await gateway?.child.exited;
  await service?.stop();
  await admin?.disconnect();
});

describe('Zilla profile: a Zilla todo app and a Zilla command service, unchanged', () => {
  it('create: 201 + Location; the record carries every request header, then zilla:reply-to, the override and the correlation id; the stream shows the task', async () => {
    const key = crypto.randomUUID();
    const body = JSON.stringify({ name: 'buy milk' });
    const commandsBefore = await readTopic(topics.commands);
    const repliesBefore = await readTopic(topics.replies);

    const exchange = await browserCall('POST', '/tasks', {
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body,
    });

    const [record, ...more] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    expect(more).toEqual([]);
    expectZillaRecord(record, exchange, {
      method: 'POST',
      path: '/tasks',
      key,
      value: body,
      operation: 'CreateTaskCommand',
      correlationSeed: key,
    });

    const reply = await replyTo(record, repliesBefore.length);
    expect(Object.keys(reply.headers)).toEqual([
      'zilla:correlation-id',
      ':status',
      'location',
      'etag',
    ]);
    expect(reply.headers).toMatchObject({ ':status': '201', location: `/tasks/${key}`, etag: '1' });

    expect(exchange.answer.status).toBe(201);
    expect(exchange.answer.body).toBe('');
    expectReplyAnswer(exchange, { location: `/tasks/${key}`, etag: '1', 'content-length': '0' });

    const event = await streamEvent((e) => e.type === 'message' && idKey(e) === key);
    expect(JSON.parse(event.data)).toEqual({ name: 'buy milk' });
    const [, etag] = parseEventId(event.id);
    expect(etag).toMatch(/^[^/]+\/1$/);
  });

  it('update with If-Match from the stream event id: if-match <etag> on the record, 204, and the stream shows the rename', async () => {
    const { key, etag } = await createTask('rename me');
    const body = JSON.stringify({ name: 'renamed' });
    const commandsBefore = await readTopic(topics.commands);
    const repliesBefore = await readTopic(topics.replies);

    // Zilla's todo app sends the task id as the Idempotency-Key of every edit.
    const exchange = await browserCall('PUT', `/tasks/${key}`, {
      headers: { 'content-type': 'application/json', 'if-match': etag, 'idempotency-key': key },
      body,
    });

    const [record, ...more] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    expect(more).toEqual([]);
    expectZillaRecord(record, exchange, {
      method: 'PUT',
      path: `/tasks/${key}`,
      key,
      value: body,
      operation: 'RenameTaskCommand',
      correlationSeed: key,
      ifMatch: '1',
    });
    const reply = await replyTo(record, repliesBefore.length);
    expect(reply.headers).toMatchObject({ ':status': '204', etag: '2' });

    expect(exchange.answer.status).toBe(204);
    expect(exchange.answer.body).toBe('');
    expectReplyAnswer(exchange, { etag: '2' });
    // RFC 9110 §8.6: no Content-Length on a 204.
    expect(exchange.responseHeaders['content-length']).toBeUndefined();

    const event = await streamEvent(
      (e) => e.type === 'message' && idKey(e) === key && e.data.includes('renamed'),
    );
    expect(JSON.parse(event.data)).toEqual({ name: 'renamed' });
    expect(parseEventId(event.id)[1]).toMatch(/^[^/]+\/2$/);
  });

  it('stale If-Match: the service answers 412, and nothing changes', async () => {
    const { key, etag } = await createTask('contested');
    const first = await renameFromApp(key, etag, 'first writer');
    expect(first.answer.status).toBe(204);
    const commandsBefore = await readTopic(topics.commands);
    const repliesBefore = await readTopic(topics.replies);
    const snapshotsBefore = await readTopic(topics.snapshots);

    const stale = await renameFromApp(key, etag, 'second writer');

    const [record, ...more] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    expect(more).toEqual([]);
    expect(record?.headers['if-match']).toBe('1');
    const reply = await replyTo(record, repliesBefore.length);
    expect(reply.headers).toEqual({
      'zilla:correlation-id': record?.headers['zilla:correlation-id'],
      ':status': '412',
    });
    expect(stale.answer.status).toBe(412);
    expect(stale.answer.body).toBe('');
    expectReplyAnswer(stale, { 'content-length': '0' });
    expect((await readTopic(topics.snapshots)).length).toBe(snapshotsBefore.length);
  });

  it('delete: an empty, non-null command value, 204, and `event: delete` with the base64url key', async () => {
    const { key, etag } = await createTask('delete me');
    const commandsBefore = await readTopic(topics.commands);
    const repliesBefore = await readTopic(topics.replies);

    const exchange = await browserCall('DELETE', `/tasks/${key}`, {
      headers: { 'if-match': etag, 'idempotency-key': key },
    });

    const [record, ...more] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    expect(more).toEqual([]);
    expectZillaRecord(record, exchange, {
      method: 'DELETE',
      path: `/tasks/${key}`,
      key,
      value: '',
      operation: 'DeleteTaskCommand',
      correlationSeed: key,
      ifMatch: '1',
    });
    const reply = await replyTo(record, repliesBefore.length);
    expect(reply.headers).toMatchObject({ ':status': '204' });
    expect(exchange.answer.status).toBe(204);
    expectReplyAnswer(exchange, {});
    expect(exchange.responseHeaders['content-length']).toBeUndefined();

    const deleted = await streamEvent((e) => e.type === 'delete' && idKey(e) === key);
    expect(deleted.data).toBe(base64url(key));
    const tombstone = (await readTopic(topics.snapshots)).at(-1);
    expect(tombstone?.key?.toString()).toBe(key);
    expect(tombstone?.value).toBeNull();
  });

  it('a byte-identical retry gets the stored reply and writes no new record', async () => {
    const key = crypto.randomUUID();
    const request = {
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ name: 'only once' }),
    };
    const first = await browserCall('POST', '/tasks', request);
    expect(first.answer.status).toBe(201);
    const commandsBefore = await readTopic(topics.commands);
    const repliesBefore = await readTopic(topics.replies);
    const handledBefore = service.handled.length;

    const retry = await browserCall('POST', '/tasks', request);

    expect(retry.answer).toEqual(first.answer);
    for (const name of ['location', 'etag', 'content-length', 'access-control-allow-origin']) {
      expect(retry.responseHeaders[name], name).toBe(first.responseHeaders[name]);
    }
    // Give a duplicate the time to arrive before concluding there is none.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await readTopic(topics.commands)).slice(commandsBefore.length)).toEqual([]);
    expect((await readTopic(topics.replies)).slice(repliesBefore.length)).toEqual([]);
    expect(service.handled.length).toBe(handledBefore);
    const created = (await readTopic(topics.commands)).filter((r) => r.key?.toString() === key);
    expect(created).toHaveLength(1);
  });

  it('the same Idempotency-Key with a new body and a new If-Match is a new command with a new correlation id', async () => {
    const { key, etag } = await createTask('first');
    const first = await renameFromApp(key, etag, 'second');
    expect(first.answer.status).toBe(204);
    const renamed = await streamEvent(
      (e) => e.type === 'message' && idKey(e) === key && e.data.includes('second'),
    );
    const nextEtag = parseEventId(renamed.id)[1];
    const commandsBefore = await readTopic(topics.commands);

    const again = await browserCall('PUT', `/tasks/${key}`, {
      headers: {
        'content-type': 'application/json',
        'if-match': nextEtag,
        'idempotency-key': key,
      },
      body: JSON.stringify({ name: 'third' }),
    });

    expect(again.answer.status).toBe(204);
    const [record, ...more] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    expect(more).toEqual([]);
    expectZillaRecord(record, again, {
      method: 'PUT',
      path: `/tasks/${key}`,
      key,
      value: JSON.stringify({ name: 'third' }),
      operation: 'RenameTaskCommand',
      correlationSeed: key,
      ifMatch: '2',
    });
    const earlier = (await readTopic(topics.commands)).filter(
      (r) =>
        r.key?.toString() === key && r.headers['todo-command:operation'] === 'RenameTaskCommand',
    );
    expect(earlier).toHaveLength(2);
    expect(earlier[0]?.headers['zilla:correlation-id']).not.toBe(
      earlier[1]?.headers['zilla:correlation-id'],
    );
    await streamEvent((e) => e.type === 'message' && idKey(e) === key && e.data.includes('third'));
  });

  it('If-Match without a "/" is not forwarded', async () => {
    const { key } = await createTask('unconditional');
    const commandsBefore = await readTopic(topics.commands);
    const exchange = await browserCall('PUT', `/tasks/${key}`, {
      headers: { 'content-type': 'application/json', 'if-match': '1' },
      body: JSON.stringify({ name: 'no precondition' }),
    });
    const [record] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    expect(record?.headers).not.toHaveProperty('if-match');
    expect(exchange.answer.status).toBe(204);
  });

  it('a POST without Idempotency-Key is keyed by a random UUID, which also starts its correlation id', async () => {
    const commandsBefore = await readTopic(topics.commands);
    const exchange = await browserCall('POST', '/tasks', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'no key' }),
    });
    const [record] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    const key = record?.key?.toString() ?? '';
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expectZillaRecord(record, exchange, {
      method: 'POST',
      path: '/tasks',
      key,
      value: JSON.stringify({ name: 'no key' }),
      operation: 'CreateTaskCommand',
      correlationSeed: key,
    });
    expect(exchange.answer.status).toBe(201);
    expect(exchange.responseHeaders.location).toBe(`/tasks/${key}`);
  });

  it('request headers are copied in the order they came, without content-length, prefer, authorization and cookie', async () => {
    const key = crypto.randomUUID();
    const body = JSON.stringify({ name: 'ordered' });
    const commandsBefore = await readTopic(topics.commands);
    // Node sends an array of headers exactly in its order; a browser does not say its order.
    const status = await rawRequest('POST', '/tasks', body, [
      ['X-Second', 'b'],
      ['Content-Type', 'application/json'],
      ['Prefer', 'return=minimal'],
      ['Idempotency-Key', key],
      ['Cookie', 'session=secret'],
      ['X-First', 'a'],
      ['Authorization', 'Bearer not-for-kafka'],
      ['Content-Length', String(Buffer.byteLength(body))],
    ]);
    expect(status).toBe(201);
    const [record] = (await readTopic(topics.commands)).slice(commandsBefore.length);
    expect(Object.entries(record?.headers ?? {}).slice(4)).toEqual([
      ['x-second', 'b'],
      ['content-type', 'application/json'],
      ['idempotency-key', key],
      ['x-first', 'a'],
      ['zilla:reply-to', topics.replies],
      ['todo-command:operation', 'CreateTaskCommand'],
      ['zilla:correlation-id', record?.headers['zilla:correlation-id']],
    ]);
  });

  it('CORS: a preflight from the page origin is answered 204 with Allow-Origin/Methods/Headers; every answer allows the origin', async () => {
    const preflight = await fetch(`${gateway.url}/tasks/${crypto.randomUUID()}`, {
      method: 'OPTIONS',
      headers: {
        origin: pages.origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type,idempotency-key,if-match',
      },
    });
    expect(preflight.status).toBe(204);
    expect([pages.origin, '*']).toContain(preflight.headers.get('access-control-allow-origin'));
    const methods = listed(preflight.headers.get('access-control-allow-methods'));
    expect(methods.includes('*') || methods.includes('put')).toBe(true);
    const allowed = listed(preflight.headers.get('access-control-allow-headers'));
    for (const header of ['content-type', 'idempotency-key', 'if-match']) {
      expect(allowed.includes('*') || allowed.includes(header), header).toBe(true);
    }

    expect([pages.origin, '*']).toContain(streamResponseHeaders['access-control-allow-origin']);
    const exchange = await browserCall('POST', '/tasks', {
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({ name: 'cross-origin' }),
    });
    expect(exchange.answer.status).toBe(201);
    expect([pages.origin, '*']).toContain(exchange.responseHeaders['access-control-allow-origin']);
    // Zilla exposes response headers to cross-origin scripts (`access-control-expose-headers:
    // *`), so a Zilla app can read the Location of what it created.
    expect(exchange.answer.headers.location).toBe(exchange.responseHeaders.location);
    expect(opened.problems.filter((p) => p.includes('CORS'))).toEqual([]);
  });

  it('the stream: the compacted snapshot first, then live records; Last-Event-ID resumes after that event', async () => {
    const live = await createTask('in the snapshot');
    const gone = await createTask('deleted before the snapshot');
    const removed = await browserCall('DELETE', `/tasks/${gone.key}`, { headers: {} });
    expect(removed.answer.status).toBe(204);
    await streamEvent((e) => e.type === 'delete' && idKey(e) === gone.key);

    const fresh = await openSse(`${gateway.url}/tasks`, { origin: pages.origin });
    expect(fresh.status).toBe(200);
    const snapshot = (await readTopic(topics.snapshots)).filter((r) => r.key !== null);
    const liveKeys = new Set<string>();
    for (const r of snapshot) {
      if (r.value === null) liveKeys.delete(r.key?.toString() ?? '');
      else liveKeys.add(r.key?.toString() ?? '');
    }
    const first = await fresh.take(liveKeys.size);
    expect(first.every((e) => e.event === 'message')).toBe(true);
    expect(new Set(first.map((e) => parseEventId(e.id ?? '')[0]))).toEqual(
      new Set([...liveKeys].map(base64url)),
    );
    const liveEvent = first.find((e) => parseEventId(e.id ?? '')[0] === base64url(live.key));
    expect(JSON.parse(liveEvent?.data ?? 'null')).toEqual({ name: 'in the snapshot' });
    const last = first.at(-1)?.id ?? '';

    const resumed = await openSse(`${gateway.url}/tasks`, {
      origin: pages.origin,
      'last-event-id': last,
    });
    const later = await createTask('after the resume point');
    const [next] = await resumed.take(1);
    expect(next?.event).toBe('message');
    expect(parseEventId(next?.id ?? '')[0]).toBe(base64url(later.key));
    const [liveNext] = await fresh.take(liveKeys.size + 1).then((all) => all.slice(-1));
    expect(liveNext?.id).toBe(next?.id);
    fresh.close();
    resumed.close();
  });
});

/** The page's window; evaluated callbacks run in the page, so they cast rather than call a helper. */
interface PageWindow {
  readonly todo: TodoPage;
}

/** Calls the gateway from the page; returns what the page read and what Chromium saw. */
async function browserCall(
  method: string,
  path: string,
  request: { headers: Record<string, string>; body?: string },
): Promise<Exchange> {
  const url = `${gateway.url}${path}`;
  const [response, answer] = await Promise.all([
    page.waitForResponse((r) => r.url() === url && r.request().method() === method, {
      timeout: 15_000,
    }),
    page.evaluate(([m, u, h, b]) => (window as unknown as PageWindow).todo.call(m, u, h, b), [
      method,
      url,
      request.headers,
      request.body,
    ] as const),
  ]);
  const sent = (await response.request().headersArray()).map(({ name, value }) => ({
    name: name.toLowerCase(),
    value,
  }));
  return { answer, responseHeaders: await response.allHeaders(), sent };
}

/**
 * A rename as Zilla's todo app sends it: the task id as the Idempotency-Key, the ETag from the
 * stream as If-Match.
 */
function renameFromApp(key: string, ifMatch: string, name: string): Promise<Exchange> {
  return browserCall('PUT', `/tasks/${key}`, {
    headers: { 'content-type': 'application/json', 'if-match': ifMatch, 'idempotency-key': key },
    body: JSON.stringify({ name }),
  });
}

/** Creates a task from the page; its key and the If-Match its stream event id carries. */
async function createTask(name: string): Promise<{ key: string; etag: string }> {
  const key = crypto.randomUUID();
  const created = await browserCall('POST', '/tasks', {
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ name }),
  });
  expect(created.answer.status).toBe(201);
  const event = await streamEvent((e) => e.type === 'message' && idKey(e) === key);
  return { key, etag: parseEventId(event.id)[1] };
}

interface ExpectedRecord {
  readonly method: string;
  readonly path: string;
  readonly key: string;
  /** The record value as text; '' for an empty, non-null value. */
  readonly value: string;
  readonly operation: string;
  /** What the correlation id starts with, before "-" and the request hash. */
  readonly correlationSeed: string;
  /** The forwarded `if-match`, when the request had one with a "/". */
  readonly ifMatch?: string;
}

/**
 * A request-reply record as Zilla writes it: `:method`, `:path`, `:scheme`, `:authority` first,
 * then every request header Chromium sent (except content-length, prefer, authorization,
 * cookie; host is `:authority`), in the order sent, with If-Match cut to its etag, then
 * `zilla:reply-to`, the override, and the correlation id last.
 */
function expectZillaRecord(
  record: TopicRecord | undefined,
  exchange: Exchange,
  want: ExpectedRecord,
): void {
  expect(record, 'the command record').toBeDefined();
  if (record === undefined) return;
  expect(record.key?.toString()).toBe(want.key);
  expect(record.value, 'an empty value, never a tombstone').not.toBeNull();
  expect(record.value?.toString()).toBe(want.value);

  const names = Object.keys(record.headers);
  expect(names.slice(0, 4).sort()).toEqual([':authority', ':method', ':path', ':scheme']);
  expect(record.headers[':method']).toBe(want.method);
  expect(record.headers[':path']).toBe(want.path);
  expect(record.headers[':scheme']).toBe('http');
  expect(record.headers[':authority']).toBe(new URL(gateway.url).host);

  const forwarded = exchange.sent.flatMap(({ name, value }): [string, string][] => {
    if (notForwarded.has(name)) return [];
    if (name !== 'if-match') return [[name, value]];
    const slash = value.indexOf('/');
    return slash < 0 ? [] : [[name, value.slice(slash + 1)]];
  });
  // The browser does not tell in what order it put its headers on the wire (Playwright and
  // CDP sort them), so the copied request headers are compared as a set here; their order is
  // checked with a Node client that sends them in a known order.
  const copied = Object.fromEntries(names.slice(4, -3).map((name) => [name, record.headers[name]]));
  expect(copied).toEqual(Object.fromEntries(forwarded));
  if (want.ifMatch !== undefined) expect(record.headers['if-match']).toBe(want.ifMatch);
  else expect(record.headers).not.toHaveProperty('if-match');

  expect(names.slice(-3)).toEqual([
    'zilla:reply-to',
    'todo-command:operation',
    'zilla:correlation-id',
  ]);
  expect(record.headers['zilla:reply-to']).toBe(topics.replies);
  expect(record.headers['todo-command:operation']).toBe(want.operation);
  const correlationId = String(record.headers['zilla:correlation-id']);
  expect(correlationId.startsWith(`${want.correlationSeed}-`), correlationId).toBe(true);
  expect(correlationId.slice(want.correlationSeed.length + 1)).toMatch(/^[A-Za-z0-9_=+/-]{16,}$/);
  for (const name of names) expect(notForwarded.has(name), name).toBe(false);
}

/** The service's reply to `command`, found after `since` on the reply topic (it may lag). */
async function replyTo(command: TopicRecord | undefined, since: number): Promise<TopicRecord> {
  const correlationId = command?.headers['zilla:correlation-id'];
  expect(correlationId).toBeDefined();
  for (const deadline = Date.now() + 10_000; ;) {
    const replies = (await readTopic(topics.replies))
      .slice(since)
      .filter((r) => r.headers['zilla:correlation-id'] === correlationId);
    if (replies.length > 1)
      throw new Error(`${replies.length} replies to ${String(correlationId)}`);
    if (replies[0] !== undefined) return replies[0];
    if (Date.now() > deadline) throw new Error(`no reply to ${String(correlationId)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The reply became the answer: its headers other than the correlation id and `:status` are
 * response headers; neither of those two is; the page's origin is allowed.
 */
function expectReplyAnswer(exchange: Exchange, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    expect(exchange.responseHeaders[name], name).toBe(value);
  }
  expect(exchange.responseHeaders).not.toHaveProperty('zilla:correlation-id');
  expect(exchange.responseHeaders).not.toHaveProperty(':status');
  expect([pages.origin, '*']).toContain(exchange.responseHeaders['access-control-allow-origin']);
}

/** Waits for the page's EventSource to have seen an event matching `match`. */
async function streamEvent(match: (event: SeenEvent) => boolean): Promise<SeenEvent> {
  for (const deadline = Date.now() + 10_000; ;) {
    const seen = await page.evaluate(() => (window as unknown as PageWindow).todo.seen);
    const found = seen.find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`no such stream event within 10 s; seen: ${JSON.stringify(seen)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Zilla's event id: `["<base64url key>","<progress>[/<etag>]"]`. */
function parseEventId(id: string): [string, string] {
  const parsed: unknown = JSON.parse(id);
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !parsed.every((part): part is string => typeof part === 'string')
  ) {
    throw new Error(`not a Zilla event id: ${id}`);
  }
  return [parsed[0] as string, parsed[1] as string];
}

/** The task key of a stream event, decoded from its id. */
function idKey(event: SeenEvent): string | undefined {
  try {
    return Buffer.from(parseEventId(event.id)[0], 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
}

function base64url(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** One request whose header order is the given one (Host first, as HTTP/1.1 clients send it). */
function rawRequest(
  method: string,
  path: string,
  body: string,
  headers: readonly (readonly [string, string])[],
): Promise<number> {
  const target = new URL(path, gateway.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        method,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: [['Host', target.host], ...headers].flat(),
        setHost: false,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function listed(header: string | null): string[] {
  return (header ?? '').split(',').map((item) => item.trim().toLowerCase());
}
