import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, createClientCore, type ClientOptions, type OperationSpec } from './index.ts';
import { delay, json, startServer, type Handler, type TestServer } from './test-server.ts';

const createTask: OperationSpec = {
  operationId: 'createTask',
  method: 'POST',
  path: '/tasks/{id}',
  kind: 'command',
};
const asyncTask: OperationSpec = { ...createTask, accepts202: true };
const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 20 };
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler, options: Partial<ClientOptions> = {}) {
  const started = await startServer(handler);
  server = started;
  const core = createClientCore({ baseUrl: `${started.url}/`, retry: fast, ...options });
  return { server: started, core };
}

describe('command', () => {
  it('builds the URL, headers and JSON body, and reads a JSON answer', async () => {
    let asked = 0;
    const { server, core } = await setup(
      (_req, res) =>
        json(res, 201, { id: 'a b/c' }, { etag: '"e1"', 'specgate-progress': 'tasks=AQ' }),
      { headers: () => ({ authorization: `Bearer ${++asked}`, 'x-client': 'c' }) },
    );
    const result = await core.command<{ id: string }, unknown>(
      createTask,
      {
        params: { id: 'a b/c' },
        query: { tag: ['x', 'y'], skip: undefined, n: 1 },
        headers: { 'x-param': 5, 'x-none': undefined, 'x-client': 'param wins' },
        body: { title: 'Tâsk' },
      },
      { headers: { 'x-call': 'yes' } },
    );
    expect(result).toMatchObject({
      ok: true,
      status: 201,
      data: { id: 'a b/c' },
      etag: '"e1"',
      progress: 'tasks=AQ',
    });
    expect(result.ok && result.location).toBe(undefined);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/tasks/a%20b%2Fc?tag=x&tag=y&n=1');
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer 1',
      'x-client': 'param wins',
      'x-param': '5',
      'x-call': 'yes',
      'content-type': 'application/json',
    });
    expect(request?.headers['x-none']).toBeUndefined();
    expect(request?.headers.prefer).toBeUndefined();
    expect(request?.headers['idempotency-key']).toMatch(uuid);
    expect(JSON.parse(request?.body ?? '')).toEqual({ title: 'Tâsk' });
  });

  it('answers an error status as a failure carrying the problem', async () => {
    const problem = { type: 'about:blank', title: 'Invalid', status: 422 };
    const { core } = await setup((_req, res) =>
      json(res, 422, problem, {}, 'application/problem+json; charset=utf-8'),
    );
    const result = await core.command(createTask, { params: { id: '1' }, body: {} });
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ ok: false, status: 422, error: problem });
  });

  it('sends the body with the JSON media type the operation declares', async () => {
    const { server, core } = await setup((_req, res) => json(res, 200, {}));
    const vendor = { ...createTask, contentType: 'application/vnd.kafka.json.v2+json' };
    await core.command(vendor, { params: { id: '1' }, body: { records: [] } });
    expect(server.requests[0]?.headers['content-type']).toBe('application/vnd.kafka.json.v2+json');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ records: [] });
  });

  it('sends a body that is not JSON as it is, with its media type', async () => {
    const { server, core } = await setup((_req, res) => json(res, 201, {}));
    const photo = { ...createTask, contentType: 'image/png', rawBody: true };
    await core.command(photo, { params: { id: '1' }, body: new Uint8Array([0x50, 0x4e, 0x47]) });
    const text = { ...createTask, contentType: 'text/plain', rawBody: true };
    await core.command(text, { params: { id: '1' }, body: '{not json' });
    expect(server.requests.map((r) => r.headers['content-type'])).toEqual([
      'image/png',
      'text/plain',
    ]);
    expect(server.requests.map((r) => r.body)).toEqual(['PNG', '{not json']);
    await expect(core.command(photo, { params: { id: '1' }, body: { a: 1 } })).rejects.toThrow(
      TypeError,
    );
  });

  it('gives undefined data for an empty body, and no content-type without a body', async () => {
    const { server, core } = await setup((_req, res) => json(res, 204));
    const result = await core.command(createTask, { params: { id: '1' } });
    expect(result).toMatchObject({ ok: true, status: 204, data: undefined });
    expect(server.requests[0]?.headers['content-type']).toBeUndefined();
  });

  it('retries 503 and 429 with the same Idempotency-Key, honouring Retry-After', async () => {
    const { server, core } = await setup((req, res) => {
      const n = server.requests.indexOf(req);
      if (n === 0) json(res, 503, { title: 'busy' }, { 'retry-after': '1' });
      else if (n === 1) json(res, 429, { title: 'slow down' });
      else json(res, 200, { done: n });
    });
    const started = Date.now();
    const result = await core.command(
      createTask,
      { params: { id: '1' }, body: { a: 1 } },
      // Retry-After: 1 (s) is capped by maxDelayMs; the backoff itself is at most 1 ms.
      { retry: { baseDelayMs: 1, maxDelayMs: 300 } },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(result).toMatchObject({ ok: true, data: { done: 2 } });
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(server.requests.map((r) => r.body)).toEqual(Array(3).fill('{"a":1}'));

    await core.command(createTask, { params: { id: '1' } });
    expect(server.requests[3]?.headers['idempotency-key']).not.toBe(keys[0]);
  });

  it('uses the caller’s Idempotency-Key', async () => {
    const { server, core } = await setup((_req, res) => json(res, 200, {}));
    await core.command(createTask, { params: { id: '1' } }, { idempotencyKey: 'k-1' });
    expect(server.requests[0]?.headers['idempotency-key']).toBe('k-1');
  });

  it('returns the last 503 as a failure once the retries are spent', async () => {
    const { server, core } = await setup((_req, res) => json(res, 503, { title: 'down' }));
    const result = await core.command(
      createTask,
      { params: { id: '1' } },
      { retry: { retries: 2 } },
    );
    expect(result).toMatchObject({ ok: false, status: 503, error: { title: 'down' } });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry other error answers', async () => {
    const { server, core } = await setup((_req, res) => json(res, 500, { title: 'bug' }));
    const result = await core.command(createTask, { params: { id: '1' } });
    expect(result).toMatchObject({ ok: false, status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('retries network errors with the same key, and rejects NETWORK when they persist', async () => {
    let drops = 1;
    const { server, core } = await setup((_req, res) => {
      if (drops-- > 0) res.socket?.destroy();
      else json(res, 200, { ok: 1 });
    });
    const result = await core.command(createTask, { params: { id: '1' } });
    expect(result).toMatchObject({ ok: true, data: { ok: 1 } });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.headers['idempotency-key']).toBe(
      server.requests[1]?.headers['idempotency-key'],
    );

    drops = 100;
    const failed = core.command(createTask, { params: { id: '1' } }, { retry: { retries: 1 } });
    await expect(failed).rejects.toBeInstanceOf(ClientError);
    await expect(failed).rejects.toMatchObject({ code: 'NETWORK' });
    expect(server.requests).toHaveLength(4);
  });

  it('times out each attempt, retries, and rejects TIMEOUT after the last', async () => {
    let hangs = 1;
    const { server, core } = await setup((_req, res) => {
      if (hangs-- <= 0) json(res, 200, { late: false });
    });
    const result = await core.command(createTask, { params: { id: '1' } }, { timeoutMs: 100 });
    expect(result).toMatchObject({ ok: true, data: { late: false } });
    expect(server.requests).toHaveLength(2);

    hangs = 100;
    const started = Date.now();
    const failed = core.command(
      createTask,
      { params: { id: '1' } },
      { timeoutMs: 80, retry: { retries: 1 } },
    );
    await expect(failed).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(server.requests).toHaveLength(4);
  });

  it('rejects ABORTED at once when the caller aborts, without retrying', async () => {
    const { server, core } = await setup(() => undefined); // never answers
    const controller = new AbortController();
    const call = core.command(createTask, { params: { id: '1' } }, { signal: controller.signal });
    await delay(50);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'ABORTED' });
    expect(server.requests).toHaveLength(1);

    const already = core.command(
      createTask,
      { params: { id: '1' } },
      { signal: AbortSignal.abort() },
    );
    await expect(already).rejects.toMatchObject({ code: 'ABORTED' });
    expect(server.requests).toHaveLength(1);
  });

  it('stops the backoff sleep when the caller aborts', async () => {
    const { server, core } = await setup((_req, res) =>
      json(res, 503, {}, { 'retry-after': '10' }),
    );
    const controller = new AbortController();
    const started = Date.now();
    const call = core.command(
      createTask,
      { params: { id: '1' } },
      { signal: controller.signal, retry: { maxDelayMs: 10_000 } },
    );
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toMatchObject({ code: 'ABORTED' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
  });

  it('returns a 202 with its Location when not asked to wait', async () => {
    const { server, core } = await setup((_req, res) =>
      json(res, 202, undefined, { location: '/tasks/1;cid=abc', 'specgate-progress': 'p' }),
    );
    const result = await core.command(asyncTask, { params: { id: '1' }, body: {} });
    expect(result).toMatchObject({
      ok: true,
      status: 202,
      data: undefined,
      progress: 'p',
      location: `${server.url}/tasks/1;cid=abc`,
    });
    expect(server.requests[0]?.headers.prefer).toBeUndefined();
  });

  it('with async: sends respond-async and long-polls the Location until the reply', async () => {
    const { server, core } = await setup(async (req, res) => {
      if (req.method === 'POST') {
        json(res, 202, undefined, { location: '/tasks/1;cid=abc' });
      } else if (server.requests.length < 4) {
        await delay(30); // held, then "not yet"
        json(res, 202, undefined, { location: '/tasks/1;cid=abc' });
      } else {
        json(res, 201, { id: '1', done: true }, { etag: '"r"' });
      }
    });
    const result = await core.command(
      asyncTask,
      { params: { id: '1' }, body: { title: 't' } },
      { async: { waitSeconds: 5 }, headers: { 'x-call': 'c' } },
    );
    expect(result).toMatchObject({ ok: true, status: 201, data: { id: '1', done: true } });
    const [post, ...polls] = server.requests;
    expect(post?.headers.prefer).toBe('respond-async');
    expect(polls).toHaveLength(3);
    for (const poll of polls) {
      expect(poll).toMatchObject({ method: 'GET', url: '/tasks/1;cid=abc' });
      expect(poll.headers.prefer).toBe('wait=5');
      expect(poll.headers['x-call']).toBe('c');
    }
  });

  it('with async: returns the 202 once totalMs has passed', async () => {
    const { server, core } = await setup(async (_req, res) => {
      await delay(40);
      json(res, 202, undefined, { location: '/tasks/1;cid=abc' });
    });
    const result = await core.command(
      asyncTask,
      { params: { id: '1' } },
      { async: { waitSeconds: 1, totalMs: 200 } },
    );
    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(result.ok && result.location).toBe(`${server.url}/tasks/1;cid=abc`);
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('ignores async for a command that declares no 202', async () => {
    const { server, core } = await setup((_req, res) => json(res, 200, {}));
    await core.command(createTask, { params: { id: '1' } }, { async: true });
    expect(server.requests[0]?.headers.prefer).toBeUndefined();
  });
});
