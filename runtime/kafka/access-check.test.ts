// The start-up access check against stand-ins for a broker: one that hangs up on every client
// (as Kafka does on a client speaking the wrong protocol) and one that is not there at all.
// test/e2e/secure-kafka.test.ts runs the same check against a real SASL_SSL listener.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freeLoopbackPorts } from '../../scripts/kafka/ports.ts';
import { CLOSED_IN_A_ROW } from './access-check.ts';
import { checkKafkaAccess, isKafkaError } from './index.ts';

const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** A TCP server that closes every connection once it has read something, or never answers. */
async function fakeBroker(
  behaviour: 'hang up' | 'stall' = 'hang up',
): Promise<{ address: string; accepted: () => number }> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (behaviour === 'hang up') socket.once('data', () => socket.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { address: `127.0.0.1:${address.port}`, accepted: () => accepted };
}

describe('checkKafkaAccess', () => {
  it('gives up on a broker that accepts connections and keeps closing them', async () => {
    const { address, accepted } = await fakeBroker();
    const started = Date.now();
    const error: unknown = await checkKafkaAccess(
      { brokers: [address], logLevel: 'nothing' },
      new AbortController().signal,
    ).catch((e: unknown) => e);
    expect(isKafkaError(error) && error.code).toBe('NOT_AUTHORIZED');
    expect(error instanceof Error && error.message).toContain(
      `${address} accepts connections but closed ${CLOSED_IN_A_ROW} in a row before answering (no TLS, no SASL)`,
    );
    expect(accepted()).toBeGreaterThanOrEqual(CLOSED_IN_A_ROW);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  // The kernel accepts TCP connections for a broker whose JVM has stalled: that is an outage.
  it.each([{ ssl: false }, { ssl: true }])(
    'waits for a broker that accepts connections and answers nothing (ssl: $ssl)',
    async ({ ssl }) => {
      const { address, accepted } = await fakeBroker('stall');
      const stop = new AbortController();
      const checking = checkKafkaAccess(
        {
          brokers: [address],
          ssl,
          logLevel: 'nothing',
          connectionTimeoutMs: 200,
          requestTimeoutMs: 200,
        },
        stop.signal,
      );
      checking.catch(() => undefined);
      const outcome = await Promise.race([
        checking.then(
          () => 'resolved',
          (error: unknown) => (error instanceof Error ? error.message : 'rejected'),
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000)),
      ]);
      expect(outcome).toBe('still waiting');
      expect(accepted()).toBeGreaterThanOrEqual(CLOSED_IN_A_ROW);
      stop.abort();
      await expect(checking).rejects.toMatchObject({ code: 'CLOSED' });
    },
  );

  it('waits while nothing listens (an outage), until it is stopped', async () => {
    const [port] = await freeLoopbackPorts(1);
    const stop = new AbortController();
    let settled = false;
    const checking = checkKafkaAccess(
      { brokers: [`127.0.0.1:${port ?? 0}`], logLevel: 'nothing' },
      stop.signal,
    ).finally(() => {
      settled = true;
    });
    checking.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(settled).toBe(false);
    stop.abort();
    const error: unknown = await checking.catch((e: unknown) => e);
    expect(isKafkaError(error) && error.code).toBe('CLOSED');
  });
});
