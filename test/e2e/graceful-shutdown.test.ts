/**
 * The generated todo server as a process (design §11, issue 10): SIGTERM stops it gracefully —
 * new connections are refused, a long poll in flight still gets its answer, an open stream ends
 * with a `retry:` hint (so its client reconnects elsewhere), and the process exits 0 — and bad
 * configuration stops it at start-up with a message naming the variable, not a stack trace.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseClient } from '../../runtime/gateway/streams/test-sse-client.ts';
import type { ReadyChild } from '../process/ready-child.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { ensureTodoTopics, generateGateway, startServerProcess, testKafka } from './support.ts';

let serverFile: string;
let running: { child: ReadyChild; url: string } | undefined;

beforeAll(async () => {
  const kafka = testKafka(kafkaBrokers());
  await ensureTodoTopics(kafka);
  await kafka.close();
  const out = await generateGateway(
    'shutdown',
    'specs/todo/openapi.yaml',
    'specs/todo/asyncapi.yaml',
  );
  serverFile = join(out, 'gateway/server.ts');
}, 120_000);

afterAll(() => {
  running?.child.process.kill('SIGKILL');
});

describe('a served gateway', () => {
  it('on SIGTERM refuses new work, finishes what is in flight, ends streams with a hint, exits 0', async () => {
    running = await startServerProcess(serverFile);
    const { child, url } = running;
    const list = await fetch(`${url}/tasks`);
    const etag = list.headers.get('etag');
    expect(etag).not.toBeNull();
    await list.arrayBuffer();

    const stream = await SseClient.connect(`${url}/tasks`);
    expect(stream.response.status).toBe(200);
    // A long poll: answered when the list changes, else 304 after 2 s.
    const longPoll = fetch(`${url}/tasks`, {
      headers: { 'if-none-match': etag ?? '', prefer: 'wait=2' },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    child.process.kill('SIGTERM');
    const exited = child.exited;
    expect(await stream.ended(10_000)).toBe(true);
    // The last thing on the stream is the reconnection hint.
    expect(stream.text).toMatch(/retry: \d+\n\n$/);
    const polled = await longPoll;
    expect([200, 304]).toContain(polled.status);
    await polled.arrayBuffer();
    await expect(fetch(`${url}/livez`)).rejects.toThrow();
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toContain('specgate gateway stopping (SIGTERM)');
  }, 30_000);

  it('stops at start-up on bad configuration, naming each variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', serverFile], {
      env: { ...process.env, PORT: 'eighty', KAFKA_BROKERS: 'kafka-without-port' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('specgate gateway: cannot start:');
    expect(stderr).toContain('PORT must be a TCP port number from 0 to 65535, not "eighty"');
    expect(stderr).toContain('KAFKA_BROKERS has "kafka-without-port", which is not host:port');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
