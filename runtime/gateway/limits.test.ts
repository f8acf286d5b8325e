import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../test/kafka/brokers.ts';
import { setCaller } from './auth/caller.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { fastifyOptions, redactAccessToken, registerLimits, type HttpLimits } from './limits.ts';
import { HttpProblem, problemFromFastify, problemMediaType, sendProblem } from './problems.ts';
import { hijack, SseConnection } from './streams/sse-connection.ts';

const allowed = 'https://app.example.com';
const other = 'https://evil.example.net';

/** Sets the caller from `x-test-caller` (a stand-in for the bearer token check). */
async function testCaller(request: FastifyRequest): Promise<void> {
  const identity = request.headers['x-test-caller'];
  if (typeof identity === 'string') setCaller(request, { identity, scopes: new Set() });
}

interface TestServer {
  readonly app: FastifyInstance;
  readonly base: string;
  readonly port: number;
}

const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

/** A small app built as the gateway builds its own: limits first, the routes after. */
async function serve(
  limits: HttpLimits,
  options: { rootCaller?: boolean; app?: FastifyInstance; compat?: 'zilla' } = {},
): Promise<TestServer> {
  const app = options.app ?? Fastify(fastifyOptions(limits, false));
  servers.push(app);
  // The gateway's real token check is a route-level onRequest hook; this one runs even earlier.
  if (options.rootCaller === true) app.addHook('onRequest', testCaller);
  registerLimits(app, limits, options.compat);
  app.setErrorHandler((error: FastifyError, _request, reply) =>
    sendProblem(reply, error instanceof HttpProblem ? error : problemFromFastify(error)),
  );
  app.get('/livez', () => ({ status: 'ok' }));
  app.get('/tasks', (_request, reply) => reply.header('etag', '"t1"').send([]));
  app.post('/tasks', (request) => ({ bytes: JSON.stringify(request.body).length }));
  app.get('/mine', { onRequest: testCaller }, () => ({ ok: true }));
  app.get('/fail', () => {
    throw new HttpProblem('KAFKA_UNAVAILABLE', 'the broker is away', { retryAfter: 1 });
  });
  // As the gateway's streams write their head: with the headers the hooks set.
  app.get('/stream', (_request, reply) => {
    const connection = new SseConnection(
      reply.raw,
      hijack(reply),
      { retryMs: 1000, heartbeatMs: 0 },
      () => undefined,
    );
    connection.open();
    connection.writeEvent('data: {}\n\n');
    connection.close('server');
  });
  app.get('/log', (request) => {
    request.log.info({ headers: request.headers }, 'headers seen');
    return { ok: true };
  });
  app.get('/poll', async () => {
    await sleep(1200);
    return { waited: true };
  });
  app.get('/events', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    // A quiet second first (like a long poll or an idle stream), then an event every 100 ms.
    let n = 0;
    const ticks = setTimeout(function tick(): void {
      reply.raw.write(`data: ${n}\n\n`);
      n += 1;
      if (n === 6) reply.raw.end();
      else setTimeout(tick, 100);
    }, 1000);
    reply.raw.once('close', () => clearTimeout(ticks));
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base, port: Number(new URL(base).port) };
}

function preflight(base: string, origin: string, path = '/tasks'): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, idempotency-key, content-type',
    },
  });
}

/** Writes `text` on a plain socket and collects what comes back until the server closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(text);
  });
}

describe('CORS', () => {
  const cors: HttpLimits = { cors: { origins: [allowed] } };

  it('answers a preflight from a listed origin', async () => {
    const { base } = await serve(cors);
    const response = await preflight(base, allowed);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const allowedHeaders = response.headers.get('access-control-allow-headers') ?? '';
    for (const header of [
      'authorization',
      'idempotency-key',
      'if-match',
      'if-none-match',
      'prefer',
      'last-event-id',
      'specgate-progress',
    ]) {
      expect(allowedHeaders.split(', ')).toContain(header);
    }
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('refuses a preflight from another origin with a 403 problem and no CORS headers', async () => {
    const { base } = await serve(cors);
    const response = await preflight(base, other);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain(problemMediaType);
    expect(await response.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', status: 403 });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('lets browser code of a listed origin read the headers the gateway sets', async () => {
    const { base } = await serve(cors);
    const response = await fetch(`${base}/tasks`, { headers: { origin: allowed } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(', ');
    for (const header of [
      'etag',
      'location',
      'link',
      'retry-after',
      'specgate-progress',
      'www-authenticate',
      'ratelimit-remaining',
    ]) {
      expect(exposed).toContain(header);
    }
  });

  it('serves another origin (and requests without Origin) without CORS headers', async () => {
    const { base } = await serve(cors);
    const variants: Record<string, string>[] = [{ origin: other }, {}];
    for (const headers of variants) {
      const response = await fetch(`${base}/tasks`, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-expose-headers')).toBeNull();
    }
  });

  it('sends no CORS headers at all without the option; OPTIONS stays unrouted', async () => {
    const { base } = await serve({});
    const response = await preflight(base, allowed);
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${base}/tasks`, { headers: { origin: allowed } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers any origin with * when configured so, and credentials when asked', async () => {
    const any = await serve({ cors: { origins: '*', maxAgeSeconds: 60 } });
    const response = await preflight(any.base, other);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-max-age')).toBe('60');
    const credentialed = await serve({ cors: { origins: [allowed], credentials: true } });
    const get = await fetch(`${credentialed.base}/tasks`, { headers: { origin: allowed } });
    expect(get.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(get.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it.each([
    ['credentials for every origin', { origins: '*', credentials: true } as const, /credentials/],
    ['an origin with a path', { origins: ['https://app.example.com/'] }, /not an origin/],
    ['a host without a scheme', { origins: ['app.example.com'] }, /not an origin/],
  ])('refuses %s in the config', (_name, cors, message) => {
    expect(() => fastifyOptions({ cors }, false)).toThrow(message);
  });
});

describe('CORS in the Zilla profile', () => {
  const zilla = { compat: 'zilla' } as const;

  it('answers any preflight 204, allowing the methods and whatever headers the browser asks for', async () => {
    const { base } = await serve({}, zilla);
    const response = await fetch(`${base}/tasks/42`, {
      method: 'OPTIONS',
      headers: {
        origin: other,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type, if-match, idempotency-key, x-zilla-thing',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')?.split(', ')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    );
    const allowedHeaders = response.headers.get('access-control-allow-headers')?.split(', ');
    expect(allowedHeaders).toEqual(
      expect.arrayContaining([
        'content-type',
        'if-match',
        'idempotency-key',
        'x-zilla-thing',
        'prefer',
        'last-event-id',
      ]),
    );
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    // Without Access-Control-Request-Headers, the gateway's own headers are allowed.
    const bare = await fetch(`${base}/tasks`, {
      method: 'OPTIONS',
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    expect(bare.status).toBe(204);
    expect(bare.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('puts Access-Control-Allow-Origin on every answer: data, problems, 404s and streams', async () => {
    const { base } = await serve({}, zilla);
    const ok = await fetch(`${base}/tasks`, { headers: { origin: other } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('access-control-expose-headers')?.split(', ')).toEqual(
      expect.arrayContaining(['etag', 'location', 'retry-after', 'specgate-progress']),
    );
    const failed = await fetch(`${base}/fail`, { headers: { origin: other } });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('content-type')).toContain(problemMediaType);
    expect(failed.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await fetch(`${base}/nowhere`, { headers: { origin: other } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    const stream = await fetch(`${base}/stream`, { headers: { origin: other } });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.headers.get('access-control-allow-origin')).toBe('*');
    expect(await stream.text()).toContain('data: {}');
    // A request without Origin gets it too, as from Zilla.
    const plain = await fetch(`${base}/tasks`);
    expect(plain.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('lets an explicit http.cors win: other origins are still refused', async () => {
    const { base } = await serve({ cors: { origins: [allowed] } }, zilla);
    expect((await preflight(base, other)).status).toBe(403);
    const get = await fetch(`${base}/tasks`, { headers: { origin: other } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    const listed = await preflight(base, allowed);
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('is not cross-origin without the profile', async () => {
    const { base } = await serve({});
    const get = await fetch(`${base}/fail`, { headers: { origin: other } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limit', () => {
  const limits: HttpLimits = {
    rateLimit: { max: 3, windowMs: 60_000 },
    cors: { origins: [allowed] },
  };

  it('answers 429 problem+json with Retry-After once a caller used its budget', async () => {
    const { base } = await serve(limits);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${base}/tasks`);
      expect(response.status).toBe(200);
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const response = await fetch(`${base}/tasks`, { headers: { origin: allowed } });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toContain(problemMediaType);
    expect(await response.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.headers.get('ratelimit-limit')).toBe('3');
    expect(response.headers.get('ratelimit-remaining')).toBe('0');
    // A browser page can read why, and when to come back.
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    // Unknown paths count as well: the budget is the caller's, not the route's.
    expect((await fetch(`${base}/nowhere`)).status).toBe(429);
  });

  it('never counts the probes or CORS preflights', async () => {
    const { base } = await serve(limits);
    for (let i = 0; i < 6; i++) {
      expect((await fetch(`${base}/livez`)).status).toBe(200);
      expect((await preflight(base, allowed)).status).toBe(204);
    }
    const response = await fetch(`${base}/tasks`);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-remaining')).toBe('2');
  });

  it.each([
    ['a route-level onRequest hook (as the gateway checks tokens)', false],
    ['an app onRequest hook registered first', true],
  ])('counts per identity when %s sets the caller', async (_name, rootCaller) => {
    const { base } = await serve(limits, { rootCaller });
    const call = (caller?: string): Promise<number> =>
      fetch(`${base}/mine`, {
        headers: caller === undefined ? {} : { 'x-test-caller': caller },
      }).then((response) => response.status);
    for (let i = 0; i < 3; i++) expect(await call('alice')).toBe(200);
    expect(await call('alice')).toBe(429);
    // Same address, other callers: budgets of their own.
    for (let i = 0; i < 3; i++) expect(await call('bob')).toBe(200);
    expect(await call('bob')).toBe(429);
    for (let i = 0; i < 3; i++) expect(await call()).toBe(200);
    expect(await call()).toBe(429);
  });

  it('refuses a budget that cannot work', () => {
    expect(() => fastifyOptions({ rateLimit: { max: 0, windowMs: 1000 } }, false)).toThrow(
      /rateLimit.max/,
    );
  });
});

describe('sizes', () => {
  it('answers 431 to a head beyond 16 KiB by default, or beyond a smaller limit', async () => {
    const big = await serve({});
    const huge = `GET /tasks HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(await rawExchange(big.port, huge)).toMatch(/^HTTP\/1\.1 431 /);
    const fine = await fetch(`${big.base}/tasks`, { headers: { 'x-big': 'a'.repeat(8000) } });
    expect(fine.status).toBe(200);

    const small = await serve({ maxHeaderBytes: 1024 });
    const over = await fetch(`${small.base}/tasks`, { headers: { 'x-big': 'a'.repeat(2000) } });
    expect(over.status).toBe(431);
  });

  it('answers 413 problem+json to a body beyond 1 MiB by default', async () => {
    const { base } = await serve({});
    const post = (bytes: number): Promise<Response> =>
      fetch(`${base}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('x'.repeat(bytes - 2)),
      });
    expect((await post(1_048_576)).status).toBe(200);
    const response = await post(1_048_577);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });
});

describe('timeouts', () => {
  const short: HttpLimits = {
    requestTimeoutMs: 300,
    headersTimeoutMs: 200,
    keepAliveTimeoutMs: 200,
  };

  it('answers 408 to a client that does not finish its head or its body', async () => {
    const { port } = await serve(short);
    expect(await rawExchange(port, 'GET /tasks HTTP/1.1\r\nHost: x\r\n')).toMatch(
      /^HTTP\/1\.1 408 /,
    );
    const partBody =
      'POST /tasks HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n' +
      'content-length: 100\r\n\r\n"only a little';
    expect(await rawExchange(port, partBody)).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('lets a quiet stream and a long poll run far past every timeout', async () => {
    const { base } = await serve(short);
    const [stream, poll] = await Promise.all([
      fetch(`${base}/events`).then((response) => response.text()),
      fetch(`${base}/poll`).then((response) => response.json()),
    ]);
    expect(stream).toBe([0, 1, 2, 3, 4, 5].map((n) => `data: ${n}\n\n`).join(''));
    expect(poll).toEqual({ waited: true });
  });

  it('refuses a head timeout longer than the request timeout', () => {
    expect(() => fastifyOptions({ requestTimeoutMs: 1000, headersTimeoutMs: 2000 }, false)).toThrow(
      /headersTimeoutMs/,
    );
  });
});

describe('logs', () => {
  it('never show a bearer token, in the URL or in headers', async () => {
    const lines: string[] = [];
    const options = fastifyOptions({}, true);
    const logger = options.logger;
    if (typeof logger !== 'object' || logger === null) throw new Error('logging is off');
    const app = Fastify({
      ...options,
      logger: { ...logger, stream: { write: (line: string) => void lines.push(line) } },
    });
    const { base } = await serve({}, { app });
    const secret = 'eyJhbGciOiJIUzI1NiJ9.SECRET.sig';
    for (const path of [
      `/tasks?access_token=${secret}&limit=5`,
      `/tasks?limit=5&%61ccess%5Ftoken=${secret}`,
      `/nowhere?access_token=${secret}`,
    ]) {
      await fetch(`${base}${path}`);
    }
    await fetch(`${base}/log`, {
      headers: { authorization: `Bearer ${secret}`, cookie: `session=${secret}` },
    });
    const log = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(log).not.toContain('SECRET');
    expect(log).toContain('/tasks?access_token=[redacted]&limit=5');
    expect(log).toContain('"authorization":"[redacted]"');
    expect(log).toContain('"cookie":"[redacted]"');
  });

  it.each([
    ['/tasks', '/tasks'],
    ['/tasks?limit=5', '/tasks?limit=5'],
    ['/tasks?access_token=abc', '/tasks?access_token=[redacted]'],
    ['/t?a=1&access_token=abc&b=2', '/t?a=1&access_token=[redacted]&b=2'],
    ['/t?access_token=a&access_token=b', '/t?access_token=[redacted]&access_token=[redacted]'],
    ['/t?access%5Ftoken=abc', '/t?access%5Ftoken=[redacted]'],
    ['/t?access_token', '/t?access_token=[redacted]'],
    ['/t?ACCESS%5ftoken=abc#top', '/t?ACCESS%5ftoken=[redacted]#top'],
    [
      '/t?my_access_token=abc&access_tokens=d&x=%ZZ',
      '/t?my_access_token=abc&access_tokens=d&x=%ZZ',
    ],
    ['Route GET:/t?access_token=abc not found', 'Route GET:/t?access_token=[redacted] not found'],
    ['{"url":"/t?access_token=abc"}', '{"url":"/t?access_token=[redacted]"}'],
  ])('redacts %s', (url, want) => {
    expect(redactAccessToken(url)).toBe(want);
  });
});

describe('in the gateway', () => {
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    gateway = await createGateway({
      brokers: kafkaBrokers(),
      idempotencyTopic: uniqueTopic('limits-idempotency'),
      spec: { title: 'limits', schemas: {}, routes: [] },
      routes: (app) => {
        app.get('/ping', { onRequest: testCaller }, () => ({ pong: true }));
        app.post('/ping', () => ({ pong: true }));
      },
      http: {
        cors: { origins: [allowed] },
        rateLimit: { max: 2, windowMs: 60_000 },
        bodyLimit: 64,
      },
    });
    base = await gateway.listen();
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('applies its limits: CORS, 429 RATE_LIMITED with Retry-After, the body limit', async () => {
    expect((await preflight(base, allowed, '/ping')).status).toBe(204);
    expect((await preflight(base, other, '/ping')).status).toBe(403);
    const headers = { origin: allowed, 'x-test-caller': 'carol' };
    for (let i = 0; i < 2; i++) expect((await fetch(`${base}/ping`, { headers })).status).toBe(200);
    const limited = await fetch(`${base}/ping`, { headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      type: 'https://specgate.dev/problems/rate-limited',
      code: 'RATE_LIMITED',
      status: 429,
    });
    const large = await fetch(`${base}/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(100) }),
    });
    expect(large.status).toBe(413);
  });
});

describe('in a gateway of the Zilla profile', () => {
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    gateway = await createGateway({
      brokers: kafkaBrokers(),
      idempotencyTopic: uniqueTopic('limits-zilla-idempotency'),
      spec: { title: 'limits', schemas: {}, routes: [] },
      routes: (app) => {
        app.get('/ping', () => ({ pong: true }));
      },
      compat: 'zilla',
    });
    base = await gateway.listen();
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('is cross-origin without any http.cors', async () => {
    const response = await preflight(base, other, '/ping');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await fetch(`${base}/nowhere`, { headers: { origin: other } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
  });
});
