// design.md §11: "When the broker goes away: commands answer 503 quickly, views keep serving
// their last state, streams stay open, and everything recovers without a restart." This test
// runs its own broker on a fixed port and data folder, stops it, and starts it again, while one
// producer and one reader stay in use throughout.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { freeLoopbackPorts } from '../../scripts/kafka/ports.ts';
import { uniqueTopic } from '../../test/kafka/brokers.ts';
import { KafkaError } from './errors.ts';
import { createKafkaClient } from './index.ts';
import type { KafkaRecord, ReaderState } from './types.ts';

const TIMEOUT_MS = 2000;

describe('broker outage', () => {
  it('fails sends with a 503 within the timeout while the broker is down; the same producer and reader recover', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'specgate-outage-'));
    const [port] = await freeLoopbackPorts(1);
    let broker: Broker | undefined = await startBroker({ port, dataDir });
    const client = createKafkaClient({ brokers: [broker.brokers], clientId: 'specgate-outage' });
    try {
      const topic = uniqueTopic('outage');
      await client.admin.ensureTopics([{ topic, partitions: 3 }]);
      const producer = client.producer({ timeoutMs: TIMEOUT_MS });
      const records: KafkaRecord[] = [];
      const states: ReaderState[] = [];
      const reader = client.reader(topic, {
        maxWaitMs: 200,
        onRecords: (batch) => {
          records.push(...batch);
        },
        onStateChange: (state) => states.push(state),
      });
      const sent: string[] = [];
      const send = async (value: string): Promise<void> => {
        await producer.send({ topic, key: value, value });
        sent.push(value);
      };
      await Promise.all(range(30).map((i) => send(`before-${i}`)));
      await until(() => records.length === 30);

      await broker.stop();
      broker = undefined;

      // One send, then a burst: every one settles as a retriable 503 within the timeout.
      const started = performance.now();
      const single = await settle(send('down'));
      const singleMs = performance.now() - started;
      const burstStarted = performance.now();
      const burst = await Promise.all(range(50).map((i) => settle(send(`burst-${i}`))));
      const burstMs = performance.now() - burstStarted;
      for (const error of [single, ...burst]) {
        expect(error).toBeInstanceOf(KafkaError);
        expect(error).toMatchObject({ status: 503, retriable: true });
        expect(['KAFKA_UNAVAILABLE', 'PRODUCE_TIMEOUT']).toContain((error as KafkaError).code);
      }
      expect(singleMs).toBeLessThan(TIMEOUT_MS + 1000);
      expect(burstMs).toBeLessThan(TIMEOUT_MS + 1000);
      await until(() => reader.state() === 'disconnected');
      // A view keeps its state: nothing was taken back, positions stand.
      expect(records).toHaveLength(30);

      // A send with a longer timeout, made while the broker is down, goes through once it is back.
      const patient = client
        .producer({ timeoutMs: 30_000 })
        .send({ topic, key: 'p', value: 'patient' });

      broker = await startBroker({ port, dataDir });
      const back = performance.now();
      for (;;) {
        const error = await settle(send('after-0'));
        if (error === undefined) break;
        expect(error).toMatchObject({ status: 503 });
      }
      const producerRecoveryMs = performance.now() - back;
      await patient;
      sent.push('patient');
      await until(() => records.some((record) => text(record) === 'after-0'));
      const readerRecoveryMs = performance.now() - back;
      await Promise.all(range(1, 20).map((i) => send(`after-${i}`)));
      await until(() => records.length >= sent.length);
      await sleep(300);

      // Each record that was written arrived exactly once; nothing that failed was written.
      expect(records.map(text).sort()).toEqual([...sent].sort());
      expect(states).toEqual(['connected', 'disconnected', 'connected']);
      console.log(
        `outage: a send failed after ${singleMs.toFixed(0)} ms (timeoutMs ${TIMEOUT_MS}), ` +
          `50 sends after ${burstMs.toFixed(0)} ms; after the broker was back (ready in ` +
          `${broker.readyMs} ms) the producer wrote again in ${producerRecoveryMs.toFixed(0)} ms ` +
          `and the reader delivered in ${readerRecoveryMs.toFixed(0)} ms; ` +
          `producer ${JSON.stringify(producer.stats())}`,
      );
    } finally {
      await client.close();
      await broker?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a broker that accepts connections and never answers', () => {
  it('fails sends with a 503 within the timeout, and lets readers and the client stop promptly', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const client = createKafkaClient({
      brokers: [`127.0.0.1:${address.port}`],
      clientId: 'specgate-silent-broker',
      requestTimeoutMs: 30_000,
    });
    try {
      const producer = client.producer({ timeoutMs: 1000 });
      const started = performance.now();
      const error = await settle(producer.send({ topic: 'silent', key: 'k', value: 'v' }));
      const failedMs = performance.now() - started;
      expect(error).toMatchObject({ status: 503, retriable: true });
      expect(failedMs).toBeLessThan(2000);

      const reader = client.reader('silent', { onRecords: () => undefined });
      await sleep(300);
      const stopping = performance.now();
      await reader.stop();
      const stopMs = performance.now() - stopping;
      await expect(reader.caughtUp).rejects.toMatchObject({ code: 'CLOSED' });
      const closing = performance.now();
      await client.close();
      const closeMs = performance.now() - closing;
      console.log(
        `silent broker: send failed after ${failedMs.toFixed(0)} ms (timeoutMs 1000), ` +
          `reader stop() ${stopMs.toFixed(0)} ms, client close() ${closeMs.toFixed(0)} ms`,
      );
      expect(stopMs).toBeLessThan(1500);
      expect(closeMs).toBeLessThan(2500);
    } finally {
      await client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** undefined when the promise resolves, else what it rejected with. */
async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}

function text(record: KafkaRecord): string | undefined {
  return record.value?.toString();
}

function range(from: number, to?: number): number[] {
  const [start, end] = to === undefined ? [0, from] : [from, to];
  return Array.from({ length: end - start }, (_, i) => start + i);
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
