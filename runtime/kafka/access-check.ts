/**
 * Whether the brokers let this client in: the start-up check behind the gateway's and the
 * service's `ready`. An outage is waited out (the broker may come), as everywhere in
 * runtime/kafka; a refusal is not, since retrying with the same settings cannot help:
 *
 * - the broker rejected the SASL login (wrong user, password or mechanism), or the listener
 *   takes no SASL;
 * - the TLS handshake failed (a certificate the client does not trust, a name that does not
 *   match, a client certificate the broker wants);
 * - the broker accepts TCP connections but keeps closing them before it answers: the listener
 *   speaks TLS or SASL and the client does not, or the reverse. Kafka just hangs up on a
 *   client that speaks the wrong protocol; it is taken as a refusal once it has happened
 *   {@link CLOSED_IN_A_ROW} times in a row while a plain TCP connect to the same broker works.
 */
import { connect } from 'node:net';
import { ClusterConnection, type ResolvedConfig } from './connection.ts';
import { KafkaError } from './errors.ts';
import { causes, describeSettings, refusalOf, stringProperty } from './refusal.ts';
import { Aborted, abortable, Backoff, sleep } from './wait.ts';

/** Closed handshakes in a row with the broker reachable over TCP that mean a refusal. */
export const CLOSED_IN_A_ROW = 3;

/**
 * Socket codes of a connection the other side reset. Timeouts are not hang-ups: a broker whose
 * JVM stalls still has its TCP connections accepted by the kernel, and then answers nothing.
 */
const hangUpCodes = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Resolves once a broker has accepted the client's TLS and SASL settings and answered a
 * metadata request. Rejects with a `NOT_AUTHORIZED` KafkaError saying what was refused, or with
 * `CLOSED` when `signal` fires first. While no broker answers, it keeps trying.
 */
export async function checkAccess(config: ResolvedConfig, signal: AbortSignal): Promise<void> {
  const backoff = new Backoff(200, 2000);
  let closedInARow = 0;
  for (;;) {
    const connection = new ClusterConnection(config, { requestTimeoutMs: config.requestTimeoutMs });
    try {
      const cluster = await abortable(connection.get(), signal);
      await abortable(cluster.refreshMetadata(), signal);
      return;
    } catch (error) {
      if (error instanceof Aborted) throw stopped();
      const refusal = refusalOf(error, config);
      if (refusal !== undefined) throw refusal;
      const broker = await closedBy(error, config.connectionTimeoutMs);
      closedInARow = broker === undefined ? 0 : closedInARow + 1;
      if (broker !== undefined && closedInARow >= CLOSED_IN_A_ROW) {
        throw new KafkaError(
          'NOT_AUTHORIZED',
          `Kafka authentication failed: ${broker} accepts connections but closed ${closedInARow} in a row before answering (${describeSettings(config)}). Its listener most likely expects TLS or SASL that this client does not use, or the reverse: check KAFKA_SSL and KAFKA_SASL_MECHANISM against the listener`,
          { cause: error },
        );
      }
    } finally {
      await connection.close(0);
    }
    await sleep(backoff.next(), signal).catch(() => {
      throw stopped();
    });
  }
}

function stopped(): KafkaError {
  return new KafkaError('CLOSED', 'The Kafka client closed before a broker let it in');
}

/**
 * `host:port` of the broker when the error is a connection the broker closed (or reset) while
 * a plain TCP connect to it still succeeds; undefined for anything else.
 */
async function closedBy(error: unknown, timeoutMs: number): Promise<string | undefined> {
  const chain = causes(error);
  const hungUp = chain.some(
    (current) =>
      current.name === 'KafkaJSConnectionClosedError' ||
      hangUpCodes.has(stringProperty(current, 'code') ?? ''),
  );
  if (!hungUp) return undefined;
  let broker: string | undefined;
  for (const current of chain) {
    const host = stringProperty(current, 'host');
    const port = Reflect.get(current, 'port');
    broker ??=
      stringProperty(current, 'broker') ??
      (host !== undefined && typeof port === 'number' ? `${host}:${port}` : undefined);
  }
  if (broker === undefined) return undefined;
  return (await acceptsTcp(broker, timeoutMs)) ? broker : undefined;
}

/** Whether `host:port` accepts a TCP connection within `timeoutMs` (also the broker script's check). */
export function acceptsTcp(broker: string, timeoutMs: number): Promise<boolean> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(broker.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
