// The operational endpoints on a bare Fastify app: default paths on the app's own port; other
// paths, or a listener of their own that takes them off the app's port.
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerOperations, type Operations, type Readiness } from './operations.ts';

const opened: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((one) => one.close()));
});

function source(readiness: () => Readiness): Parameters<typeof registerOperations>[2] {
  return {
    readiness,
    metrics: () => Promise.resolve('# HELP specgate_test A test.\nspecgate_test 1\n'),
    metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
  };
}

async function serve(
  options: Parameters<typeof registerOperations>[1],
  readiness: () => Readiness,
): Promise<{ url: string; operations: Operations }> {
  const app = Fastify();
  const operations = registerOperations(app, options, source(readiness));
  opened.push(app, operations);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await operations.listen('127.0.0.1');
  return { url, operations };
}

describe('registerOperations', () => {
  it('serves /metrics, /livez and /readyz on the app by default', async () => {
    let readiness: Readiness = { ready: false, reason: 'starting' };
    const { url, operations } = await serve({}, () => readiness);
    expect(operations.url()).toBeUndefined();
    expect([...operations.paths].sort()).toEqual(['/livez', '/metrics', '/readyz']);

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metrics.text()).toContain('specgate_test 1');
    expect((await fetch(`${url}/livez`)).status).toBe(200);

    const starting = await fetch(`${url}/readyz`);
    expect({ status: starting.status, body: await starting.json() }).toEqual({
      status: 503,
      body: { ready: false, reason: 'starting' },
    });
    readiness = { ready: true };
    const ready = await fetch(`${url}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { ready: true },
    });
  });

  it('serves other paths on a port of their own, and none of them on the app', async () => {
    const { url, operations } = await serve(
      {
        port: 0,
        metricsPath: '/ops/metrics',
        livenessPath: '/ops/live',
        readinessPath: '/ops/ready',
      },
      () => ({ ready: false, reason: 'kafka-unreachable' }),
    );
    const own = operations.url();
    expect(own).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(own).not.toBe(url);
    expect(operations.paths.size).toBe(0);

    expect(await (await fetch(`${own}/ops/metrics`)).text()).toContain('specgate_test 1');
    expect((await fetch(`${own}/ops/live`)).status).toBe(200);
    const ready = await fetch(`${own}/ops/ready`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 503,
      body: { ready: false, reason: 'kafka-unreachable' },
    });
    for (const path of ['/ops/metrics', '/ops/live', '/ops/ready', '/metrics', '/livez']) {
      expect((await fetch(`${url}${path}`)).status).toBe(404);
    }
    expect((await fetch(`${own}/metrics`)).status).toBe(404);
  });

  it('refuses a path that is not absolute, and paths that clash', () => {
    const app = Fastify();
    opened.push(app);
    const ready = (): Readiness => ({ ready: true });
    expect(() => registerOperations(app, { metricsPath: 'metrics' }, source(ready))).toThrow(
      /metricsPath: "metrics" is not an absolute path/,
    );
    expect(() => registerOperations(app, { livenessPath: '/readyz' }, source(ready))).toThrow(
      /must differ/,
    );
  });
});
