/**
 * Queries after real compaction (design §5): the log cleaner removes overwritten values and,
 * later, tombstones, leaving gaps in the offsets; a gateway restarted on the compacted topic must
 * rebuild the same view as one that saw every record, and must not say it is ready before it has.
 *
 * The snapshot topic is this file's own, from a copy of specs/todo with the address renamed
 * (compaction.ts): its configs make the cleaner run within seconds, which the `task-snapshots`
 * topic other tests share must not get. The shared test broker already looks for dirty logs every
 * second, so no broker of our own is needed.
 *
 * The steps build on each other and run in order: a first gateway follows the history as it is
 * written, the cleaner compacts the topic, then a second gateway starts on what is left.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, openGateway, type Gateway } from '../../runtime/index.ts';
import { encodeProgress } from '../../runtime/gateway/progress.ts';
import type { KafkaClient, KafkaProducer } from '../../runtime/kafka/types.ts';
import { kafkaBrokers, uniqueTopic } from '../kafka/brokers.ts';
import { latestState, type TopicRecord } from '../kafka/read-topic.ts';
import { FAST_COMPACTION, waitForCompaction } from './compaction.ts';
import {
  generateGateway,
  importGenerated,
  testKafka,
  todoSpecsWithSnapshotTopic,
} from './support.ts';

/** What happens to a key over the rounds of the history. */
type Fate = 'updated' | 'deleted' | 'recreated' | 'deletedLast' | 'writtenOnce';

const FATES: readonly Fate[] = ['updated', 'deleted', 'recreated', 'deletedLast', 'writtenOnce'];
const ROUNDS = 8;
/** Fixed ids, so the default partitioner spreads them the same way every run (all 3 partitions). */
const IDS = Array.from({ length: 15 }, (_, i) => `task-${String(i).padStart(2, '0')}`);
/** The key of the records that roll segments: a tombstone of a task that never existed. */
const ROLL_KEY = 'roll';
const PARTITIONS = 3;

function fateOf(id: string): Fate {
  const fate = FATES[IDS.indexOf(id) % FATES.length];
  if (fate === undefined) throw new Error(`no fate for ${id}`);
  return fate;
}

/** What round `round` (1-based) writes for a key: a new value, a tombstone, or nothing. */
function writeOf(fate: Fate, round: number): 'put' | 'delete' | undefined {
  switch (fate) {
    case 'updated':
      return 'put';
    case 'deleted':
      return round < 3 ? 'put' : round === 3 ? 'delete' : undefined;
    case 'recreated':
      return round < 3 || round >= 5 ? 'put' : round === 3 ? 'delete' : undefined;
    case 'deletedLast':
      return round < ROUNDS ? 'put' : 'delete';
    case 'writtenOnce':
      return round === 1 ? 'put' : undefined;
  }
}

interface Task {
  readonly id: string;
  readonly title: string;
  readonly done: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** The latest state as the test wrote it: per live id, its task and its `etag` header. */
const expected = new Map<string, { task: Task; etag: string }>();
let produced = 0;

let brokers: string[];
let kafka: KafkaClient;
let producer: KafkaProducer;
let topic: string;
let generated: Awaited<ReturnType<typeof importGenerated>>;
let first: { gateway: Gateway; url: string } | undefined;
let second: { gateway: Gateway; url: string } | undefined;

beforeAll(async () => {
  brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  topic = uniqueTopic('task-snapshots-compaction');
  await kafka.admin.ensureTopics([
    { topic: 'task-commands', partitions: 3 },
    { topic: 'task-replies', partitions: 3 },
    { topic, partitions: PARTITIONS, compacted: true, config: FAST_COMPACTION },
  ]);
  producer = kafka.producer();
  const specs = await todoSpecsWithSnapshotTopic(topic);
  const out = await generateGateway('todo-compaction', specs.openapi, specs.asyncapi);
  generated = await importGenerated(out);
}, 120_000);

afterAll(async () => {
  await first?.gateway.close();
  await second?.gateway.close();
  await producer?.close();
  await kafka?.close();
});

async function startGateway(): Promise<{ gateway: Gateway; url: string }> {
  const gateway = await createGateway({ brokers, ...generated });
  return { gateway, url: await gateway.listen() };
}

/** Writes every round, each in segments of its own (rounds are further apart than segment.ms). */
async function writeHistory(): Promise<Set<number>> {
  const partitions = new Set<number>();
  const versions = new Map<string, number>();
  for (let round = 1; round <= ROUNDS; round++) {
    if (round > 1) await sleep(Number(FAST_COMPACTION['segment.ms']) + 50);
    const sends = IDS.map(async (id) => {
      const write = writeOf(fateOf(id), round);
      if (write === undefined) return;
      let value: Task | null = null;
      if (write === 'put') {
        const version = (versions.get(id) ?? 0) + 1;
        versions.set(id, version);
        const createdAt = expected.get(id)?.task.createdAt ?? at(round);
        value = {
          id,
          title: `${id} round ${round}`,
          done: round % 2 === 0,
          createdAt,
          updatedAt: at(round),
          version,
        };
        expected.set(id, { task: value, etag: `r${round}` });
      } else {
        versions.delete(id);
        expected.delete(id);
      }
      const position = await producer.send({
        topic,
        key: id,
        value: value === null ? null : JSON.stringify(value),
        headers: value === null ? {} : { etag: `r${round}` },
      });
      partitions.add(position.partition);
      produced++;
    });
    await Promise.all(sends);
  }
  return partitions;
}

function at(round: number): string {
  return new Date(Date.UTC(2025, 0, 1, 12, round)).toISOString();
}

async function rollSegments(): Promise<void> {
  await Promise.all(
    Array.from({ length: PARTITIONS }, (_, partition) =>
      producer.send({ topic, key: ROLL_KEY, value: null, partition }),
    ),
  );
}

function expectedList(): Task[] {
  return [...expected.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((id) => expected.get(id)?.task)
    .filter((task): task is Task => task !== undefined);
}

/** The progress token of the topic's current end: a query sending it sees every record. */
async function endOfTopic(): Promise<string> {
  return encodeProgress(await kafka.admin.highWatermarks(topic));
}

/** One answer, as two gateways must agree on it. */
interface Answer {
  readonly status: number;
  readonly etag: string | null;
  /** The body text of a 200; the problem code otherwise. */
  readonly body: string;
}

async function answer(url: string, progress: string): Promise<Answer> {
  const response = await fetch(url, { headers: { 'specgate-progress': progress } });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: response.status === 200 ? text : String((JSON.parse(text) as { code?: unknown }).code),
  };
}

/** The list and every id the history wrote, live or deleted. */
async function answers(url: string): Promise<{ list: Answer; items: Record<string, Answer> }> {
  const progress = await endOfTopic();
  const items: Record<string, Answer> = {};
  for (const id of IDS) items[id] = await answer(`${url}/tasks/${id}`, progress);
  return { list: await answer(`${url}/tasks`, progress), items };
}

/** Checks the answers against the history as written. */
function expectLatestState(seen: { list: Answer; items: Record<string, Answer> }): void {
  expect(seen.list.status).toBe(200);
  expect(JSON.parse(seen.list.body)).toEqual(expectedList());
  for (const id of IDS) {
    const want = expected.get(id);
    const item = seen.items[id];
    if (want === undefined) {
      expect(item, id).toEqual({ status: 404, etag: null, body: 'NOT_FOUND' });
    } else {
      expect(item?.status, id).toBe(200);
      expect(JSON.parse(item?.body ?? ''), id).toEqual(want.task);
      expect(item?.etag, id).toMatch(new RegExp(`^"[A-Za-z0-9_-]+=*/${want.etag}"$`));
    }
  }
}

/** The data records of the topic (without the segment rolls). */
function taskRecords(records: readonly TopicRecord[]): TopicRecord[] {
  return records.filter((record) => record.key?.toString('utf8') !== ROLL_KEY);
}

/** Compacted: the cleaner has kept at most one record (the latest) of every task. */
function everyTaskOnce(records: readonly TopicRecord[]): boolean {
  const keys = taskRecords(records).map((record) => record.key?.toString('utf8'));
  return new Set(keys).size === keys.length;
}

/** One `/readyz` and one `GET /tasks`, asked while the second gateway starts. */
interface Probe {
  readonly readyz: number;
  readonly list: { readonly status: number; readonly body: string };
}

describe('a gateway restarted after compaction', () => {
  let firstAnswers: Awaited<ReturnType<typeof answers>>;

  it('first follows the history as it is written, and answers its latest state', async () => {
    first = await startGateway();
    const partitions = await writeHistory();
    expect([...partitions].sort()).toEqual([0, 1, 2]);
    expectLatestState(await answers(first.url));
  }, 30_000);

  it('the log cleaner compacts the topic: overwritten values and deleted tasks go', async () => {
    const { records, waitedMs } = await waitForCompaction({
      topic,
      brokers,
      compacted: everyTaskOnce,
      roll: rollSegments,
      timeoutMs: 30_000,
    });
    const tasks = taskRecords(records);
    console.log(`compaction: ${produced} task records left ${tasks.length} after ${waitedMs} ms`);
    expect(tasks.length).toBeLessThan(produced);
    // Every live task's latest record survives; a deleted one at most as its tombstone.
    expect(Object.fromEntries(latestState(tasks))).toEqual(Object.fromEntries(latestValues()));
    for (const record of tasks) {
      if (record.value !== null) continue;
      expect(expected.has(record.key?.toString('utf8') ?? '')).toBe(false);
    }
    // The survivors have gaps between their offsets, where the removed records were.
    const gaps = [0, 1, 2].filter((partition) => {
      const offsets = records.filter((r) => r.partition === partition).map((r) => BigInt(r.offset));
      return offsets.some((offset, i) => i > 0 && offset !== (offsets[i - 1] ?? 0n) + 1n);
    });
    expect(gaps.length).toBeGreaterThan(0);
    // The first gateway's view is what it was: compaction changes no latest value.
    if (first === undefined) throw new Error('the first gateway did not start');
    firstAnswers = await answers(first.url);
    expectLatestState(firstAnswers);
  }, 45_000);

  it('then a new gateway is not ready until it has rebuilt the same view', async () => {
    await first?.gateway.close();
    first = undefined;

    // The new gateway listens at once and answers while its view loads.
    const gateway = openGateway({ brokers, spec: generated.spec, routes: generated.routes });
    let settled = false;
    void gateway.ready.finally(() => {
      settled = true;
    });
    const url = await gateway.listen();
    second = { gateway, url };
    const probes: Probe[] = [];
    const deadline = Date.now() + 20_000;
    while (!settled && Date.now() < deadline) {
      const readyz = await fetch(`${url}/readyz`);
      const list = await fetch(`${url}/tasks`);
      probes.push({
        readyz: readyz.status,
        list: { status: list.status, body: await list.text() },
      });
      await sleep(5);
    }
    if (!settled) throw new Error('the gateway was not ready within 20 s');
    await gateway.ready;
    console.log(`restart: ${probes.length} probes answered before the gateway was ready`);

    // Not ready at first: it answers over HTTP long before the view has read the topic.
    expect(probes[0]?.readyz).toBe(503);
    // A query while the view loads is refused, never answered from part of the topic.
    const fullList = firstAnswers.list.body;
    for (const { list } of probes) {
      if (list.status === 200) expect(list.body).toBe(fullList);
      else expect(JSON.parse(list.body)).toMatchObject({ status: 503, code: 'KAFKA_UNAVAILABLE' });
    }
    // Ready once started, and at once answering the whole view.
    const readyz = await fetch(`${url}/readyz`);
    expect({ status: readyz.status, body: await readyz.json() }).toEqual({
      status: 200,
      body: { ready: true },
    });
    const list = await fetch(`${url}/tasks`);
    expect(await list.text()).toBe(fullList);

    // The same list and items, bytes and ETags, as the gateway that saw every record.
    const rebuilt = await answers(second.url);
    expect(rebuilt).toEqual(firstAnswers);
    expectLatestState(rebuilt);
  }, 30_000);
});

/** The JSON each live task was last written as, by id. */
function latestValues(): Map<string, string> {
  return new Map([...expected].map(([id, { task }]) => [id, JSON.stringify(task)]));
}
