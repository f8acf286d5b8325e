/**
 * design §4 and §12 under a crash: the gateway process is SIGKILLed while clients of the
 * generated SDK send commands, and a new one is started on the same port. The SDK retries what
 * failed on the network with the same Idempotency-Key, so afterwards Kafka holds every command
 * that a client saw acknowledged exactly once, and no command twice. This file runs its own
 * broker, so the counts are of its own records only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, type TodoClient } from '../../examples/todo/generated/client/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { freeLoopbackPorts } from '../../scripts/kafka/ports.ts';
import { startTodoResponder, testKafka } from '../e2e/support.ts';
import type { ReadyChild } from '../process/ready-child.ts';
import {
  commandsPerIdempotencyKey,
  exactlyOnceViolations,
  startGatewayProcess,
  until,
} from './support.ts';

let broker: Broker;
let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
const gateways: ReadyChild[] = [];
let port: number;

function startGateway(): ReadyChild {
  const gateway = startGatewayProcess({ brokers: broker.brokers, port, replyTimeoutMs: 4000 });
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  broker = await startBroker();
  kafka = testKafka([broker.brokers]);
  responder = await startTodoResponder(kafka);
  [port = 0] = await freeLoopbackPorts(1);
  await startGateway().ready;
}, 120_000);

afterAll(async () => {
  for (const gateway of gateways) gateway.process.kill('SIGKILL');
  await responder?.stop();
  await kafka?.close();
  await broker?.stop();
});

/** One SDK call of the load: its Idempotency-Key and what the SDK finally answered. */
interface Call {
  readonly key: string;
  status?: number;
  ok?: boolean;
  /** The SDK gave up without an answer (a ClientError after its retries). */
  error?: string;
}

/** Creates a task, then renames it twice, each command with a key of its own; repeats. */
async function work(client: TodoClient, calls: Call[], running: () => boolean): Promise<void> {
  const record = async (
    run: (key: string) => Promise<{ ok: boolean; status: number }>,
  ): Promise<boolean> => {
    const call: Call = { key: `gw-crash-${randomUUID()}` };
    calls.push(call);
    try {
      const result = await run(call.key);
      call.status = result.status;
      call.ok = result.ok;
    } catch (error) {
      call.error = String(error);
    }
    return call.ok === true;
  };
  while (running()) {
    let id = '';
    const created = await record(async (key) => {
      id = key;
      return client.createTask({ body: { title: key } }, { idempotencyKey: key });
    });
    if (!created) continue;
    for (let n = 1; n <= 2; n++) {
      await record((key) =>
        client.renameTask(
          { params: { id }, body: { title: `${id} ${n}` } },
          { idempotencyKey: key },
        ),
      );
    }
  }
}

it('loses no acknowledged command and doubles none when the gateway is SIGKILLed', async () => {
  // Counts the SDK's attempts per Idempotency-Key, to see its retries across the crash.
  const attempts = new Map<string, number>();
  const counting: typeof fetch = (input, init) => {
    const key = new Headers(init?.headers).get('idempotency-key');
    if (key !== null) attempts.set(key, (attempts.get(key) ?? 0) + 1);
    return fetch(input, init);
  };
  const client = createClient({
    baseUrl: `http://127.0.0.1:${port}`,
    fetch: counting,
    // Long enough to outlast the restart: the SDK retries network failures with the same key.
    retry: { retries: 20, baseDelayMs: 100, maxDelayMs: 1000 },
    timeoutMs: 20_000,
  });
  const calls: Call[] = [];
  let running = true;
  const lanes = Array.from({ length: 4 }, () => work(client, calls, () => running));
  const acknowledged = (): number => calls.filter((call) => call.ok === true).length;

  await until(() => acknowledged() >= 60, '60 commands acknowledged before the crash');
  const crashed = gateways[0];
  crashed?.process.kill('SIGKILL');
  await crashed?.exited;
  const atCrash = calls.length;
  await startGateway().ready;
  await until(() => acknowledged() >= atCrash + 60, '60 more commands after the restart');
  running = false;
  await Promise.all(lanes);

  // The calls in flight at the crash failed on the network and the SDK sent them again.
  expect(calls.filter((call) => (attempts.get(call.key) ?? 0) > 1).length).toBeGreaterThan(0);
  // Calls in flight at the crash were retried by the SDK and settled.
  expect(calls.filter((call) => call.ok === undefined && call.error === undefined)).toEqual([]);
  const counts = await commandsPerIdempotencyKey(broker.brokers);
  const commands = calls.map((call) => ({ key: call.key, acknowledged: call.ok === true }));
  expect(exactlyOnceViolations(commands, counts)).toEqual([]);
  // With the service's own answer: a retry of a command the dead gateway had produced gets its
  // reply (the new gateway reads the replies of the last minutes), not a 202 for want of one.
  expect(
    calls.filter((call) => call.ok === true && ![200, 201].includes(call.status ?? 0)),
  ).toEqual([]);
  // Every call succeeded in the end, but for calls in flight at the crash whose claim the dead
  // gateway held without having marked the command produced: their retries get 409
  // IDEMPOTENCY_IN_FLIGHT until the claim expires (60 s), since no instance can tell whether
  // the record was written, and writing it again could double it.
  const failed = calls.filter((call) => call.ok !== true);
  const orphaned = (call: Call): boolean =>
    call.status === 409 && (attempts.get(call.key) ?? 0) > 1;
  expect(failed.filter((call) => !orphaned(call))).toEqual([]);
  expect(failed.length).toBeLessThanOrEqual(lanes.length);
}, 120_000);

it('answers, after a restart, with a reply that came before it: at the Location and to a retry', async () => {
  const base = `http://127.0.0.1:${port}`;
  const key = `gw-async-${randomUUID()}`;
  const post = (headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${base}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
      body: JSON.stringify({ title: 'answered while down' }),
    });
  const accepted = await post({ prefer: 'respond-async' });
  expect(accepted.status).toBe(202);
  const location = accepted.headers.get('location') ?? '';
  // The service has answered: this gateway collects the reply.
  const collected = await fetch(`${base}${location}`, { headers: { prefer: 'wait=5' } });
  expect(collected.status).toBe(201);
  const reply: unknown = await collected.json();
  expect(reply).toMatchObject({ id: key, title: 'answered while down' });

  const crashed = gateways.at(-1);
  crashed?.process.kill('SIGKILL');
  await crashed?.exited;
  await startGateway().ready;
  // The new process never saw the reply arrive, yet the Location and a retry (which waits for
  // the reply, not asking for an async answer this time) still answer it.
  const again = await fetch(`${base}${location}`, { headers: { prefer: 'wait=1' } });
  expect(again.status).toBe(201);
  expect(await again.json()).toEqual(reply);
  const retried = await post();
  expect(retried.status).toBe(201);
  expect(await retried.json()).toEqual(reply);
  expect((await commandsPerIdempotencyKey(broker.brokers)).get(key)).toBe(1);
}, 60_000);
