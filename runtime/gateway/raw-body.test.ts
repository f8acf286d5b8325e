import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJsonBodies } from './json-body.ts';
import { isJsonMediaType, rawMediaTypes, registerRawBodies } from './raw-body.ts';
import type { CommandRouteSpec, RouteSpec } from './route-spec.ts';

function command(operationId: string, mediaTypes: string[]): CommandRouteSpec {
  return {
    kind: 'command',
    operationId,
    method: 'POST',
    path: `/${operationId}`,
    topic: { address: operationId, params: {}, compacted: false },
    key: { kind: 'none' },
    headers: [],
    successStatus: 202,
    accepts202: true,
    tombstone: false,
    mediaTypes,
    schemas: {},
    payloads: [],
  };
}

const routes: RouteSpec[] = [
  command('a', ['text/plain', 'application/json']),
  command('b', ['Application/Octet-Stream', 'application/vnd.api+json', 'text/plain']),
  command('c', ['application/x-www-form-urlencoded; charset=utf-8']),
];

describe('rawMediaTypes', () => {
  it('lists the declared non-JSON media types once, lower case, without parameters', () => {
    expect(rawMediaTypes(routes)).toEqual([
      'application/octet-stream',
      'application/x-www-form-urlencoded',
      'text/plain',
    ]);
  });

  it.each([
    ['application/json', true],
    ['application/problem+json; charset=utf-8', true],
    ['text/plain', false],
    ['application/jsonl', false],
  ])('isJsonMediaType(%s) → %s', (type, json) => {
    expect(isJsonMediaType(type)).toBe(json);
  });
});

describe('registerRawBodies', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify({ bodyLimit: 16 });
    registerJsonBodies(app);
    registerRawBodies(app, routes);
    app.post('/echo', async (request) => ({
      buffer: Buffer.isBuffer(request.body),
      hex: Buffer.isBuffer(request.body) ? request.body.toString('hex') : undefined,
      json: Buffer.isBuffer(request.body) ? undefined : request.body,
    }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string | Buffer, type: string) =>
    app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload });

  it.each([
    ['text/plain', Buffer.from('héllo', 'utf8')],
    ['TEXT/PLAIN; charset=latin1', Buffer.from('héllo', 'latin1')],
    ['application/octet-stream', Buffer.from([0xff, 0x00, 0xc0])],
    ['application/x-www-form-urlencoded', Buffer.from('a=1&b=%FF')],
  ])('%s: the bytes as sent', async (type, bytes) => {
    const answer = await post(bytes, type);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ buffer: true, hex: bytes.toString('hex') });
  });

  it('JSON is still parsed', async () => {
    const answer = await post('{"a":1}', 'application/json');
    expect(answer.json()).toEqual({ buffer: false, json: { a: 1 } });
  });

  it('an undeclared media type is 415', async () => {
    expect((await post('a,b', 'text/csv')).statusCode).toBe(415);
    expect((await post('<a/>', 'application/xml')).statusCode).toBe(415);
  });

  it('a body over the limit is 413', async () => {
    expect((await post(Buffer.alloc(17), 'application/octet-stream')).statusCode).toBe(413);
    expect((await post(Buffer.alloc(16), 'application/octet-stream')).statusCode).toBe(200);
  });

  it('without declared text, text/plain is 415 (Fastify parses it by default)', async () => {
    const bare = Fastify();
    registerRawBodies(bare, [command('d', ['application/json'])]);
    bare.post('/echo', async () => 'ok');
    const answer = await bare.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(answer.statusCode).toBe(415);
    await bare.close();
  });
});
