/**
 * design §4: a service that never answers. Under a steady load of request-reply commands that
 * nobody answers (keys start with `no-reply`, which the stand-in services that other test files
 * run on the shared broker read and skip), every request
 * times out as configured — `202` + `Location` since the operations declare a 202, and a `GET`
 * of that Location with `Prefer: wait=1` holds and answers 202 again — and the gateway's memory
 * stays bounded: the heap after several rounds is what it was after the first.
 */
import { randomUUID } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { routes } from '../../examples/todo/generated/gateway/routes.ts';
import { spec } from '../../examples/todo/generated/gateway/spec.ts';
import { createGateway, type Gateway } from '../../runtime/gateway/gateway.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { ensureTodoTopics, testKafka } from '../e2e/support.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';

const REPLY_TIMEOUT_MS = 250;
/** Slack for a loaded 2-core machine: a timeout answers late, never early. */
const SLACK_MS = 5000;
/** Two rounds to warm up (JIT, pools, buffers), then the rounds that must leave nothing. */
const WARM_UP_ROUNDS = 2;
const ROUNDS = 4;
const PER_ROUND = 1000;
const CONCURRENCY = 200;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let kafka: KafkaClient;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  kafka = testKafka(kafkaBrokers());
  await ensureTodoTopics(kafka);
  gateway = await createGateway({
    spec,
    routes,
    brokers: kafkaBrokers(),
    replyTimeoutMs: REPLY_TIMEOUT_MS,
  });
  url = await gateway.listen();
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await kafka?.close();
});

interface Outcome {
  readonly ms: number;
  readonly status: number;
  readonly location: string | null;
}

async function timed(path: string, init: RequestInit): Promise<Outcome> {
  const started = Date.now();
  const response = await fetch(`${url}${path}`, init);
  await response.arrayBuffer();
  return {
    ms: Date.now() - started,
    status: response.status,
    location: response.headers.get('location'),
  };
}

/** One unanswered rename (no Idempotency-Key: nothing is stored for it). */
function rename(): Promise<Outcome> {
  return timed(`/tasks/no-reply-${randomUUID()}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'never answered' }),
  });
}

/** Runs `count` requests, `CONCURRENCY` at a time. */
async function round(count: number, request: () => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left > 0) {
        left--;
        outcomes.push(await request());
      }
    }),
  );
  return outcomes;
}

/** Timers pending in this process (the gateway's among them). */
function timers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

it('times every unanswered request out as configured, and keeps memory bounded', async () => {
  // The async answer's Location, polled while nobody answers: held for wait=1, then 202 again.
  const first = await rename();
  expect(first.status).toBe(202);
  expect(first.ms).toBeGreaterThanOrEqual(REPLY_TIMEOUT_MS);
  const location = first.location ?? '';
  expect(location).toMatch(/^\/tasks\/no-reply-[^;]+;cid=/);
  const poll = (): Promise<Outcome> => timed(location, { headers: { prefer: 'wait=1' } });

  const heaps: number[] = [];
  let timersWhenWarm = 0;
  for (let n = 0; n < ROUNDS; n++) {
    const [renames, polls] = await Promise.all([
      round(PER_ROUND, rename),
      round(CONCURRENCY, poll),
    ]);
    const late = renames.filter(
      (o) => o.ms < REPLY_TIMEOUT_MS || o.ms > REPLY_TIMEOUT_MS + SLACK_MS,
    );
    expect(renames.filter((o) => o.status !== 202 || o.location === null)).toEqual([]);
    expect(late).toEqual([]);
    expect(polls.filter((o) => o.status !== 202 || o.location !== location)).toEqual([]);
    expect(polls.filter((o) => o.ms < 1000 || o.ms > 1000 + SLACK_MS)).toEqual([]);
    heaps.push(heapAfterGc());
    if (n === WARM_UP_ROUNDS - 1) timersWhenWarm = timers();
  }
  // After the warm-up, more requests leave nothing behind: no timer per timed-out request
  // (each waiter has one), and no heap growth of a request's size (Fastify's request and reply
  // alone are kilobytes; the heap moves by up to ~1 MiB either way between rounds).
  const warm = heaps[WARM_UP_ROUNDS - 1] ?? 0;
  const growth = Math.max(...heaps.slice(WARM_UP_ROUNDS)) - warm;
  const requests = (ROUNDS - WARM_UP_ROUNDS) * (PER_ROUND + CONCURRENCY);
  expect(growth / requests).toBeLessThan(1024);
  expect(timers()).toBeLessThanOrEqual(timersWhenWarm + 5);
}, 120_000);
