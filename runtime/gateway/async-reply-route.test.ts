import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAsyncReplyConstraint, asyncReplyConstraints } from './async-reply-route.ts';
import { asyncReplyPath } from './gateway.ts';

describe('the async answer route', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    addAsyncReplyConstraint(app);
    app.get<{ Params: { id: string } }>('/tasks/:id', async (request) => ({
      route: 'item',
      ...request.params,
    }));
    app.get<{ Params: { id: string; cid: string } }>(asyncReplyPath('/tasks/{id}'), {
      constraints: asyncReplyConstraints,
      handler: async (request) => ({ route: 'async', ...request.params }),
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it.each([
    ['/tasks/a;cid=b', { route: 'async', id: 'a', cid: 'b' }],
    ['/tasks/a;cid=b?x=1', { route: 'async', id: 'a', cid: 'b' }],
    // RFC 3986 §2.2: an encoded `;` is data, so this is the task whose id is `a;cid=b`.
    ['/tasks/a%3Bcid%3Db', { route: 'item', id: 'a;cid=b' }],
    ['/tasks/a%3bcid=b', { route: 'item', id: 'a;cid=b' }],
    ['/tasks/plain', { route: 'item', id: 'plain' }],
    ['/tasks/plain?q=;cid=x', { route: 'item', id: 'plain' }],
  ])('%s → %o', async (url, want) => {
    const answer = await app.inject({ method: 'GET', url });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual(want);
  });
});
