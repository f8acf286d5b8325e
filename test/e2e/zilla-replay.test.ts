/**
 * The Zilla profile's replay (issue 12, design.md §4): a request-reply command whose reply is
 * already on the reply topic — the first attempt went through another gateway instance whose
 * idempotency store this one has not read, or one since expired — is answered from that reply,
 * and nothing is produced. Two gateways with idempotency stores of their own stand for "the store has never
 * seen this key": only the reply topic can answer the retry. The todo gateway from specs/todo,
 * the real broker, and the Zilla-style responder of support.ts.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient } from '../../runtime/kafka/types.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';
import {
  ensureTodoTopics,
  generateGateway,
  startGenerated,
  startTodoResponder,
  testKafka,
} from './support.ts';

let kafka: KafkaClient;
let responder: Awaited<ReturnType<typeof startTodoResponder>>;
let a: { gateway: Gateway; url: string };
let b: { gateway: Gateway; url: string };

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await ensureTodoTopics(kafka);
  const out = await generateGateway(
    'zilla-replay',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  responder = await startTodoResponder(kafka);
  const options = { brokers, replyTimeoutMs: 5000, compat: 'zilla' } as const;
  a = await startGenerated(out, { ...options, idempotencyTopic: `idem-a-${randomUUID()}` });
  b = await startGenerated(out, { ...options, idempotencyTopic: `idem-b-${randomUUID()}` });
}, 120_000);

afterAll(async () => {
  await a?.gateway.close();
  await b?.gateway.close();
  await responder?.stop();
  await kafka?.close();
});

/**
 * POST /tasks with Zilla's UI's headers. Both gateways are reached through one name, as behind
 * a load balancer: the Host (`:authority`) is part of the request Zilla hashes.
 */
function create(
  url: string,
  title: string,
  key: string,
): Promise<{ status: number; location: string | undefined; body: string }> {
  const body = JSON.stringify({ title });
  return new Promise((resolve, reject) => {
    const call = request(
      `${url}/tasks`,
      {
        method: 'POST',
        headers: {
          host: 'todo.example',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-client': 'zilla-ui',
          'idempotency-key': key,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** The command records whose correlation id starts with `seed-`. */
async function commandsOf(seed: string): Promise<TopicRecord[]> {
  const records = await readTopic('task-commands');
  return records.filter((r) => header(r, 'zilla:correlation-id')?.startsWith(`${seed}-`) === true);
}

function header(record: TopicRecord | undefined, name: string): string | undefined {
  const value = record?.headers[name];
  return value === undefined ? undefined : Array.isArray(value) ? String(value[0]) : String(value);
}

describe('the Zilla profile', () => {
  it('writes the record as Zilla does, and a retry through another instance is answered from the reply topic', async () => {
    const key = randomUUID();
    const first = await create(a.url, 'milk', key);
    expect(first.status).toBe(201);

    const [record, ...others] = await commandsOf(key);
    expect(others).toEqual([]);
    const names = Object.keys(record?.headers ?? {});
    // Request headers first (pseudo-headers leading), then reply-to, the type tag, the id last.
    expect(names.slice(0, 4)).toEqual([':scheme', ':method', ':path', ':authority']);
    expect(header(record, ':authority')).toBe('todo.example:80');
    expect(names).toContain('x-client');
    expect(names).not.toContain('content-length');
    expect(names.slice(-3)).toEqual(['zilla:reply-to', 'command-type', 'zilla:correlation-id']);
    expect(header(record, ':method')).toBe('POST');
    expect(header(record, ':path')).toBe('/tasks');
    expect(header(record, 'zilla:reply-to')).toBe('task-replies');
    const correlationId = header(record, 'zilla:correlation-id') ?? '';
    expect(correlationId).toMatch(new RegExp(`^${key}-[0-9a-f]{64}$`));
    expect(record?.key?.toString()).toBe(key);

    // b's store has never seen the key: the reply on task-replies answers, nothing is produced.
    const retry = await create(b.url, 'milk', key);
    expect(retry.status).toBe(201);
    expect(retry.location).toBe(first.location);
    expect(retry.body).toBe(first.body);
    expect(await commandsOf(key)).toHaveLength(1);

    // The same key with another body is another command, with another correlation id.
    const other = await create(b.url, 'eggs', key);
    expect(other.status).toBe(201);
    const both = await commandsOf(key);
    expect(both).toHaveLength(2);
    expect(header(both[1], 'zilla:correlation-id')).not.toBe(correlationId);
  });
});
