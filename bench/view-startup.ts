/**
 * B4 — view start-up: the gateway's materialized view of a compacted topic of 1 000 000
 * records over 100 000 keys (256-byte JSON values, 6 partitions, 10 versions of each key),
 * loaded from the start until caught up, in a fresh process each time.
 *
 * Baseline in the same run: the same reader with no state (a raw consume loop of the same
 * client: it counts records, keeps nothing). And the native anchor, reported, not a goal:
 * `kcat` (librdkafka; Debian's `kcat` package) reading the topic from the start to its end into
 * nothing, when it is installed.
 *
 * 3 alternating repetitions, medians; each run in its own process pinned to core 0 (the broker
 * floats). Reports records/s and the process's peak RSS.
 *
 * Goals (issue 8): ≥ 0.8× the raw loop in records/s; peak RSS ≤ 1.5× the live data + 60 MB.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '../runtime/kafka/index.ts';
import { benchBroker, ensureTopics } from './lib/broker.ts';
import { canPin, pinSelf } from './lib/child.ts';
import { fixed, median } from './lib/load.ts';

const keys = Number(process.env.BENCH_KEYS ?? '100000');
const versions = Number(process.env.BENCH_VERSIONS ?? '10');
const repetitions = Number(process.env.BENCH_REPETITIONS ?? '3');
const topic = 'bench-view';
const valueBytes = 256;

function value(key: number, version: number): string {
  const head = JSON.stringify({ id: `k${key}`, version, data: '' });
  return JSON.stringify({ id: `k${key}`, version, data: 'x'.repeat(valueBytes - head.length) });
}

async function fill(brokers: readonly string[]): Promise<number> {
  const kafka = createKafkaClient({ brokers, clientId: 'bench-view-fill', logLevel: 'nothing' });
  try {
    const ends = await kafka.admin.highWatermarks(topic);
    const held = Object.values(ends).reduce((sum, end) => sum + Number(end), 0);
    const total = keys * versions;
    if (held >= total) return held;
    const producer = kafka.producer({ maxQueuedRecords: 100_000 });
    const started = performance.now();
    for (let version = 1; version <= versions; version++) {
      for (let from = 0; from < keys; from += 20_000) {
        const sends: Promise<unknown>[] = [];
        for (let key = from; key < Math.min(keys, from + 20_000); key++) {
          sends.push(producer.send({ topic, key: `k${key}`, value: value(key, version) }));
        }
        await Promise.all(sends);
      }
    }
    console.log(`wrote ${total} records in ${fixed((performance.now() - started) / 1000)} s`);
    return total;
  } finally {
    await kafka.close();
  }
}

interface LoadRun {
  readonly seconds: number;
  readonly keys: number;
  readonly maxRssBytes: number;
  readonly idleRssBytes: number;
}

async function loadOnce(mode: 'view' | 'raw', brokers: readonly string[]): Promise<LoadRun> {
  const script = fileURLToPath(new URL('./servers/view-load.ts', import.meta.url));
  const node = [process.execPath, '--import', 'tsx', script];
  const [command, ...args] = canPin ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(command ?? process.execPath, args, {
    env: { ...process.env, MODE: mode, TOPIC: topic, KAFKA_BROKERS: brokers.join(',') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await once(child, 'message')) as [LoadRun];
  await once(child, 'exit');
  return message;
}

/** kcat reading the whole topic (read_committed, to the end, records discarded): seconds. */
function kcatOnce(brokers: readonly string[]): number | undefined {
  const command = [
    'kcat',
    '-C',
    '-b',
    brokers.join(','),
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-X',
    'isolation.level=read_committed',
    '-f',
    '.',
  ];
  const [file, ...args] = canPin ? ['taskset', '-c', '0', ...command] : command;
  const started = performance.now();
  const run = spawnSync(file ?? 'kcat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.error !== undefined || run.status !== 0) return undefined;
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  console.log(`runs ${canPin ? 'pinned to core 0' : 'not pinned'}; ${pinSelf(1)} (parent)`);
  const broker = await benchBroker();
  console.log(broker.description);
  try {
    await ensureTopics(broker.brokers, [
      { topic, partitions: 6, replicationFactor: 1, compacted: true },
    ]);
    const records = await fill(broker.brokers);
    // Warm-up: the broker's page cache and JIT.
    await loadOnce('raw', broker.brokers);
    const view: LoadRun[] = [];
    const raw: LoadRun[] = [];
    for (let rep = 1; rep <= repetitions; rep++) {
      raw.push(await loadOnce('raw', broker.brokers));
      view.push(await loadOnce('view', broker.brokers));
      console.log(
        `rep ${rep}: raw ${fixed(records / (raw.at(-1)?.seconds ?? 1), 0)} records/s, ` +
          `view ${fixed(records / (view.at(-1)?.seconds ?? 1), 0)} records/s ` +
          `(${view.at(-1)?.keys ?? 0} keys), peak RSS view ${fixed((view.at(-1)?.maxRssBytes ?? 0) / 2 ** 20, 0)} MiB`,
      );
    }
    const rawRate = records / median(raw.map((r) => r.seconds));
    const viewRate = records / median(view.map((r) => r.seconds));
    const viewRss = median(view.map((r) => r.maxRssBytes)) / 2 ** 20;
    const rawRss = median(raw.map((r) => r.maxRssBytes)) / 2 ** 20;
    const liveMiB = (keys * (valueBytes + `k${keys}`.length)) / 2 ** 20;
    const budget = 1.5 * liveMiB + 60;
    console.log('');
    const grown = (runs: readonly LoadRun[]) =>
      median(runs.map((r) => r.maxRssBytes - r.idleRssBytes)) / 2 ** 20;
    const idle = (runs: readonly LoadRun[]) => median(runs.map((r) => r.idleRssBytes)) / 2 ** 20;
    console.log(
      `| ${records} records, ${keys} keys | records/s | time | peak RSS | RSS before reading | peak − before |`,
    );
    console.log('|---|---|---|---|---|---|');
    console.log(
      `| raw consume loop (baseline) | ${fixed(rawRate, 0)} | ${fixed(median(raw.map((r) => r.seconds)), 2)} s | ${fixed(rawRss, 0)} MiB | ${fixed(idle(raw), 0)} MiB | ${fixed(grown(raw), 0)} MiB |`,
    );
    console.log(
      `| gateway view | ${fixed(viewRate, 0)} | ${fixed(median(view.map((r) => r.seconds)), 2)} s | ${fixed(viewRss, 0)} MiB | ${fixed(idle(view), 0)} MiB | ${fixed(grown(view), 0)} MiB |`,
    );
    console.log('');
    console.log(
      `live data ${fixed(liveMiB)} MiB (values + keys); RSS budget 1.5× + 60 MiB = ${fixed(budget)} MiB`,
    );
    console.log(
      `goal ≥ 0.8× raw: ${viewRate >= 0.8 * rawRate ? 'met' : 'NOT met'}; ` +
        `goal peak RSS ≤ budget: ${viewRss <= budget ? 'met' : 'NOT met'} ` +
        `(what the load adds, peak − before: ${grown(view) <= budget ? 'within' : 'over'} it)`,
    );
    const kcat: number[] = [];
    for (let rep = 1; rep <= repetitions; rep++) {
      const seconds = kcatOnce(broker.brokers);
      if (seconds !== undefined) kcat.push(seconds);
    }
    console.log(
      kcat.length === 0
        ? 'kcat (native anchor): not installed or failed (apt-get install kcat): not measured'
        : `kcat (native anchor, librdkafka): ${fixed(records / median(kcat), 0)} records/s ` +
            `(${fixed(median(kcat), 2)} s, medians of ${kcat.length}); raw loop / kcat ${fixed(rawRate / (records / median(kcat)), 2)}`,
    );
    console.log(`ratio view / raw records/s: ${fixed(viewRate / rawRate, 2)}`);
  } finally {
    await broker.stop();
  }
}

await main();
