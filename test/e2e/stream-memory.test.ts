/**
 * Slow stream clients cannot grow the gateway's memory (design §6): several clients that stop
 * reading while far more data is written than their buffer limit are each cut off near the
 * limit, and the gateway's memory (heap and buffers, sampled throughout) grows by a fraction of
 * what those clients would otherwise hold. The gateway is generated from specs/todo with a
 * snapshot topic of this file's own (3 partitions), so the flood touches no other test.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { StreamEnd } from '../../runtime/gateway/streams/sse-stream.ts';
import type { KafkaClient, KafkaProducer } from '../../runtime/kafka/types.ts';
import { kafkaBrokers, uniqueTopic } from '../kafka/brokers.ts';
import {
  generateGateway,
  startGenerated,
  testKafka,
  todoSpecsWithSnapshotTopic,
} from './support.ts';

const maxBufferBytes = 256 * 1024;
const clientCount = 5;
const value = 'x'.repeat(100_000);
/** Written while the clients read nothing: 300 records of 100 kB to 10 keys, 30 MB. */
const rounds = 30;
const keys = Array.from({ length: 10 }, (_, i) => `big${i}`);

let kafka: KafkaClient;
let producer: KafkaProducer;
let topic: string;
let gateway: { gateway: Gateway; url: string };
const ends: StreamEnd[] = [];

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  topic = uniqueTopic('memory');
  await kafka.admin.ensureTopics([
    { topic: 'task-commands', partitions: 3 },
    { topic: 'task-replies', partitions: 3 },
    { topic, partitions: 3, compacted: true },
  ]);
  producer = kafka.producer();
  const specs = await todoSpecsWithSnapshotTopic(topic);
  const out = await generateGateway('memory', specs.openapi, specs.asyncapi);
  gateway = await startGenerated(out, {
    brokers,
    streams: { maxBufferBytes, onStreamEnd: (end) => ends.push(end) },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.gateway.close();
  await producer?.close();
  await kafka?.close();
});

/** `GET /tasks` as a stream on a plain socket that reads only the head, then nothing. */
async function stalledClient(): Promise<Socket> {
  const url = new URL(gateway.url);
  const socket = connectTcp({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`GET /tasks HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
}

function memory(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

describe('streams to clients that stop reading', () => {
  it('cuts each off near its limit, and the gateway memory stays bounded', async () => {
    const sockets = await Promise.all(Array.from({ length: clientCount }, stalledClient));
    const closed = sockets.map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    global.gc?.();
    const baseline = memory();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 10);
    try {
      for (let round = 0; round < rounds; round++) {
        await Promise.all(
          keys.map((key) =>
            producer.send({ topic, key, value: JSON.stringify({ id: key, round, value }) }),
          ),
        );
      }
      const deadline = Date.now() + 20_000;
      while (ends.filter(isBufferFull).length < clientCount && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      clearInterval(sampler);
    }
    const cut = ends.filter(isBufferFull);
    expect(cut).toHaveLength(clientCount);
    // Each held at most the limit plus the one event that crossed it.
    for (const end of cut) expect(end.bufferedBytes).toBeLessThan(maxBufferBytes + 110_000);
    const written = rounds * keys.length * value.length;
    const growth = peak - baseline;
    console.log(
      `memory: ${clientCount} stalled clients, ${(written / 1e6).toFixed(0)} MB written; ` +
        `peak growth ${(growth / 1e6).toFixed(1)} MB (unbounded buffers would hold ` +
        `${((clientCount * written) / 1e6).toFixed(0)} MB)`,
    );
    // Without the bound every client's socket would buffer all of it (150 MB here).
    expect(growth).toBeLessThan((clientCount * written) / 3);
    await Promise.all(
      sockets.map((socket, i) => {
        socket.resume();
        return closed[i];
      }),
    );
  }, 60_000);
});

function isBufferFull(end: StreamEnd): boolean {
  return end.reason === 'buffer-full';
}
