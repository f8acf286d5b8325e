import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, createClientCore, type OperationSpec } from './index.ts';
import { delay, json, startServer, type Handler, type TestServer } from './test-server.ts';

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

async function setup(handler: Handler) {
  const started = await startServer(handler);
  server = started;
  const core = createClientCore({
    baseUrl: started.url,
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
  });
  return { server: started, core };
}

/** A long-polled view: holds a conditional request until it changes or `wait` passes. */
function longPoll(state: { version: number }, changed: EventTarget): Handler {
  return async (req, res) => {
    const current = (): string => `"v${state.version}"`;
    if (req.headers['if-none-match'] === current()) {
      const wait = Number(/wait=(\d+)/.exec(String(req.headers.prefer ?? ''))?.[1] ?? 0) * 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(wait, 200));
        changed.addEventListener('change', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (req.headers['if-none-match'] === current()) json(res, 304, undefined, { etag: current() });
    else json(res, 200, { version: state.version }, { etag: current() });
  };
}

describe('watch', () => {
  it('yields the current value, then each new one', async () => {
    const state = { version: 1 };
    const changed = new EventTarget();
    const { server, core } = await setup(longPoll(state, changed));
    const watch = core.watch<{ version: number }>(
      getTask,
      { params: { id: '1' } },
      { waitSeconds: 7 },
    );
    expect(await watch.next()).toEqual({ done: false, value: { version: 1 } });
    expect(watch.lastEventId).toBe('"v1"');
    const next = watch.next();
    await delay(450); // at least one 304 in between
    state.version = 2;
    changed.dispatchEvent(new Event('change'));
    expect(await next).toEqual({ done: false, value: { version: 2 } });
    watch.close();
    expect(await watch.next()).toEqual({ done: true, value: undefined });

    const [first, ...polls] = server.requests;
    expect(first?.headers['if-none-match']).toBeUndefined();
    expect(first?.headers.prefer).toBeUndefined();
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls[0]?.headers).toMatchObject({ 'if-none-match': '"v1"', prefer: 'wait=7' });
  });

  it('ends cleanly on close() while a poll is held, and on the signal', async () => {
    const { core } = await setup(longPoll({ version: 1 }, new EventTarget()));
    const watch = core.watch(getTask, { params: { id: '1' } });
    await watch.next();
    const pending = watch.next();
    await delay(50);
    watch.close();
    expect(await pending).toEqual({ done: true, value: undefined });

    const controller = new AbortController();
    const values: unknown[] = [];
    setTimeout(() => controller.abort(), 100);
    for await (const value of core.watch(
      getTask,
      { params: { id: '1' } },
      { signal: controller.signal },
    )) {
      values.push(value);
    }
    expect(values).toEqual([{ version: 1 }]);
  });

  it('throws a ClientError with the problem on an error answer', async () => {
    const { core } = await setup((_req, res) =>
      json(res, 404, { title: 'Not Found' }, {}, 'application/problem+json'),
    );
    const watch = core.watch(getTask, { params: { id: '1' } });
    const error: unknown = await watch.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'HTTP', status: 404, problem: { title: 'Not Found' } });
  });

  it('retries a failing poll, then throws once the retries are spent', async () => {
    let failing = 1;
    const { server, core } = await setup((req, res) => {
      if (req.headers['if-none-match'] !== undefined && failing-- > 0) res.socket?.destroy();
      else if (req.headers['if-none-match'] !== undefined && failing < -5) json(res, 503, {});
      else json(res, 200, { n: server.requests.length }, { etag: `"${server.requests.length}"` });
    });
    const watch = core.watch(getTask, { params: { id: '1' } });
    expect(await watch.next()).toEqual({ done: false, value: { n: 1 } });
    expect(await watch.next()).toEqual({ done: false, value: { n: 3 } }); // 2 was dropped
    failing = -100;
    await expect(watch.next()).rejects.toMatchObject({ code: 'HTTP', status: 503 });
  });
});
