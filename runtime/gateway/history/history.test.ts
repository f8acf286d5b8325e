// History over a real 3-partition event topic, through Fastify: only the key's events, in offset
// order, named, timestamped and attributed; read-your-writes; identity filtering; the bound on
// events; channel parameters; and timeouts, client aborts and Kafka errors as problems.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, kafkaClient, uniqueId, uniqueTopic } from '../../../test/kafka/brokers.ts';
import { readTopic } from '../../../test/kafka/read-topic.ts';
import { createKafkaClient, isKafkaError, partitionForKey } from '../../kafka/index.ts';
import type {
  KafkaClient,
  KafkaProducer,
  ReaderOptions,
  RecordPosition,
  TopicReader,
} from '../../kafka/types.ts';
import { HttpProblem, kafkaProblem, problemFromFastify, sendProblem } from '../problems.ts';
import {
  createHistoryHandler,
  historyTruncatedHeader,
  type HistoryContext,
  type HistoryEntry,
} from './history.ts';
import type { HistoryRouteSpec } from './history-spec.ts';

const PARTITIONS = 3;

function partitionOf(key: string): number {
  return partitionForKey(Buffer.from(key), PARTITIONS);
}

/** The first `${prefix}${i}` that hashes to `partition` (or, with `same: false`, does not). */
function keyOn(prefix: string, partition: number, same = true): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    if ((partitionOf(key) === partition) === same) return key;
  }
}

/** A reader that never reads anything: a scan that cannot finish (a broker that stalls). */
class StuckReader implements TopicReader {
  readonly topic: string;
  readonly caughtUp = new Promise<void>(() => undefined);
  readonly done: Promise<void>;
  stopped = false;
  #stop: () => void = () => undefined;

  constructor(topic: string) {
    this.topic = topic;
    this.done = new Promise<void>((resolve) => (this.#stop = resolve));
  }
  state(): 'disconnected' {
    return 'disconnected';
  }
  positions(): Record<number, string> {
    return {};
  }
  highWatermarks(): undefined {
    return undefined;
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.#stop();
  }
}

/** The real client, with readers that never read (for timeouts and aborts). */
function stuckKafka(real: KafkaClient): { kafka: KafkaClient; readers: StuckReader[] } {
  const readers: StuckReader[] = [];
  const kafka: KafkaClient = {
    admin: real.admin,
    producer: (options) => real.producer(options),
    reader: (topic: string, _options: ReaderOptions) => {
      const reader = new StuckReader(topic);
      readers.push(reader);
      return reader;
    },
    close: () => real.close(),
  };
  return { kafka, readers };
}

describe('history handler', () => {
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let topic: string;
  let tenantTopicPrefix: string;
  let app: FastifyInstance;
  let base: string;

  const keyA = 'task-a';
  const partitionA = partitionOf(keyA);
  /** Shares task-a's partition: its records are interleaved with task-a's. */
  const keyB = keyOn('task-b', partitionA);
  /** On another partition. */
  const keyC = keyOn('task-c', partitionA, false);
  /** No records; hashes to task-a's partition, so answering it needs a scan. */
  const unknownKey = keyOn('task-unknown', partitionA);
  const keyD = 'task-d';
  const keyE = 'task-e';
  const positions = new Map<string, RecordPosition>();

  const names = ['TaskCreated', 'TaskRenamed', 'TaskCompleted'];
  function route(overrides: Partial<HistoryRouteSpec> = {}): HistoryRouteSpec {
    return {
      kind: 'history',
      operationId: 'getTaskHistory',
      method: 'GET',
      path: '/tasks/{id}/history',
      topic: { address: topic, params: {}, compacted: false },
      keyParam: 'id',
      messages: { names, eventNameHeader: 'type' },
      schemas: {},
      ...overrides,
    };
  }

  async function send(
    key: string,
    value: unknown,
    headers: Record<string, string> = {},
    label?: string,
    to: string = topic,
  ): Promise<RecordPosition> {
    const position = await producer.send({
      topic: to,
      key,
      value: value === null || typeof value === 'string' ? value : JSON.stringify(value),
      headers,
    });
    if (label !== undefined) positions.set(label, position);
    return position;
  }

  function offsetOf(label: string): string {
    const position = positions.get(label);
    if (position === undefined) throw new Error(`no record labelled ${label}`);
    return position.offset;
  }

  async function history(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  function events(body: unknown): string[] {
    return (body as HistoryEntry[]).map((entry) => `${entry.event} ${JSON.stringify(entry.data)}`);
  }

  function mount(path: string, spec: HistoryRouteSpec, ctx: Partial<HistoryContext> = {}): void {
    app.get(path, createHistoryHandler(spec, { kafka, ...ctx }));
  }

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: 'specgate-history-test' });
    producer = kafka.producer();
    topic = uniqueTopic('history');
    tenantTopicPrefix = uniqueTopic('history-tenant');
    await kafka.admin.ensureTopics([
      { topic, partitions: PARTITIONS },
      { topic: `${tenantTopicPrefix}-acme`, partitions: PARTITIONS },
      { topic: `${tenantTopicPrefix}-other`, partitions: PARTITIONS },
    ]);
    expect(partitionOf(keyB)).toBe(partitionA);
    expect(partitionOf(keyC)).not.toBe(partitionA);

    const id = 'specgate-identity';
    await send(keyA, { id: keyA, title: 'one' }, { type: 'TaskCreated', [id]: 'alice' }, 'a1');
    await send(keyB, { id: keyB, title: 'b' }, { type: 'TaskCreated' }, 'b1');
    await send(keyA, { id: keyA, title: 'two' }, { type: 'TaskRenamed', [id]: 'bob' }, 'a2');
    await send(keyC, { id: keyC, title: 'c' }, { type: 'TaskCreated' }, 'c1');
    await send(keyA, null, { type: 'TaskRenamed' }); // a tombstone: no event
    await send(keyA, 'not json', { type: 'TaskRenamed' }); // not JSON: skipped
    await send(keyA, { id: keyA }, { type: 'Bogus' }); // an undeclared message type: skipped
    await send(keyA, { id: keyA }); // no type header: skipped
    await send(keyA, { id: keyA, done: true }, { type: 'TaskCompleted' }, 'a3');
    await send(keyB, { id: keyB, title: 'bb' }, { type: 'TaskRenamed', [id]: 'carol' }, 'b2');
    for (let i = 0; i < 3; i++) await send(keyD, { id: keyD, n: i }, { type: 'TaskRenamed' });
    await send(keyE, { id: keyE }, { type: 'Bogus' });
    await send(keyE, { id: keyE, n: 1 });
    await send(keyE, null);
    await send(
      keyA,
      { id: keyA, title: 'acme' },
      { type: 'TaskCreated' },
      'acme',
      `${tenantTopicPrefix}-acme`,
    );

    app = Fastify({ forceCloseConnections: true });
    // As the gateway answers errors (gateway.ts).
    app.setErrorHandler((error: FastifyError, _request, reply) =>
      sendProblem(
        reply,
        error instanceof HttpProblem
          ? error
          : isKafkaError(error)
            ? kafkaProblem(error)
            : problemFromFastify(error),
      ),
    );
    mount('/tasks/:id/history', route(), {
      predicate: (request) => {
        const user = request.headers['x-user'];
        return typeof user === 'string'
          ? (record) => record.headers['specgate-identity'] === user
          : undefined;
      },
    });
    mount('/single/:id/history', route({ messages: { names: ['TaskEvent'] } }));
    mount('/bounded2/:id/history', route(), { maxEvents: 2 });
    mount('/bounded3/:id/history', route(), { maxEvents: 3 });
    mount(
      '/tenants/:tenant/tasks/:id/history',
      route({
        path: '/tenants/{tenant}/tasks/{id}/history',
        topic: {
          address: `${tenantTopicPrefix}-{org}`,
          params: { org: 'tenant' },
          compacted: false,
        },
      }),
    );
    mount(
      '/missing/:id/history',
      route({ topic: { address: uniqueTopic('history-missing'), params: {}, compacted: false } }),
    );
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await producer?.close();
    await kafka?.close();
  });

  it("answers the key's events over HTTP, oldest first, with timestamps, offsets and identities", async () => {
    const answer = await history(`/tasks/${keyA}/history`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get(historyTruncatedHeader)).toBeNull();

    const stored = await readTopic(topic);
    const timestampOf = (offset: string): string => {
      const record = stored.find((r) => r.partition === partitionA && r.offset === offset);
      return new Date(Number(record?.timestamp)).toISOString();
    };
    expect(answer.body).toEqual([
      {
        event: 'TaskCreated',
        timestamp: timestampOf(offsetOf('a1')),
        offset: offsetOf('a1'),
        identity: 'alice',
        data: { id: keyA, title: 'one' },
      },
      {
        event: 'TaskRenamed',
        timestamp: timestampOf(offsetOf('a2')),
        offset: offsetOf('a2'),
        identity: 'bob',
        data: { id: keyA, title: 'two' },
      },
      {
        event: 'TaskCompleted',
        timestamp: timestampOf(offsetOf('a3')),
        offset: offsetOf('a3'),
        data: { id: keyA, done: true },
      },
    ]);
    for (const entry of answer.body as HistoryEntry[]) {
      expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(entry.timestamp) - Date.now())).toBeLessThan(5 * 60_000);
    }
  });

  it('leaves out other keys of the same partition and reads keys of other partitions', async () => {
    const b = await app.inject({ method: 'GET', url: `/tasks/${keyB}/history` });
    expect(b.statusCode).toBe(200);
    expect(b.json()).toEqual([
      expect.objectContaining({ event: 'TaskCreated', offset: offsetOf('b1') }),
      expect.objectContaining({ event: 'TaskRenamed', offset: offsetOf('b2'), identity: 'carol' }),
    ]);
    const c = await app.inject({ method: 'GET', url: `/tasks/${keyC}/history` });
    expect(c.json()).toEqual([
      expect.objectContaining({
        event: 'TaskCreated',
        offset: offsetOf('c1'),
        data: { id: keyC, title: 'c' },
      }),
    ]);
  });

  it('answers [] for a key without events, also in a partition with records', async () => {
    const answer = await history(`/tasks/${encodeURIComponent(unknownKey)}/history`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([]);
    // A key whose partition of this topic is empty.
    const empty = await history(`/tenants/other/tasks/${keyA}/history`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([]);
  });

  it('includes a record written right before the request (read-your-writes)', async () => {
    for (let i = 0; i < 5; i++) {
      const position = await send(keyD, { id: keyD, n: 10 + i }, { type: 'TaskRenamed' });
      const answer = await history(`/tasks/${keyD}/history`);
      const last = (answer.body as HistoryEntry[]).at(-1);
      expect(last).toMatchObject({ offset: position.offset, data: { id: keyD, n: 10 + i } });
    }
  });

  it('names every JSON record with the only message name, whatever its header says', async () => {
    const single = await history(`/single/${keyE}/history`);
    expect(events(single.body)).toEqual([
      `TaskEvent ${JSON.stringify({ id: keyE })}`,
      `TaskEvent ${JSON.stringify({ id: keyE, n: 1 })}`,
    ]);
    // With several names, neither record says which one it is.
    const several = await history(`/tasks/${keyE}/history`);
    expect(several.body).toEqual([]);
  });

  it('shows a request only what its predicate lets it see', async () => {
    const alice = await history(`/tasks/${keyA}/history`, { 'x-user': 'alice' });
    expect(events(alice.body)).toEqual([
      `TaskCreated ${JSON.stringify({ id: keyA, title: 'one' })}`,
    ]);
    const bob = await history(`/tasks/${keyA}/history`, { 'x-user': 'bob' });
    expect((bob.body as HistoryEntry[]).map((entry) => entry.offset)).toEqual([offsetOf('a2')]);
    const nobody = await history(`/tasks/${keyA}/history`, { 'x-user': 'mallory' });
    expect(nobody.body).toEqual([]);
  });

  it('answers the oldest maxEvents events and says when there are more', async () => {
    const two = await history(`/bounded2/${keyA}/history`);
    expect(two.status).toBe(200);
    expect(two.headers.get(historyTruncatedHeader)).toBe('true');
    expect((two.body as HistoryEntry[]).map((entry) => entry.offset)).toEqual([
      offsetOf('a1'),
      offsetOf('a2'),
    ]);
    const three = await history(`/bounded3/${keyA}/history`);
    expect(three.headers.get(historyTruncatedHeader)).toBeNull();
    expect((three.body as HistoryEntry[]).map((entry) => entry.offset)).toEqual([
      offsetOf('a1'),
      offsetOf('a2'),
      offsetOf('a3'),
    ]);
  });

  it('reads the topic a channel parameter names', async () => {
    const acme = await history(`/tenants/acme/tasks/${keyA}/history`);
    expect(acme.body).toEqual([
      expect.objectContaining({ offset: offsetOf('acme'), data: { id: keyA, title: 'acme' } }),
    ]);
  });

  it('leaves out aborted transactions and ends at a commit marker without waiting', async () => {
    const keyF = 'task-f';
    const transactional = kafkaClient('specgate-history-tx').producer({
      transactionalId: uniqueId('history-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    try {
      const write = async (value: object, commit: boolean): Promise<void> => {
        const tx = await transactional.transaction();
        await tx.send({
          topic,
          messages: [
            {
              key: keyF,
              value: JSON.stringify(value),
              headers: { type: 'TaskRenamed' },
              partition: partitionOf(keyF),
            },
          ],
        });
        await (commit ? tx.commit() : tx.abort());
      };
      await write({ id: keyF, n: 1 }, true);
      await write({ id: keyF, n: 2 }, false);
      await write({ id: keyF, n: 3 }, true);
    } finally {
      await transactional.disconnect();
    }
    // The partition now ends with a commit marker, which no reader delivers.
    const started = Date.now();
    const answer = await history(`/tasks/${keyF}/history`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(events(answer.body)).toEqual([
      `TaskRenamed ${JSON.stringify({ id: keyF, n: 1 })}`,
      `TaskRenamed ${JSON.stringify({ id: keyF, n: 3 })}`,
    ]);
  });

  it('answers a Kafka error as a problem (a topic that does not exist)', async () => {
    const answer = await app.inject({ method: 'GET', url: `/missing/${keyA}/history` });
    expect(answer.statusCode).toBe(500);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.json()).toMatchObject({
      code: 'INTERNAL',
      detail: expect.stringContaining('Kafka'),
    });
  });

  describe('with a scan that does not finish', () => {
    let stuck: { kafka: KafkaClient; readers: StuckReader[] };
    let stuckApp: FastifyInstance;
    let stuckBase: string;

    beforeAll(async () => {
      stuck = stuckKafka(kafka);
      stuckApp = Fastify({ forceCloseConnections: true });
      stuckApp.setErrorHandler((error: FastifyError, _request, reply) =>
        sendProblem(reply, error instanceof HttpProblem ? error : problemFromFastify(error)),
      );
      stuckApp.get(
        '/timeout/:id/history',
        createHistoryHandler(route(), { kafka: stuck.kafka, timeoutMs: 300 }),
      );
      stuckApp.get(
        '/slow/:id/history',
        createHistoryHandler(route(), { kafka: stuck.kafka, timeoutMs: 20_000 }),
      );
      stuckApp.get(
        '/one-at-a-time/:id/history',
        createHistoryHandler(route(), {
          kafka: stuck.kafka,
          timeoutMs: 1000,
          maxConcurrentScans: 1,
        }),
      );
      stuckBase = await stuckApp.listen({ host: '127.0.0.1', port: 0 });
    });

    afterAll(async () => {
      await stuckApp?.close();
    });

    it('answers 503 with Retry-After at the timeout, and stops the reader', async () => {
      const before = stuck.readers.length;
      const started = Date.now();
      const response = await fetch(`${stuckBase}/timeout/${keyA}/history`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ code: 'KAFKA_UNAVAILABLE', status: 503 });
      const readers = stuck.readers.slice(before);
      expect(readers).toHaveLength(1);
      expect(readers[0]?.stopped).toBe(true);
    });

    it('stops the reader when the client goes away', async () => {
      const before = stuck.readers.length;
      const client = new AbortController();
      const request = fetch(`${stuckBase}/slow/${keyA}/history`, { signal: client.signal });
      await expect.poll(() => stuck.readers.length, { timeout: 5000 }).toBe(before + 1);
      const reader = stuck.readers[before];
      expect(reader?.stopped).toBe(false);
      client.abort();
      await expect(request).rejects.toThrow();
      await expect.poll(() => reader?.stopped, { timeout: 5000 }).toBe(true);
    });

    it('runs no more scans at once than maxConcurrentScans', async () => {
      const before = stuck.readers.length;
      const requests = [1, 2].map(() => fetch(`${stuckBase}/one-at-a-time/${keyA}/history`));
      await expect.poll(() => stuck.readers.length, { timeout: 5000 }).toBe(before + 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stuck.readers.length).toBe(before + 1);
      const statuses = await Promise.all(requests.map(async (r) => (await r).status));
      expect(statuses).toEqual([503, 503]);
    });
  });
});
