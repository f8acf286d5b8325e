/**
 * design §11 under a crash: the broker is SIGKILLed while commands keep coming, then restarted
 * on its data. While it is down, commands answer 503 (+ Retry-After) within 5 s; afterwards
 * Kafka holds every command that got a 2xx exactly once (and none twice), the gateway's view
 * catches up with what the service wrote, stream clients — one that stays connected, one that
 * leaves during the outage and comes back with Last-Event-ID — see every snapshot record once,
 * and the gateway process (a child process here) never restarts. This file runs its own broker.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../examples/todo/generated/client/index.ts';
import { SseClient } from '../../runtime/gateway/streams/test-sse-client.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { freeLoopbackPorts } from '../../scripts/kafka/ports.ts';
import { startTodoResponder, testKafka } from '../e2e/support.ts';
import { latestState, readTopic } from '../kafka/read-topic.ts';
import type { ReadyChild } from '../process/ready-child.ts';
import {
  commandsPerIdempotencyKey,
  exactlyOnceViolations,
  progressPast,
  sorted,
  startGatewayProcess,
  until,
} from './support.ts';

/** design §10: a produce the broker has not acknowledged in 3 s answers 503; 5 s is the bound. */
const OUTAGE_ANSWER_MS = 5000;
/** Commands in flight at the crash wait this long for their reply, then answer 202. */
const REPLY_TIMEOUT_MS = 4000;

let broker: Broker;
let dataDir: string;
let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let gateway: ReadyChild;
let url: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'specgate-broker-kill-'));
  broker = await startBroker({ dataDir });
  kafka = testKafka([broker.brokers]);
  // Creates the todo topics; answers each command after writing its snapshot and event.
  responder = await startTodoResponder(kafka);
  const [port] = await freeLoopbackPorts(1);
  url = `http://127.0.0.1:${port}`;
  gateway = startGatewayProcess({
    brokers: broker.brokers,
    port: port ?? 0,
    replyTimeoutMs: REPLY_TIMEOUT_MS,
  });
  await gateway.ready;
}, 120_000);

afterAll(async () => {
  gateway?.process.kill('SIGKILL');
  await responder?.stop();
  await kafka?.close();
  await broker?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** One POST /tasks of the load, and how it went. */
interface Sent {
  readonly key: string;
  readonly started: number;
  ended?: number;
  status?: number;
  retryAfter?: string | null;
  /** The request failed without an answer (a reset connection: the gateway died). */
  error?: string;
}

async function createTasks(sent: Sent[], running: () => boolean): Promise<void> {
  while (running()) {
    const one: Sent = { key: `crash-${randomUUID()}`, started: Date.now() };
    sent.push(one);
    try {
      const response = await fetch(`${url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': one.key },
        body: JSON.stringify({ title: one.key }),
        signal: AbortSignal.timeout(60_000),
      });
      await response.arrayBuffer();
      one.status = response.status;
      one.retryAfter = response.headers.get('retry-after');
    } catch (error) {
      one.error = String(error);
    }
    one.ended = Date.now();
    await sleep(20);
  }
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

it('answers 503 while the broker is dead, then loses and doubles nothing', async () => {
  // Two stream clients from the start (the topic is empty: every event is a live record).
  const client = createClient({ baseUrl: url });
  const steady = client.streamListTasks();
  const steadyKeys: string[] = [];
  const readingSteady = (async () => {
    for await (const event of steady) if (event.event !== 'delete') steadyKeys.push(event.data.id);
  })();
  const leaving = await SseClient.connect(`${url}/tasks`);
  const leavingKeys: string[] = [];
  const readLeaving = async (sse: SseClient, stop: () => boolean): Promise<void> => {
    while (!stop()) {
      const events = await sse.eventsWithin(100);
      leavingKeys.push(...events.map((event) => (JSON.parse(event.data) as { id: string }).id));
      // An ended stream answers at once: do not spin (its missing events fail the test).
      await sleep(10);
    }
  };
  let leavingConnected = true;
  const readingLeaving = readLeaving(leaving, () => !leavingConnected);

  const sent: Sent[] = [];
  let loading = true;
  const lanes = Array.from({ length: 4 }, () => createTasks(sent, () => loading));
  const answered = (after: number): number =>
    sent.filter((one) => one.started >= after && isSuccess(one.status)).length;
  await until(() => answered(0) >= 40, '40 commands answered before the crash');

  const killedAt = Date.now();
  await broker.kill();
  // One stream client leaves with the crash and comes back after the recovery.
  leavingConnected = false;
  await readingLeaving;
  leaving.close();
  const lastEventId = leaving.lastEventId;
  expect(lastEventId).not.toBe('');

  // design §11: views keep serving their last state while the broker is away.
  await sleep(1000);
  const duringOutage = await fetch(`${url}/tasks`);
  expect(duringOutage.status).toBe(200);
  await duringOutage.arrayBuffer();
  await sleep(1000);

  const restartedAt = Date.now();
  broker = await startBroker({ dataDir, port: broker.port });
  const backAt = Date.now();
  await until(() => answered(backAt) >= 40, '40 commands answered after the restart');
  const back = await SseClient.connect(`${url}/tasks`, { 'last-event-id': lastEventId });
  leavingConnected = true;
  const readingBack = readLeaving(back, () => !leavingConnected);
  await until(() => answered(backAt) >= 80, 'more commands after the resume');
  loading = false;
  await Promise.all(lanes);

  // No request went unanswered: the gateway never dropped a connection.
  expect(sent.filter((one) => one.error !== undefined)).toEqual([]);
  // Sent while the broker was dead or not yet serving again: 503 + Retry-After within 5 s, or
  // a success once the restarted broker took the record.
  const outage = sent.filter((one) => one.started >= killedAt && one.started < backAt);
  expect(outage.length).toBeGreaterThan(0);
  const slowOrWrong = outage.filter((one) => {
    const ms = (one.ended ?? Infinity) - one.started;
    const unavailable =
      one.status === 503 && /^\d+$/.test(one.retryAfter ?? '') && ms < OUTAGE_ANSWER_MS;
    const recovered = isSuccess(one.status) && (one.ended ?? 0) > restartedAt;
    return !(unavailable || recovered);
  });
  expect(slowOrWrong).toEqual([]);
  expect(outage.filter((one) => one.status === 503).length).toBeGreaterThan(0);

  // Kafka holds every acknowledged command once, and no command twice.
  const counts = await commandsPerIdempotencyKey(broker.brokers);
  const commands = sent.map((one) => ({ key: one.key, acknowledged: isSuccess(one.status) }));
  expect(exactlyOnceViolations(commands, counts)).toEqual([]);

  // Once the service has written a snapshot for every command Kafka holds (the record key is
  // the Idempotency-Key), the gateway's view catches up with them.
  let snapshots = await readTopic('task-snapshots', { brokers: [broker.brokers] });
  for (const deadline = Date.now() + 30_000; ;) {
    const written = new Set(snapshots.map((record) => record.key?.toString()));
    if ([...counts.keys()].every((key) => written.has(key))) break;
    if (Date.now() > deadline) throw new Error('the service did not answer every command');
    await sleep(500);
    snapshots = await readTopic('task-snapshots', { brokers: [broker.brokers] });
  }
  const state = latestState(snapshots);
  const created = sent.filter((one) => one.status === 201).map((one) => one.key);
  expect(created.filter((key) => !state.has(key))).toEqual([]);
  const list = await fetch(`${url}/tasks`, {
    headers: { 'specgate-progress': progressPast('task-snapshots', snapshots) },
  });
  expect(list.status).toBe(200);
  const tasks = (await list.json()) as { id: string }[];
  expect(sorted(tasks.map((task) => task.id))).toEqual(sorted(state.keys()));

  // The steady stream got every snapshot record as an event, once. The resumed one got every
  // key, and none more often than Kafka holds it: a compacted view's stream resumes with the
  // latest entry of each key written after its last id, not each record (a key the service
  // wrote twice, retrying a send that had timed out, may come once).
  const recordKeys = sorted(snapshots.map((record) => record.key?.toString() ?? ''));
  const allKeys = new Set(recordKeys);
  const caughtUp = (): boolean =>
    steadyKeys.length >= recordKeys.length && new Set(leavingKeys).size >= allKeys.size;
  // Waits for them; the comparisons below then name what is missing or doubled.
  await until(caughtUp, 'both streams caught up').catch(() => undefined);
  await sleep(300);
  steady.close();
  await readingSteady;
  leavingConnected = false;
  await readingBack;
  back.close();
  expect(sorted(steadyKeys)).toEqual(recordKeys);
  expect(sorted(new Set(leavingKeys))).toEqual(sorted(allKeys));
  const inKafka = countEach(recordKeys);
  const doubled = [...countEach(leavingKeys)].filter(([key, n]) => n > (inKafka.get(key) ?? 0));
  expect(doubled).toEqual([]);

  // The same gateway process throughout, ready again.
  expect(gateway.process.exitCode).toBeNull();
  expect(gateway.process.signalCode).toBeNull();
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
}, 120_000);

function countEach(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
