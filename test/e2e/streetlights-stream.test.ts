/**
 * A live stream of an event topic end to end (design §6): the gateway generated from the
 * streetlights fixture streams `smartylighting.streetlights.1.0.event.{streetlightId}.lighting.
 * measured`, the address filled from the path. No state: only records written after the client
 * connected, each with an id it can resume from.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import type { KafkaClient, KafkaProducer } from '../../runtime/kafka/types.ts';
import { SseClient } from '../../runtime/gateway/streams/test-sse-client.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { generateGateway, startGenerated, testKafka } from './support.ts';

const fixture = 'test/golden/gateway/fixtures/streetlights';
const light = `L-${randomUUID().slice(0, 8)}`;
const topic = `smartylighting.streetlights.1.0.event.${light}.lighting.measured`;

let kafka: KafkaClient;
let producer: KafkaProducer;
let gateway: { gateway: Gateway; url: string };
const clients: SseClient[] = [];

beforeAll(async () => {
  const brokers = kafkaBrokers();
  kafka = testKafka(brokers);
  await kafka.admin.ensureTopics([{ topic, partitions: 3 }]);
  producer = kafka.producer();
  const out = await generateGateway(
    'streetlights',
    `${fixture}/openapi.yaml`,
    `${fixture}/asyncapi.yaml`,
  );
  gateway = await startGenerated(out, { brokers });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await gateway?.gateway.close();
  await producer?.close();
  await kafka?.close();
});

async function measure(lumens: number): Promise<void> {
  await producer.send({
    topic,
    key: light,
    value: JSON.stringify({ lumens, sentAt: new Date().toISOString() }),
  });
}

async function connect(headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await SseClient.connect(
    `${gateway.url}/streetlights/${light}/lighting/measured`,
    headers,
  );
  clients.push(client);
  return client;
}

describe('GET /streetlights/{streetlightId}/lighting/measured', () => {
  it('streams the records written after it connected, and resumes after a reconnect', async () => {
    await measure(1);
    const client = await connect();
    expect(client.response.status).toBe(200);
    expect(await client.next()).toMatchObject({ type: 'retry' });
    // The reader starts where the topic ended when the headers went out: the record above is
    // never sent, and every record written from now on is.
    await measure(2);
    await measure(3);
    const live = await client.events(2);
    expect(live.map((event) => (JSON.parse(event.data) as { lumens: number }).lumens)).toEqual([
      2, 3,
    ]);
    const lastId = client.lastEventId;
    client.close();

    await measure(4);
    await measure(5);
    const resumed = await connect({ 'last-event-id': lastId });
    const missed = await resumed.events(2);
    expect(missed.map((event) => (JSON.parse(event.data) as { lumens: number }).lumens)).toEqual([
      4, 5,
    ]);
    expect(await resumed.eventsWithin(500)).toEqual([]);
  });
});
