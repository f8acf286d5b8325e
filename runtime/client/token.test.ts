import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, createClientCore, type OperationSpec } from './index.ts';
import { json, startServer, type TestServer } from './test-server.ts';

const getTask: OperationSpec = { operationId: 'getTask', method: 'GET', path: '/t', kind: 'query' };
const streamTasks: OperationSpec = {
  operationId: 'streamTasks',
  method: 'GET',
  path: '/s',
  kind: 'stream',
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('bearer tokens', () => {
  it('sends a fixed token, and asks a provider before every request', async () => {
    server = await startServer((_req, res) => json(res, 200, {}));
    await createClientCore({ baseUrl: server.url, token: 'abc' }).query(getTask, {});
    let issued = 0;
    const core = createClientCore({
      baseUrl: server.url,
      token: () => `t${++issued}`,
      headers: { authorization: 'Basic x' },
    });
    await core.query(getTask, {}, { cache: false });
    await core.query(getTask, {}, { cache: false });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer abc',
      'Bearer t1',
      'Bearer t2',
    ]);
    const none = createClientCore({ baseUrl: server.url, token: () => undefined });
    await none.query(getTask, {}, { cache: false });
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('reconnects a stream the server ended with a fresh token, and asks once more after a 401', async () => {
    // Connection 1 (token t1): one event, then the server ends it (its token expired).
    // Connection 2 (t2): 401 — the provider's token was already stale. Connection 3 (t3): ok.
    server = await startServer((req, res) => {
      const n = server?.requests.length ?? 0;
      if (n === 2) return json(res, 401, { status: 401 }, {}, 'application/problem+json');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`retry: 10\n\nid: ${n}\ndata: {"n":${n}}\n\n`);
      void req;
    });
    let issued = 0;
    const core = createClientCore({ baseUrl: server.url, token: () => `t${++issued}` });
    const seen: number[] = [];
    for await (const event of core.stream<{ event: 'message'; data: { n: number } }>(
      streamTasks,
      {},
    )) {
      if (event.event === 'message') seen.push(event.data.n);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([1, 3]);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t3',
    ]);
  });

  it('ends a stream after two 401s in a row', async () => {
    server = await startServer((_req, res) => json(res, 401, { status: 401 }));
    const core = createClientCore({ baseUrl: server.url, token: () => 'stale' });
    const stream = core.stream<{ event: 'message'; data: unknown }>(streamTasks, {});
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(ClientError);
    expect(server.requests).toHaveLength(2);
  });
});
