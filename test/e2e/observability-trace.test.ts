/**
 * Trace context end to end (design.md §11, issue 10): the todo gateway generated from specs/todo
 * in front of a real service runner (`specgate/service`), on topics of this file's own. A
 * command's W3C `traceparent` — the caller's, or one the gateway starts — goes HTTP → command
 * record → what the service writes → its reply, and the gateway's request log and the service's
 * log of the command carry the same trace id. The service's metrics count the commands.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskCommandsSpec } from '../../examples/todo/generated/service/handlers.ts';
import { parseTraceparent, traceIdOf } from '../../runtime/gateway/trace-context.ts';
import type { Gateway } from '../../runtime/index.ts';
import { createTestTopics, type TestTopics } from '../../runtime/service/test-support.ts';
import type { Service, ServiceLogEntry, ServiceSpec } from '../../runtime/service/index.ts';
import { startService } from '../../runtime/service/index.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';
import { parseSamples, valueOf } from './prometheus-text.ts';
import { eventually, generateGateway, repoRoot, startGenerated } from './support.ts';

/** One pino line of the gateway, as far as these tests read it. */
interface LogLine {
  readonly msg: string;
  readonly reqId?: string;
  readonly traceId?: string;
  readonly res?: { readonly statusCode?: number };
}

let topics: TestTopics;
let gateway: { gateway: Gateway; url: string };
let service: Service;
const registry = new Registry();
const gatewayLogs: LogLine[] = [];
const serviceLogs: ServiceLogEntry[] = [];

beforeAll(async () => {
  const brokers = kafkaBrokers();
  topics = await createTestTopics('trace');
  const specs = await todoSpecsOnTopics(topics);
  const out = await generateGateway('trace', specs.openapi, specs.asyncapi);
  service = startService({
    spec: serviceSpecOnTopics(topics),
    brokers,
    groupId: topics.groupId,
    transactionalId: topics.groupId,
    log: (entry) => serviceLogs.push(entry),
    metrics: registry,
    handlers: {
      CreateTask: (command, ctx) => {
        const at = new Date().toISOString();
        const { title } = command.body as { title: string };
        const task = { id: command.key, title, done: false, createdAt: at, updatedAt: at };
        ctx.emit(topics.events, 'TaskCreated', { id: command.key, at, title });
        ctx.snapshot(topics.snapshots, { ...task, version: 1 }, { etag: 'v1' });
        return { status: 201, headers: { location: `/tasks/${command.key}` }, body: task };
      },
    },
  });
  gateway = await startGenerated(out, {
    brokers,
    logger: { write: (line) => gatewayLogs.push(JSON.parse(line) as LogLine) },
  });
  await service.ready;
}, 60_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await service?.close();
});

/** specs/todo with every channel on this file's topics. */
async function todoSpecsOnTopics(
  on: TestTopics,
): Promise<{ readonly openapi: string; readonly asyncapi: string }> {
  const dir = join(repoRoot, 'test/.tmp', `trace-specs-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  let text = await readFile(join(repoRoot, 'specs/todo/asyncapi.yaml'), 'utf8');
  const renames: [string, string][] = [
    ['task-commands', on.commands],
    ['task-replies', on.replies],
    ['task-snapshots', on.snapshots],
    ['task-events', on.events],
  ];
  for (const [from, to] of renames) {
    const renamed = text.replace(new RegExp(`^(\\s+address: )${from}$`, 'm'), `$1${to}`);
    if (renamed === text) throw new Error(`specs/todo/asyncapi.yaml has no address ${from}`);
    text = renamed;
  }
  const asyncapi = join(dir, 'asyncapi.yaml');
  await writeFile(asyncapi, text);
  return { openapi: join(repoRoot, 'specs/todo/openapi.yaml'), asyncapi };
}

/** The example's generated service spec, on this file's topics. */
function serviceSpecOnTopics(on: TestTopics): ServiceSpec {
  const renamed: Record<string, string> = {
    'task-events': on.events,
    'task-snapshots': on.snapshots,
  };
  return {
    ...taskCommandsSpec,
    commandTopic: on.commands,
    outputs: taskCommandsSpec.outputs.map((output) => ({
      ...output,
      topic: renamed[output.topic] ?? output.topic,
    })),
  };
}

function create(id: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': id, ...headers },
    body: JSON.stringify({ title: `task ${id}` }),
  });
}

/** The one record of `key` in `topic` (every record of this file's topics is the file's own). */
async function recordOf(topic: string, key: string): Promise<TopicRecord> {
  const records = (await readTopic(topic)).filter((record) => record.key?.toString() === key);
  expect(records).toHaveLength(1);
  const [record] = records;
  if (record === undefined) throw new Error(`no record of ${key} in ${topic}`);
  return record;
}

function header(record: TopicRecord, name: string): string | undefined {
  const value = record.headers[name];
  return value === undefined ? undefined : String(value);
}

/** The gateway's log lines that name the trace. */
function requestLines(traceId: string): LogLine[] {
  return gatewayLogs.filter((line) => line.traceId === traceId);
}

describe('traceparent', () => {
  it("carries the caller's trace from HTTP through the command to the reply, and into both logs", async () => {
    const traceId = randomUUID().replaceAll('-', '');
    const traceparent = `00-${traceId}-b7ad6b7169203331-01`;
    const id = randomUUID();
    const response = await create(id, { traceparent, tracestate: 'specgate=test' });
    expect(response.status).toBe(201);
    // The trace stays in Kafka: the answer does not echo it.
    expect(response.headers.get('traceparent')).toBeNull();

    const command = await recordOf(topics.commands, id);
    expect(header(command, 'traceparent')).toBe(traceparent);
    expect(header(command, 'tracestate')).toBe('specgate=test');
    for (const topic of [topics.replies, topics.events, topics.snapshots]) {
      const record = await recordOf(topic, id);
      expect({ topic, traceparent: header(record, 'traceparent') }).toEqual({ topic, traceparent });
      expect(header(record, 'tracestate')).toBe('specgate=test');
    }

    // The gateway's request log: the incoming request and its 201, under one request id.
    const lines = requestLines(traceId);
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines[1]?.res?.statusCode).toBe(201);
    expect(lines[0]?.reqId).toBeDefined();
    expect(lines[1]?.reqId).toBe(lines[0]?.reqId);
    // The service's log of the command.
    const handled = await eventually(() =>
      serviceLogs.find((entry) => entry.details.traceId === traceId),
    );
    expect(handled.message).toBe('handled CreateTask: 201');
  });

  it('starts a trace for a request without one, and follows it the same way', async () => {
    const id = randomUUID();
    expect((await create(id)).status).toBe(201);

    const command = await recordOf(topics.commands, id);
    const started = parseTraceparent(header(command, 'traceparent'));
    expect(started).toBeDefined();
    const traceId = started?.traceId ?? '';
    const reply = await recordOf(topics.replies, id);
    expect(traceIdOf(header(reply, 'traceparent'))).toBe(traceId);
    expect(header(command, 'tracestate')).toBeUndefined();

    expect(requestLines(traceId).map((line) => line.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
    await eventually(() => serviceLogs.find((entry) => entry.details.traceId === traceId));
    // Every request line has a trace id, whether or not the request sent one.
    expect(
      gatewayLogs.filter((line) => line.reqId !== undefined && line.traceId === undefined),
    ).toEqual([]);
  });

  it("the service's metrics count the two commands above", async () => {
    const samples = parseSamples(await registry.metrics());
    const commands = { topic: topics.commands, command: 'CreateTask' };
    expect(
      valueOf(samples, 'specgate_service_commands_total', { ...commands, status: '201' }),
    ).toBe(2);
    expect(valueOf(samples, 'specgate_service_handler_duration_seconds_count', commands)).toBe(2);
    const committed = valueOf(samples, 'specgate_service_transactions_total', {
      topic: topics.commands,
      result: 'committed',
    });
    expect(committed).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(samples, 'specgate_service_transactions_total', {
        topic: topics.commands,
        result: 'aborted',
      }),
    ).toBe(0);
  });
});
