// Readiness checks for a freshly started broker (docs/kafka.md, "Start a broker", step 5).
import { Kafka, logLevel, type RetryOptions } from 'kafkajs';

/** Resolves when `describeCluster()` lists the broker on `port`; one attempt, no retries. */
export async function describeCluster(port: number): Promise<void> {
  const admin = readinessClient(port, { retries: 0 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.some((broker) => broker.port === port)) {
      throw new Error(`describeCluster() lists no broker on port ${port}`);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Makes the broker create and load its internal topics now (__consumer_offsets through a group
 * coordinator lookup, __transaction_state through a transactional producer's InitProducerId).
 * Otherwise the first test to use a group or a transaction waits for them, and can exhaust the
 * short retry budget tests use.
 */
export async function warmUpCoordinators(port: number): Promise<void> {
  const kafka = readinessClient(port, { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 });
  const admin = kafka.admin();
  const producer = kafka.producer({
    transactionalId: 'specgate-broker-warm-up',
    idempotent: true,
    maxInFlightRequests: 1,
  });
  try {
    await admin.connect();
    await admin.fetchOffsets({ groupId: 'specgate-broker-warm-up' });
    await producer.connect();
  } finally {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  }
}

function readinessClient(port: number, retry: RetryOptions): Kafka {
  return new Kafka({
    clientId: 'specgate-broker-ready',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry,
  });
}
