import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifyOptions, registerLimits } from './limits.ts';
import { HttpProblem, problemFromFastify, sendProblem } from './problems.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(): Promise<string> {
  const server = Fastify(fastifyOptions({}, false));
  app = server;
  registerLimits(server, { overload: { maxEventLoopDelayMs: 150, retryAfterSeconds: 3 } });
  server.setErrorHandler((error: FastifyError, _request, reply) =>
    sendProblem(reply, error instanceof HttpProblem ? error : problemFromFastify(error)),
  );
  server.get('/tasks', () => []);
  server.get('/livez', () => ({ status: 'ok' }));
  return server.listen({ host: '127.0.0.1', port: 0 });
}

/** Keeps the event loop saturated: busy for 400 ms at a time, until stopped. */
function saturate(): () => void {
  const timer = setInterval(() => {
    const until = Date.now() + 400;
    while (Date.now() < until) {
      // busy: the work an overloaded process cannot keep up with
    }
  }, 10);
  return () => clearInterval(timer);
}

describe('load shedding', () => {
  it('answers 503 + Retry-After while the event loop is saturated, serves probes, recovers', async () => {
    const url = await serve();
    // Served once the process is calm (a loaded test machine may start it late).
    await expect.poll(async () => (await fetch(`${url}/tasks`)).status).toBe(200);
    const stop = saturate();
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const shed = await fetch(`${url}/tasks`);
      expect(shed.status).toBe(503);
      expect(shed.headers.get('retry-after')).toBe('3');
      expect(shed.headers.get('content-type')).toContain('application/problem+json');
      expect(await shed.json()).toMatchObject({ code: 'OVERLOADED', status: 503 });
      expect((await fetch(`${url}/livez`)).status).toBe(200);
    } finally {
      stop();
    }
    await expect.poll(async () => (await fetch(`${url}/tasks`)).status).toBe(200);
  });
});
