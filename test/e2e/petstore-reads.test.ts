/**
 * The petstore's list end to end (specs/petstore): pets written through the generated gateway's
 * one-way commands, then read back filtered by `tag` (an `x-specgate` field filter), paged by
 * `limit` and `cursor`, and streamed on the same URL. The `petstore` topic (3 partitions) is
 * shared with other tests, so each test uses a tag of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { encodeKey, parseEventId } from '../../runtime/gateway/streams/event-format.ts';
import { SseClient } from '../../runtime/gateway/streams/test-sse-client.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { generateGateway, startGenerated, testKafka } from './support.ts';

interface Pet {
  readonly id: string;
  readonly name: string;
  readonly tag?: string | null;
}

let kafka: KafkaClient;
let gateway: { gateway: Gateway; url: string };

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await kafka.admin.ensureTopics([{ topic: 'petstore', partitions: 3, compacted: true }]);
  const out = await generateGateway(
    'petstore-reads',
    'specs/petstore/openapi.yaml',
    'specs/petstore/asyncapi.yaml',
  );
  gateway = await startGenerated(out, { brokers });
}, 120_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await kafka?.close();
});

/** Creates a pet; returns the answer's read-your-writes value. */
async function create(pet: Pet): Promise<string> {
  const response = await fetch(`${gateway.url}/pets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': pet.id },
    body: JSON.stringify(pet),
  });
  expect(response.status).toBe(202);
  return response.headers.get('specgate-progress') ?? '';
}

async function list(query: string, progress?: string): Promise<Response> {
  return fetch(`${gateway.url}/pets${query}`, {
    headers: progress === undefined ? {} : { 'specgate-progress': progress },
  });
}

describe('GET /pets', () => {
  it('filters by tag, and pages with limit and cursor', async () => {
    const tag = `t-${randomUUID().slice(0, 8)}`;
    const ids = ['a', 'b', 'c', 'd', 'e'].map((n) => `${tag}-${n}`);
    let progress = '';
    for (const id of ids) progress = await create({ id, name: id, tag });
    await create({ id: `${tag}-other`, name: 'other', tag: `${tag}-x` });

    const all = await list(`?tag=${tag}`, progress);
    expect(all.status).toBe(200);
    expect(((await all.json()) as Pet[]).map((pet) => pet.id)).toEqual(ids);

    const pages: string[][] = [];
    let next: string | null = `?tag=${tag}&limit=2`;
    while (next !== null) {
      const page = await list(next);
      expect(page.status).toBe(200);
      pages.push(((await page.json()) as Pet[]).map((pet) => pet.id));
      const cursor = page.headers.get('specgate-next-cursor');
      const link = page.headers.get('link');
      if (cursor === null) {
        expect(link).toBeNull();
        next = null;
      } else {
        expect(link).toContain('rel="next"');
        next = `?tag=${tag}&limit=2&cursor=${encodeURIComponent(cursor)}`;
      }
    }
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);

    const bad = await list(`?tag=${tag}&limit=0`);
    expect(bad.status).toBe(400);
  });

  it('streams the filtered list for Accept: text/event-stream', async () => {
    const tag = `s-${randomUUID().slice(0, 8)}`;
    const progress = await create({ id: `${tag}-1`, name: 'one', tag });
    await create({ id: `${tag}-x`, name: 'not this tag', tag: 'other' });
    const client = await SseClient.connect(
      `${gateway.url}/pets?tag=${tag}&specgate-progress=${encodeURIComponent(progress)}`,
    );
    try {
      const [first] = await client.events(1);
      expect(parseEventId(first?.id ?? '')?.key.toString()).toBe(`${tag}-1`);
      await create({ id: `${tag}-y`, name: 'also not', tag: 'other' });
      await create({ id: `${tag}-2`, name: 'two', tag });
      const [live] = await client.events(1);
      expect(JSON.parse(live?.data ?? '')).toMatchObject({ id: `${tag}-2`, tag });
      const deleted = await fetch(`${gateway.url}/pets/${tag}-1`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      const [gone] = await client.events(1);
      expect(gone).toMatchObject({
        event: 'delete',
        data: encodeKey(`${tag}-1`),
      });
    } finally {
      client.close();
    }
  });
});
