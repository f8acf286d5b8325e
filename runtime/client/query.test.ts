import { afterEach, describe, expect, it } from 'vitest';
import { createClientCore, type ClientOptions, type OperationSpec } from './index.ts';
import { json, startServer, type Handler, type TestServer } from './test-server.ts';

const getTask: OperationSpec = {
  operationId: 'getTask',
  method: 'GET',
  path: '/tasks/{id}',
  kind: 'query',
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler, options: Partial<ClientOptions> = {}) {
  const started = await startServer(handler);
  server = started;
  const core = createClientCore({
    baseUrl: started.url,
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
    ...options,
  });
  return { server: started, core };
}

/** A view at version `version`: 304 when the client has it. */
function view(state: { version: number; title: string }): Handler {
  return (req, res) => {
    const etag = `"v${state.version}"`;
    if (req.headers['if-none-match'] === etag) json(res, 304, undefined, { etag });
    else json(res, 200, { title: state.title }, { etag });
  };
}

describe('query', () => {
  it('sends If-None-Match with the cached ETag and answers a 304 from the cache', async () => {
    const state = { version: 1, title: 'one' };
    const { server, core } = await setup(view(state));
    const first = await core.query(getTask, { params: { id: '1' } });
    expect(first).toMatchObject({ ok: true, status: 200, data: { title: 'one' }, etag: '"v1"' });
    expect(first.ok && first.notModified).toBe(undefined);

    const second = await core.query(getTask, { params: { id: '1' } });
    expect(server.requests[1]?.headers['if-none-match']).toBe('"v1"');
    expect(second).toMatchObject({
      ok: true,
      status: 304,
      notModified: true,
      data: { title: 'one' },
      etag: '"v1"',
    });

    state.version = 2;
    state.title = 'two';
    const third = await core.query(getTask, { params: { id: '1' } });
    expect(third).toMatchObject({ ok: true, status: 200, data: { title: 'two' }, etag: '"v2"' });
    const fourth = await core.query(getTask, { params: { id: '1' } });
    expect(server.requests[3]?.headers['if-none-match']).toBe('"v2"');
    expect(fourth).toMatchObject({ notModified: true, data: { title: 'two' } });
  });

  it('keys the cache by URL and Authorization, and skips it with cache: false', async () => {
    let token = 'a';
    const { server, core } = await setup(view({ version: 1, title: 'x' }), {
      headers: () => ({ authorization: token }),
    });
    await core.query(getTask, { params: { id: '1' } });
    await core.query(getTask, { params: { id: '2' } });
    token = 'b';
    await core.query(getTask, { params: { id: '1' } });
    await core.query(getTask, { params: { id: '1' } }, { cache: false });
    expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    token = 'a';
    await core.query(getTask, { params: { id: '1' } });
    expect(server.requests[4]?.headers['if-none-match']).toBe('"v1"');
  });

  it('sends the progress token for read-your-writes', async () => {
    const { server, core } = await setup((_req, res) => json(res, 200, []));
    await core.query(getTask, { params: { id: '1' } }, { progress: 'tasks=AQI' });
    expect(server.requests[0]?.headers['specgate-progress']).toBe('tasks=AQI');
  });

  it('retries a 503 and returns a 404 problem as a failure', async () => {
    const { server, core } = await setup((req, res) => {
      if (server.requests.indexOf(req) === 0) json(res, 503, {});
      else json(res, 404, { title: 'Not Found' }, {}, 'application/problem+json');
    });
    const result = await core.query(getTask, { params: { id: '1' } });
    expect(result).toMatchObject({ ok: false, status: 404, error: { title: 'Not Found' } });
    expect(server.requests).toHaveLength(2);
  });

  it('returns a non-JSON body as text', async () => {
    const { core } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    expect(await core.query(getTask, { params: { id: '1' } })).toMatchObject({ data: 'hello' });
  });
});
