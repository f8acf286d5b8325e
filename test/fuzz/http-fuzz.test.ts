/**
 * Property: whatever malformed HTTP reaches the generated todo gateway, it answers a 4xx
 * `application/problem+json` whose `status` is the HTTP status (design §10: every error is an
 * answer, never a crash) — never a 5xx, never a silent close, never a hang — and it keeps serving.
 *
 * The requests are written byte by byte on raw sockets (node:net), since fetch cannot send most
 * of them: bodies that are not JSON, JSON of the wrong shape, bodies over the 1 MiB limit (with a
 * Content-Length and chunked), arrays and objects nested past the depth limit, bytes that are not
 * UTF-8 (in the body and percent-encoded in the path), broken, duplicate, contradictory and
 * oversized headers, media types other than JSON, unknown paths, methods the path lacks, method
 * tokens HTTP does not know, CONNECT, and path parameters past their schema.
 *
 * Nothing here needs the task service: each request is refused before a record is produced (one
 * that was not would wait for a reply and fail the property by its status).
 *
 * Seeded and reproducible: HTTP_FUZZ_SEED picks other seeds, HTTP_FUZZ_RUNS another number of
 * runs; on a failure fast-check prints the seed, the path and the shrunk counterexample.
 */
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { ensureTodoTopics, generateGateway, startGenerated, testKafka } from '../e2e/support.ts';

const RUNS = Number(process.env.HTTP_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.HTTP_FUZZ_SEED ?? 20_261_127);
/** An answer that takes longer is a hang. */
const ANSWER_TIMEOUT_MS = 5000;
/** The gateway's default body limit (runtime/gateway/limits.ts). */
const BODY_LIMIT = 1_048_576;
/** The gateway's default header limit. */
const HEADER_LIMIT = 16_384;
/** json-body.ts: the deepest nesting accepted. */
const MAX_DEPTH = 256;

let kafka: KafkaClient;
let gateway: Gateway;
let port: number;

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  const out = await generateGateway(
    'http-fuzz',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  const started = await startGenerated(out, { brokers, replyTimeoutMs: 1000 });
  gateway = started.gateway;
  port = Number(new URL(started.url).port);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await kafka?.close();
});

/** One malformed request: its bytes, sent as they are, and what it exercises. */
interface Malformed {
  readonly what: string;
  readonly head: string | Buffer;
  /** Sent after the head, in pieces, stopping once an answer arrives. */
  readonly body?: Buffer;
}

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const host = 'Host: 127.0.0.1\r\nConnection: close\r\n';
const jsonHead = (path: string, length: number | 'chunked', more = ''): string =>
  `POST ${path} HTTP/1.1\r\n${host}Idempotency-Key: fuzz-key\r\nContent-Type: application/json\r\n` +
  `${length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`}\r\n${more}\r\n`;
const withBody = (what: string, path: string, body: Buffer, method = 'POST'): Malformed => ({
  what,
  head: jsonHead(path, body.length).replace(/^POST/, method),
  body,
});

/** Commands with JSON bodies, and whether a body is `{ title }` or `{ done }`. */
const bodyRoutes = [
  { method: 'POST', path: '/tasks', field: 'title' },
  { method: 'PUT', path: '/tasks/fuzz-task', field: 'title' },
  { method: 'POST', path: '/tasks/fuzz-task/complete', field: 'done' },
] as const;
const bodyRoute = fc.constantFrom(...bodyRoutes);

const notJson = fc
  .string({ unit: 'binary', maxLength: 200 })
  .filter((text) => !parses(text))
  .map((text) => Buffer.from(text));

const malformedJson = fc
  .tuple(bodyRoute, notJson)
  .map(([route, body]) => withBody('malformed JSON', route.path, body, route.method));

/** Valid JSON that the route's schema refuses: any value but `{ title: 1–200 chars }` / `{ done: boolean }`. */
const wrongShape = fc
  .tuple(
    bodyRoute,
    fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ title: fc.jsonValue({ maxDepth: 2 }), done: fc.jsonValue({ maxDepth: 2 }) }),
      fc.constantFrom({ title: '' }, { title: 'x'.repeat(201) }, { done: 'true' }, { done: 1 }),
    ),
  )
  .filter(([route, value]) => !fitsSchema(route.field, value))
  .map(([route, value]) =>
    withBody(
      'JSON of the wrong shape',
      route.path,
      Buffer.from(JSON.stringify(value)),
      route.method,
    ),
  );

const hugeBody = fc
  .tuple(bodyRoute, fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT + 200_000 }), fc.boolean())
  .map(([route, size, chunked]): Malformed => {
    const content = Buffer.alloc(size, 0x20);
    return {
      what: `a ${size}-byte body${chunked ? ', chunked' : ''}`,
      head: jsonHead(route.path, chunked ? 'chunked' : size).replace(/^POST/, route.method),
      body: chunked ? chunk(content) : content,
    };
  });

const deepBody = fc
  .tuple(
    bodyRoute,
    fc.integer({ min: MAX_DEPTH + 1, max: 300_000 }),
    fc.constantFrom('array', 'object', 'in a field'),
  )
  .map(([route, depth, shape]) => {
    const nested =
      shape === 'object'
        ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
        : `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = shape === 'in a field' ? `{"${route.field}":${nested}}` : nested;
    return withBody(`${shape} nested ${depth} deep`, route.path, Buffer.from(body), route.method);
  });

/** Byte sequences that are not UTF-8: stray continuation bytes, overlong forms, surrogates, … */
const notUtf8 = fc.constantFrom(
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc3],
  [0xe2, 0x82],
);

const invalidUtf8Body = fc
  .tuple(bodyRoute, fc.string({ maxLength: 20 }), notUtf8, fc.string({ maxLength: 20 }))
  .map(([route, before, bytes, after]) => {
    const text = (s: string): Buffer => Buffer.from(JSON.stringify(s).slice(1, -1));
    const body = Buffer.concat([
      Buffer.from(`{"${route.field}":"`),
      text(before),
      Buffer.from(bytes),
      text(after),
      Buffer.from('"}'),
    ]);
    return withBody('a body that is not UTF-8', route.path, body, route.method);
  });

const invalidUtf8Path = fc
  .tuple(fc.constantFrom('/tasks/', '/tasks/id-'), notUtf8, fc.boolean())
  .map(([prefix, bytes, encoded]): Malformed => {
    const path = encoded
      ? Buffer.from(`${prefix}${bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('')}`)
      : Buffer.concat([Buffer.from(prefix), Buffer.from(bytes)]);
    return {
      what: `a path that is not UTF-8${encoded ? ' (percent-encoded)' : ''}`,
      head: Buffer.concat([Buffer.from('GET '), path, Buffer.from(` HTTP/1.1\r\n${host}\r\n`)]),
    };
  });

/** Header lines that break HTTP/1.1 (RFC 9112) or the gateway's limits. */
const badHeaders = fc.oneof(
  fc.integer({ min: HEADER_LIMIT, max: 3 * HEADER_LIMIT }).map((size) => ({
    what: `a ${size}-byte header`,
    lines: `X-Big: ${'a'.repeat(size)}\r\n`,
  })),
  fc.integer({ min: 40, max: 200 }).map((count) => ({
    what: `${count} headers of 500 bytes`,
    lines: Array.from({ length: count }, (_, i) => `X-H${i}: ${'b'.repeat(500)}\r\n`).join(''),
  })),
  fc
    .tuple(
      fc.constantFrom('X-A', 'Idempotency-Key', 'If-Match', 'Prefer'),
      fc.constantFrom('\x00', '\x01', '\x7f', '\r', '\x1b'),
    )
    .map(([name, c]) => ({ what: 'a control character in a value', lines: `${name}: a${c}b\r\n` })),
  fc.constantFrom(
    { what: 'a space in a header name', lines: 'Bad Name: x\r\n' },
    { what: 'a header without a colon', lines: 'NoColon\r\n' },
    { what: 'a header name that is empty', lines: ': x\r\n' },
    { what: 'obsolete line folding', lines: 'X-A: a\r\n b\r\n' },
    { what: 'two different Content-Lengths', lines: 'Content-Length: 2\r\nContent-Length: 3\r\n' },
    {
      what: 'Content-Length with Transfer-Encoding',
      lines: 'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n',
    },
    { what: 'a Content-Length that is no number', lines: 'Content-Length: abc\r\n' },
    { what: 'a negative Content-Length', lines: 'Content-Length: -1\r\n' },
    { what: 'a Transfer-Encoding other than chunked', lines: 'Transfer-Encoding: gzip\r\n' },
  ),
);

const brokenHeaders = fc
  .tuple(fc.constantFrom('GET /tasks', 'POST /tasks', 'GET /tasks/x'), badHeaders)
  .map(([line, bad]): Malformed => ({
    what: bad.what,
    head: `${line} HTTP/1.1\r\n${host}${bad.lines}\r\n`,
  }));

/** Headers the gateway's schemas or media types refuse. */
const refusedHeaders = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'image/png',
      ),
      bodyRoute,
    )
    .map(([type, route]): Malformed => {
      const body = Buffer.from(`{"${route.field}":"x"}`);
      return {
        what: `Content-Type: ${type}`,
        head:
          `${route.method} ${route.path} HTTP/1.1\r\n${host}Idempotency-Key: k\r\n` +
          `Content-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`,
        body,
      };
    }),
  fc.oneof(fc.constant(''), fc.string({ minLength: 129, maxLength: 400 })).map((key): Malformed => {
    const body = Buffer.from('{"title":"x"}');
    return {
      what: 'an Idempotency-Key outside 1–128 characters',
      head: jsonHead('/tasks', body.length).replace('fuzz-key', key.replace(/[\r\n\0]/g, 'x')),
      body,
    };
  }),
  fc.constant<Malformed>({
    what: 'no Host',
    head: 'GET /tasks HTTP/1.1\r\nConnection: close\r\n\r\n',
  }),
);

/** Requests no route answers: other paths, methods a path lacks, methods HTTP does not know. */
const unrouted = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('/', '/task', '/tasks/x/y/z', '/tasks/x/historyz', '/zz', '/tasks//'),
      fc.webSegment(),
    )
    .map(([path, segment]) => `GET ${path}${segment === '' ? '' : `/${segment}`}`),
  fc
    .tuple(
      fc.constantFrom('PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'QUERY', 'SEARCH', 'LOCK', 'PUT'),
      fc.constantFrom('/tasks', '/tasks/x/history', '/tasks/x/complete', '/tasks/x/undo'),
    )
    .map(([method, path]) => `${method} ${path}`),
  fc
    .constantFrom('FOO', 'get', 'G E T', 'POST\t', 'CONNECT', '')
    .map((method) => `${method} /tasks`),
  fc.constantFrom('%', '%zz', '%2', '%%41', '%u0041').map((pct) => `GET /tasks/a${pct}b`),
  fc.integer({ min: 129, max: 4000 }).map((n) => `GET /tasks/${'i'.repeat(n)}`),
);

const unroutedRequests = fc
  .tuple(unrouted, fc.option(fc.constantFrom('{x}', '{"title":"x"}', ''), { nil: undefined }))
  .map(([line, body]): Malformed => {
    const bytes = body === undefined ? undefined : Buffer.from(body);
    const length =
      bytes === undefined
        ? ''
        : `Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\n`;
    return {
      what: line.length > 60 ? `${line.slice(0, 60)}…` : line,
      head: `${line} HTTP/1.1\r\n${host}${length}\r\n`,
      ...(bytes === undefined ? {} : { body: bytes }),
    };
  });

const malformed = fc.oneof(
  malformedJson,
  wrongShape,
  hugeBody,
  deepBody,
  invalidUtf8Body,
  invalidUtf8Path,
  brokenHeaders,
  refusedHeaders,
  unroutedRequests,
);

describe('the generated todo gateway, sent malformed HTTP', () => {
  it('answers each request 4xx application/problem+json, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(malformed, async (request) => {
        const answer = await send(request);
        const context = `${request.what}: ${answer.status} ${answer.body.slice(0, 300)}`;
        expect(answer.status, context).toBeGreaterThanOrEqual(400);
        expect(answer.status, context).toBeLessThan(500);
        expect(answer.headers['content-type'], context).toMatch(/^application\/problem\+json/);
        const problem = JSON.parse(answer.body) as { status?: unknown; title?: unknown };
        expect(problem.status, context).toBe(answer.status);
        expect(typeof problem.title, context).toBe('string');
      }),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 50_000 },
    );
    const live = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(live.status).toBe(200);
    const list = await fetch(`http://127.0.0.1:${port}/tasks`);
    expect(list.status).toBe(200);
    expect(Array.isArray(await list.json())).toBe(true);
  }, 60_000);
});

/**
 * Writes the request on a fresh connection and reads the answer until the gateway closes the
 * connection (every request says `Connection: close`, or is refused). The body goes in 64 KiB
 * pieces, and stops once an answer arrives: a gateway refusing a large body may close early, and
 * writing on would reset the connection before its answer is read. No answer in time: a hang.
 */
function send(request: Malformed): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${request.what}: no answer within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    socket.on('connect', () => {
      socket.write(request.head);
      void writeBody(socket, request.body, () => received.length > 0);
    });
    socket.on('data', (data: Buffer) => received.push(data));
    // A reset after the answer arrived is the gateway closing a connection it refused.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = parseAnswer(Buffer.concat(received));
      if (answer === undefined) {
        reject(new Error(`${request.what}: the connection closed without an answer`));
      } else {
        resolve(answer);
      }
    });
  });
}

async function writeBody(
  socket: Socket,
  body: Buffer | undefined,
  answered: () => boolean,
): Promise<void> {
  if (body === undefined) return;
  for (let at = 0; at < body.length && !answered() && socket.writable; at += 65_536) {
    if (!socket.write(body.subarray(at, at + 65_536))) {
      await new Promise((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
}

/** The status, headers and body of the first HTTP/1.1 answer in `bytes`. */
function parseAnswer(bytes: Buffer): Answer | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine)?.[1];
  if (status === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? Number.NaN);
  const rest = bytes.subarray(end + 4);
  const body = Number.isNaN(length) ? rest : rest.subarray(0, length);
  return { status: Number(status), headers, body: body.toString('utf8') };
}

/** `content` as one chunk of the chunked transfer coding, then the last chunk. */
function chunk(content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`${content.length.toString(16)}\r\n`),
    content,
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether `value` is a body the route's schema (CreateTask, RenameTask, CompleteTask) takes. */
function fitsSchema(field: 'title' | 'done', value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== field) return false;
  const inner = (value as Record<string, unknown>)[field];
  return field === 'done'
    ? typeof inner === 'boolean'
    : typeof inner === 'string' && [...inner].length >= 1 && [...inner].length <= 200;
}
