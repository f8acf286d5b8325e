/** The B3/B4 data set: item n has id `item-<n>` and a 1 KB JSON value. */
import { createKafkaClient } from '../../runtime/kafka/index.ts';

export const itemBytes = 1024;

export function itemId(n: number): string {
  return `item-${String(n).padStart(6, '0')}`;
}

export function itemBody(n: number): string {
  const id = itemId(n);
  const head = JSON.stringify({ id, data: '' });
  return JSON.stringify({ id, data: 'x'.repeat(itemBytes - head.length) });
}

/** Writes `count` items to `topic` unless it holds that many records already. */
export async function fillItems(
  brokers: readonly string[],
  topic: string,
  count: number,
): Promise<{ readonly written: number; readonly seconds: number }> {
  const kafka = createKafkaClient({ brokers, clientId: 'bench-fill', logLevel: 'nothing' });
  try {
    const ends = await kafka.admin.highWatermarks(topic);
    const held = Object.values(ends).reduce((sum, end) => sum + Number(end), 0);
    if (held >= count) return { written: 0, seconds: 0 };
    const producer = kafka.producer({ maxQueuedRecords: 50_000 });
    const started = performance.now();
    for (let from = 0; from < count; from += 10_000) {
      const sends: Promise<unknown>[] = [];
      for (let n = from; n < Math.min(count, from + 10_000); n++) {
        sends.push(producer.send({ topic, key: itemId(n), value: itemBody(n) }));
      }
      await Promise.all(sends);
    }
    return { written: count, seconds: (performance.now() - started) / 1000 };
  } finally {
    await kafka.close();
  }
}
