import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxJsonDepth, nestingDepth, registerJsonBodies } from './json-body.ts';

describe('nestingDepth', () => {
  it.each([
    ['1', 0],
    ['[]', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['"[[[{{{"', 0],
    ['{"a":"\\"[["}', 1],
    ['[[[', 3],
  ])('%s → %i', (text, depth) => {
    expect(nestingDepth(text)).toBe(depth);
  });
});

describe('registerJsonBodies', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerJsonBodies(app);
    app.post('/echo', async (request) => ({ body: request.body }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: string | Buffer, type = 'application/json') =>
    app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload });

  it('parses application/json and application/*+json', async () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/merge-patch+json',
    ]) {
      const answer = await post('{"title":"é"}', type);
      expect(answer.statusCode, type).toBe(200);
      expect(answer.json()).toEqual({ body: { title: 'é' } });
    }
  });

  it.each([
    [
      'bytes that are not UTF-8',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    ],
    ['an overlong encoding', Buffer.from([0x22, 0xc0, 0xaf, 0x22])],
    ['nesting past the limit', `${'['.repeat(maxJsonDepth + 1)}${']'.repeat(maxJsonDepth + 1)}`],
    ['a __proto__ key', '{"__proto__":{"x":1}}'],
    ['no JSON at all', '{x}'],
    ['an empty body', ''],
  ])('refuses %s with a 400', async (_what, payload) => {
    expect((await post(payload)).statusCode).toBe(400);
    expect((await post(payload, 'application/problem+json')).statusCode).toBe(400);
  });

  it('takes nesting up to the limit', async () => {
    const text = `${'['.repeat(maxJsonDepth)}${']'.repeat(maxJsonDepth)}`;
    expect((await post(text)).statusCode).toBe(200);
  });
});
