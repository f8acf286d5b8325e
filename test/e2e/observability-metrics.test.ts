/**
 * Metrics end to end (design.md §11, issue 10): the todo gateway generated from specs/todo, on
 * the real broker with a responder playing the service, driven through commands (one timing
 * out), queries, an event stream and a client too slow for its stream; then `/metrics` must
 * show each of them. The view reads a snapshot topic of this file's own, so its lag and size are
 * this file's alone; commands and replies share the todo topics with other files, which this
 * gateway's counters do not see.
 */
import { randomUUID } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, StreamEnd } from '../../runtime/index.ts';
import { formatTopicProgress, progressAfter } from '../../runtime/gateway/progress.ts';
import { SseClient } from '../../runtime/gateway/streams/test-sse-client.ts';
import type { KafkaClient, KafkaProducer } from '../../runtime/kafka/types.ts';
import { kafkaBrokers, uniqueTopic } from '../kafka/brokers.ts';
import { scrape, valueOf, type Sample } from './prometheus-text.ts';
import {
  ensureTodoTopics,
  eventually,
  generateGateway,
  startGenerated,
  startTodoResponder,
  testKafka,
  todoSpecsWithSnapshotTopic,
} from './support.ts';

const snapshots = uniqueTopic('metrics-snapshots');
const maxBufferBytes = 16 * 1024;

let kafka: KafkaClient;
let producer: KafkaProducer;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let out: string;
let gateway: { gateway: Gateway; url: string };
const ends: StreamEnd[] = [];

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  await kafka.admin.ensureTopics([{ topic: snapshots, partitions: 3, compacted: true }]);
  producer = kafka.producer();
  const specs = await todoSpecsWithSnapshotTopic(snapshots);
  out = await generateGateway('metrics', specs.openapi, specs.asyncapi);
  responder = await startTodoResponder(kafka);
  gateway = await startGenerated(out, {
    brokers,
    replyTimeoutMs: 700,
    streams: { heartbeatMs: 0, maxBufferBytes, onStreamEnd: (end) => ends.push(end) },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await responder?.stop();
  await producer?.close();
  await kafka?.close();
});

function create(url: string, id: string): Promise<Response> {
  return fetch(`${url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': id },
    body: JSON.stringify({ title: `task ${id}` }),
  });
}

/** Writes a snapshot to this file's view topic; returns the progress header just past it. */
async function put(key: string, value: object): Promise<string> {
  const position = await producer.send({ topic: snapshots, key, value: JSON.stringify(value) });
  return formatTopicProgress([[snapshots, progressAfter(position.partition, position.offset)]]);
}

/** A stream request on a plain socket, which the test can stop reading. */
async function rawStream(url: string, path: string): Promise<Socket> {
  const { hostname, port, host } = new URL(url);
  const socket = connectTcp({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  return socket;
}

/** Scrapes until `done` holds (at most 10 s); the last scrape either way. */
async function scrapeUntil(
  url: string,
  done: (samples: readonly Sample[]) => boolean,
): Promise<Sample[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const samples = await scrape(url);
    if (done(samples) || Date.now() > deadline) return samples;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function http(samples: readonly Sample[], method: string, route: string, status: number) {
  const labels = { method, route, status: String(status) };
  return {
    count: valueOf(samples, 'specgate_http_request_duration_seconds_count', labels),
    sum: valueOf(samples, 'specgate_http_request_duration_seconds_sum', labels),
    slowest: valueOf(samples, 'specgate_http_request_duration_seconds_bucket', {
      ...labels,
      le: '+Inf',
    }),
  };
}

describe('/metrics', () => {
  it('counts commands, reply waits, queries, streams, a dropped slow client and the view', async () => {
    const { url } = gateway;
    const metricsUrl = `${url}/metrics`;

    // Commands: three answered, one whose reply never comes (202 after the reply timeout).
    for (let i = 0; i < 3; i++) expect((await create(url, randomUUID())).status).toBe(201);
    expect((await create(url, `no-reply-${randomUUID()}`)).status).toBe(202);

    // Queries: a list that waits to read its own write, an unknown item, an unknown path.
    const mine = `m-${randomUUID().slice(0, 8)}-`;
    await put(`${mine}a`, { id: `${mine}a` });
    const progress = await put(`${mine}b`, { id: `${mine}b` });
    const list = await fetch(`${url}/tasks`, { headers: { 'specgate-progress': progress } });
    expect(list.status).toBe(200);
    expect((await fetch(`${url}/tasks/${mine}nothing`)).status).toBe(404);
    expect((await fetch(`${url}/${mine}nowhere`)).status).toBe(404);

    // A stream: open while it is read, closed when the client leaves.
    const client = await SseClient.connect(`${url}/tasks`);
    const first = await client.next();
    expect(first.type).toBe('retry');
    const open = await scrape(metricsUrl);
    expect(valueOf(open, 'specgate_sse_streams_open', { operation: 'listTasks' })).toBe(1);
    client.close();
    await eventually(() => (ends.some((end) => end.reason === 'client') ? true : undefined));

    // A client that stops reading while large changes stream live: dropped once its buffer is
    // full (past the socket buffers of the kernel, so the changes come round after round).
    const socket = await rawStream(url, '/tasks');
    socket.pause();
    const big = 'x'.repeat(100_000);
    const keys = Array.from({ length: 10 }, (_, i) => `${mine}big${i}`);
    const dropped = (): boolean => ends.some((end) => end.reason === 'buffer-full');
    for (let round = 0; round < 20 && !dropped(); round++) {
      await Promise.all(keys.map((key) => put(key, { id: key, big, round })));
    }
    await eventually(() => (dropped() ? true : undefined));
    socket.destroy();

    // Once the view has caught up with every partition of its topic. One scrape may read the
    // view's size a moment before the topic's end offsets, so the assertions take the next one.
    await scrapeUntil(metricsUrl, (scraped) =>
      ['0', '1', '2'].every(
        (partition) =>
          valueOf(scraped, 'specgate_view_lag_records', { topic: snapshots, partition }) === 0,
      ),
    );
    const samples = await scrape(metricsUrl);

    // HTTP: by route pattern and status, never by raw URL; event streams left out.
    expect(http(samples, 'POST', '/tasks', 201)).toMatchObject({ count: 3, slowest: 3 });
    const timedOut = http(samples, 'POST', '/tasks', 202);
    expect(timedOut).toMatchObject({ count: 1, slowest: 1 });
    // About the 700 ms reply timeout (a timer may fire a fraction of a millisecond early).
    expect(timedOut.sum).toBeGreaterThanOrEqual(0.69);
    expect(http(samples, 'GET', '/tasks', 200).count).toBe(1);
    expect(http(samples, 'GET', '/tasks/:id', 404).count).toBe(1);
    expect(http(samples, 'GET', 'unmatched', 404).count).toBe(1);
    expect(
      samples.some((sample) => Object.values(sample.labels).some((v) => v.includes(mine))),
    ).toBe(false);

    // Produce: every command record acknowledged, in batches.
    const produced = valueOf(samples, 'specgate_produce_duration_seconds_count', {
      topic: 'task-commands',
      result: 'ok',
    });
    expect(produced).toBe(4);
    expect(valueOf(samples, 'specgate_producer_batch_records_sum')).toBeGreaterThanOrEqual(4);
    expect(valueOf(samples, 'specgate_producer_batch_records_count')).toBeGreaterThanOrEqual(1);

    // Reply waits: three answered, one timed out after the reply timeout.
    const replies = { topic: 'task-replies' };
    expect(
      valueOf(samples, 'specgate_reply_wait_seconds_count', { ...replies, outcome: 'reply' }),
    ).toBe(3);
    expect(
      valueOf(samples, 'specgate_reply_wait_seconds_count', { ...replies, outcome: 'timeout' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'specgate_reply_wait_seconds_sum', { ...replies, outcome: 'timeout' }),
    ).toBeGreaterThanOrEqual(0.69);
    expect(valueOf(samples, 'specgate_reply_timeouts_total', replies)).toBe(1);

    // Streams: none open now; one left, one dropped for reading too slowly.
    const listTasks = { operation: 'listTasks' };
    expect(valueOf(samples, 'specgate_sse_streams_open', listTasks)).toBe(0);
    expect(
      valueOf(samples, 'specgate_sse_streams_ended_total', { ...listTasks, reason: 'client' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'specgate_sse_streams_ended_total', { ...listTasks, reason: 'buffer-full' }),
    ).toBe(1);

    // The view: caught up on every partition, holding the keys written to it.
    for (const partition of ['0', '1', '2']) {
      expect(valueOf(samples, 'specgate_view_lag_records', { topic: snapshots, partition })).toBe(
        0,
      );
    }
    expect(valueOf(samples, 'specgate_view_entries', { topic: snapshots })).toBe(2 + keys.length);

    // Kafka and readiness.
    expect(valueOf(samples, 'specgate_kafka_connected')).toBe(1);
    expect(valueOf(samples, 'specgate_kafka_readers', { role: 'core', state: 'connected' })).toBe(
      3,
    );
    expect(valueOf(samples, 'specgate_gateway_ready')).toBe(1);
    // The process's own metrics come along.
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});

describe('operations.port', () => {
  it('serves the operational endpoints on their own port and paths, not on the API port', async () => {
    const ops = await startGenerated(out, {
      brokers: kafkaBrokers(),
      operations: {
        port: 0,
        metricsPath: '/internal/metrics',
        livenessPath: '/internal/live',
        readinessPath: '/internal/ready',
      },
    });
    try {
      const own = ops.gateway.operationsUrl();
      expect(own).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(own).not.toBe(ops.url);
      expect((await create(ops.url, randomUUID())).status).toBe(201);
      for (const path of [
        '/internal/metrics',
        '/internal/ready',
        '/metrics',
        '/readyz',
        '/livez',
      ]) {
        expect((await fetch(`${ops.url}${path}`)).status).toBe(404);
      }
      expect((await fetch(`${own}/internal/live`)).status).toBe(200);
      const ready = await fetch(`${own}/internal/ready`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({
        status: 200,
        body: { ready: true },
      });
      const samples = await scrape(`${own}/internal/metrics`);
      expect(http(samples, 'POST', '/tasks', 201).count).toBe(1);
      // The API port's 404s are counted; the operations port's requests are not.
      expect(http(samples, 'GET', 'unmatched', 404).count).toBe(5);
      expect(valueOf(samples, 'specgate_gateway_ready')).toBe(1);
    } finally {
      await ops.gateway.close();
    }
  });
});
