import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, createClientCore, type OperationSpec } from './index.ts';
import { delay, json, startServer, type Handler, type TestServer } from './test-server.ts';

const streamTasks: OperationSpec = {
  operationId: 'streamTasks',
  method: 'GET',
  path: '/tasks',
  kind: 'stream',
};
type TaskEvents = { readonly event: 'message'; readonly data: { readonly n: number } };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler) {
  const started = await startServer(handler);
  server = started;
  return { server: started, core: createClientCore({ baseUrl: started.url }) };
}

function sse(res: ServerResponse, retryMs = 20): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`retry: ${retryMs}\n\n`);
}

const key = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

/** A log of events; a connection sends those after its Last-Event-ID, then drops after `per`. */
function resumable(log: readonly string[], per: number): Handler {
  return (req, res) => {
    const last = req.headers['last-event-id'];
    const from = last === undefined ? 0 : Number(last) + 1;
    sse(res);
    const batch = log.slice(from, from + per);
    batch.forEach((frame, i) => res.write(`id: ${from + i}\n${frame}\n\n`));
    if (from + per < log.length) res.end(); // the server drops the connection
  };
}

describe('stream', () => {
  it('parses events, reconnects with Last-Event-ID, with no gap and no duplicate', async () => {
    const log = [
      'data: {"n":0}',
      'data: {"n":1}',
      'event: delete\ndata: ' + key('tâsk/1'),
      'data: {"n":3}',
      'event: delete\ndata: ' + key('ab').padEnd(4, '='),
    ];
    const { server, core } = await setup(resumable(log, 2));
    const stream = core.stream<TaskEvents>(streamTasks, {}, { progress: 'tasks=AQ' });
    const seen: unknown[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (seen.length === log.length) break;
    }
    expect(seen).toEqual([
      { event: 'message', id: '0', data: { n: 0 } },
      { event: 'message', id: '1', data: { n: 1 } },
      { event: 'delete', id: '2', key: 'tâsk/1' },
      { event: 'message', id: '3', data: { n: 3 } },
      { event: 'delete', id: '4', key: 'ab' },
    ]);
    expect(stream.lastEventId).toBe('4');
    expect(server.requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '1', '3']);
    for (const request of server.requests) {
      expect(request.headers).toMatchObject({
        accept: 'text/event-stream',
        'specgate-progress': 'tasks=AQ',
      });
    }
    // The break closed the open connection.
    await server.requests[2]?.closed;
  });

  it('resumes from a given lastEventId, and after a network error', async () => {
    let drops = 1;
    const { server, core } = await setup((req, res) => {
      if (drops-- > 0) {
        res.socket?.destroy();
        return;
      }
      sse(res);
      res.write(`id: ${req.headers['last-event-id'] ?? 'none'}-next\ndata: 1\n\n`);
    });
    const stream = core.stream<TaskEvents>(streamTasks, {}, { lastEventId: 'k7', maxRetryMs: 50 });
    expect(stream.lastEventId).toBe('k7');
    expect(await stream.next()).toEqual({
      done: false,
      value: { event: 'message', id: 'k7-next', data: 1 },
    });
    expect(server.requests.map((r) => r.headers['last-event-id'])).toEqual(['k7', 'k7']);
    stream.close();
  });

  it('reads events split across reads, CRLF, multi-line data and multi-byte characters', async () => {
    const body = Buffer.from(
      '\uFEFFretry: 10\r\n\r\n: hi\r\nevent: renamed\r\nid: a\r\ndata: {"s":\r\ndata: "日本"}\r\n\r\n' +
        'id: b\rdata: 2\r\r',
      'utf8',
    );
    const { core } = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      for (let i = 0; i < body.length; i += 3) {
        res.write(body.subarray(i, i + 3));
        await delay(1);
      }
    });
    const stream = core.stream<{ event: string; data: unknown }>(streamTasks, {});
    expect(await stream.next()).toEqual({
      done: false,
      value: { event: 'renamed', id: 'a', data: { s: '日本' } },
    });
    expect(await stream.next()).toEqual({
      done: false,
      value: { event: 'message', id: 'b', data: 2 },
    });
    stream.close();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('ends with a STREAM error carrying the problem on a 4xx', async () => {
    const { server, core } = await setup((_req, res) =>
      json(res, 403, { title: 'Forbidden' }, {}, 'application/problem+json'),
    );
    const stream = core.stream(streamTasks, {});
    const error: unknown = await stream.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'STREAM', status: 403, problem: { title: 'Forbidden' } });
    expect(server.requests).toHaveLength(1);
  });

  it('reconnects after a 503 or 429', async () => {
    const { server, core } = await setup((req, res) => {
      const n = server.requests.indexOf(req);
      if (n === 0) json(res, 503, {});
      else if (n === 1) json(res, 429, {});
      else {
        sse(res);
        res.write('data: {"n":1}\n\n');
      }
    });
    const stream = core.stream<TaskEvents>(streamTasks, {}, { maxRetryMs: 30 });
    expect(await stream.next()).toMatchObject({ value: { data: { n: 1 } } });
    expect(server.requests).toHaveLength(3);
    stream.close();
  });

  it('close() and the signal end a waiting iterator cleanly and close the connection', async () => {
    const { server, core } = await setup((_req, res) => sse(res));
    const stream = core.stream(streamTasks, {});
    const pending = stream.next();
    await delay(50);
    stream.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    await server.requests[0]?.closed;

    const controller = new AbortController();
    const events: unknown[] = [];
    setTimeout(() => controller.abort(), 50);
    for await (const event of core.stream(streamTasks, {}, { signal: controller.signal })) {
      events.push(event);
    }
    expect(events).toEqual([]);
    await server.requests[1]?.closed;
  });

  it('reads only as the consumer pulls', async () => {
    let written = 0;
    let backpressured = false;
    const { core } = await setup(async (_req, res) => {
      sse(res);
      const frame = `data: {"pad":"${'x'.repeat(1000)}"}\n\n`;
      for (; written < 100_000; written++) {
        if (!res.write(frame)) {
          backpressured = true;
          break;
        }
        if (written % 100 === 0) await delay(0);
      }
    });
    const stream = core.stream(streamTasks, {});
    await stream.next();
    await delay(300);
    expect(backpressured).toBe(true);
    expect(written).toBeLessThan(100_000);
    stream.close();
  });
});
