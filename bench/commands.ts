/**
 * B1 — one-way command: `POST /events` (256-byte JSON) → produce (acks=all, 6 partitions) →
 * `202` once the broker has it, through the gateway `specgate generate` writes from bench/specs.
 *
 * Baselines in the same run: (a) bare Fastify answering the same POST with 202, no Kafka;
 * (b) a raw kafkajs producer loop writing the same records; (c) the Strimzi Kafka Bridge's
 * `POST /topics/bench-events` with one record per request (`{"records":[{"value":<the 256-byte
 * JSON>}]}`, acks=all, the bridge's defaults otherwise; bench/lib/bridge.ts). When the bridge
 * cannot be fetched or started, the run says why and measures the rest.
 *
 * Per repetition (3, alternating): (a) closed loop, the gateway closed loop, the gateway open loop
 * at half of (a)'s rate (autocannon `overallRate`, corrected for coordinated omission), (b), (c)
 * closed loop. Servers run pinned to core 0, the load generator to core 1 (the broker floats).
 * Reports medians, CPU time per request (for (c): the JVM's, from the start of the load until it
 * is idle again, so closing its per-connection producers counts), and produce requests per HTTP
 * request (the batching).
 *
 * Goals (issue 8): gateway ≥ 0.5× (a) in req/s at p99 ≤ 10 ms; ≤ 0.1 produce requests per HTTP
 * request at saturation; gateway ≥ 2× (c) in req/s (closed loop).
 */
import { loadavg } from 'node:os';
import { startServerChild, type ServerChild } from './lib/child.ts';
import { genDir } from './lib/generate.ts';
import { withBenchGateway } from './lib/setup.ts';
import { fixed, load, median, payload256, type LoadResult } from './lib/load.ts';
import {
  BRIDGE_ARTIFACT,
  BRIDGE_JSON,
  bridgeBody,
  ensureBridgeJars,
  produceOnce,
  startBridge,
  type Bridge,
} from './lib/bridge.ts';
import { createKafkaClient } from '../runtime/kafka/index.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? '8');
const repetitions = Number(process.env.BENCH_REPETITIONS ?? '3');
const connections = Number(process.env.BENCH_CONNECTIONS ?? '256');
const body = payload256('bench-event');
const topic = 'bench-events';

interface Sample {
  readonly result: LoadResult;
  readonly cpuMsPerRequest: number;
}

async function measure(
  server: ServerChild,
  path: string,
  rate?: number,
): Promise<Sample & { readonly produceRequests?: number; readonly records?: number }> {
  const before = server.cpuSeconds();
  const statsBefore = await server.ask({ type: 'stats' }, 'stats');
  const result = await load({
    url: `${server.url}${path}`,
    method: 'POST',
    body,
    seconds,
    connections,
    ...(rate === undefined ? {} : { rate }),
  });
  const cpu = server.cpuSeconds() - before;
  const statsAfter = await server.ask({ type: 'stats' }, 'stats');
  const producer = (stats: Record<string, unknown>) =>
    (stats.producer ?? {}) as { produceRequests?: number; records?: number };
  const requests =
    (producer(statsAfter).produceRequests ?? 0) - (producer(statsBefore).produceRequests ?? 0);
  const records = (producer(statsAfter).records ?? 0) - (producer(statsBefore).records ?? 0);
  return {
    result,
    cpuMsPerRequest: (cpu * 1000) / Math.max(1, result.total),
    produceRequests: requests,
    records,
  };
}

interface BridgeSample extends Sample {
  /** Records the topic gained during the measure (≥ the 200 answers when none failed). */
  readonly written: number;
}

/** The records `topic` holds now, all partitions. */
async function topicRecords(brokers: readonly string[]): Promise<number> {
  const kafka = createKafkaClient({ brokers, clientId: 'bench-count', logLevel: 'nothing' });
  try {
    const ends = await kafka.admin.highWatermarks(topic);
    return Object.values(ends).reduce((sum, end) => sum + Number(end), 0);
  } finally {
    await kafka.close();
  }
}

/** (c) closed loop; CPU until the JVM is idle again (it closes one producer per connection). */
async function measureBridge(bridge: Bridge, brokers: readonly string[]): Promise<BridgeSample> {
  const recordsBefore = await topicRecords(brokers);
  const before = bridge.cpuSeconds();
  const result = await load({
    url: `${bridge.url}/topics/${topic}`,
    method: 'POST',
    body: bridgeBody(body),
    headers: { 'content-type': BRIDGE_JSON },
    seconds,
    connections,
  });
  await bridge.settle();
  const cpu = bridge.cpuSeconds() - before;
  const written = (await topicRecords(brokers)) - recordsBefore;
  return { result, cpuMsPerRequest: (cpu * 1000) / Math.max(1, result.total), written };
}

/** Fetches and starts baseline (c); says why not when it cannot. */
async function openBridge(
  brokers: readonly string[],
): Promise<{ readonly bridge?: Bridge; readonly skipped?: string }> {
  let bridge: Bridge | undefined;
  try {
    const jars = await ensureBridgeJars();
    console.log(
      `(c) ${BRIDGE_ARTIFACT}: ${jars.jars} jars, ${fixed(jars.bytes / 2 ** 20)} MiB, ` +
        (jars.fetchedMs === undefined ? 'cached' : `fetched with Maven in ${jars.fetchedMs} ms`),
    );
    bridge = await startBridge({ libs: jars.libs, brokers, core: 0 });
    const first = await produceOnce(bridge, topic, body);
    console.log(
      `(c) ready in ${bridge.readyMs} ms at ${bridge.url}; a probe record went to ` +
        `partition ${first.partition} offset ${first.offset}`,
    );
    return { bridge };
  } catch (error) {
    await bridge?.stop();
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}

/** The machine's 1-minute load average: on 2 cores, anything else running moves the figures. */
const load1 = (): string => fixed(loadavg()[0] ?? Number.NaN, 2);

async function main(): Promise<void> {
  console.log(`load average (1 min) at start: ${load1()}`);
  await withBenchGateway(async (broker) => {
    const env = { KAFKA_BROKERS: broker.brokers.join(','), GEN_DIR: genDir };
    const bare = await startServerChild(new URL('./servers/bare-fastify.ts', import.meta.url), {
      core: 0,
    });
    const gateway = await startServerChild(new URL('./servers/gateway.ts', import.meta.url), {
      core: 0,
      env,
    });
    const raw = await startServerChild(new URL('./servers/raw-producer.ts', import.meta.url), {
      core: 0,
      env: { ...env, TOPIC: topic, PAYLOAD: body },
    });
    const opened = await openBridge(broker.brokers);
    let bridge = opened.bridge;
    let bridgeSkipped = opened.skipped;
    if (bridgeSkipped !== undefined) console.log(`(c) not measured: ${bridgeSkipped}`);
    try {
      // Warm-up: JIT, connections, producer ids.
      await load({ url: `${bare.url}/events`, method: 'POST', body, seconds: 2, connections });
      await load({ url: `${gateway.url}/events`, method: 'POST', body, seconds: 3, connections });
      if (bridge !== undefined) {
        await load({
          url: `${bridge.url}/topics/${topic}`,
          method: 'POST',
          body: bridgeBody(body),
          headers: { 'content-type': BRIDGE_JSON },
          seconds: 3,
          connections,
        });
        await bridge.settle();
      }

      const a: Sample[] = [];
      const closed: (Sample & { produceRequests?: number; records?: number })[] = [];
      const open: Sample[] = [];
      const rawRates: number[] = [];
      const rawCpu: number[] = [];
      const c: BridgeSample[] = [];
      for (let rep = 1; rep <= repetitions; rep++) {
        a.push(await measure(bare, '/events'));
        const gw = await measure(gateway, '/events');
        closed.push(gw);
        const rate = Math.round(median(a.map((s) => s.result.requestsPerSecond)) / 2);
        open.push(await measure(gateway, '/events', rate));
        const cpuBefore = raw.cpuSeconds();
        const run = await raw.ask({ type: 'run', seconds, concurrency: connections }, 'result');
        const records = Number(run.records);
        rawRates.push(records / Number(run.seconds));
        rawCpu.push(((raw.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, records));
        let cLine = '';
        if (bridge !== undefined) {
          try {
            const sample = await measureBridge(bridge, broker.brokers);
            c.push(sample);
            cLine =
              `; (c) ${fixed(sample.result.requestsPerSecond, 0)} req/s ` +
              `(${sample.result.statuses['200'] ?? 0} answered 200, ${sample.written} records written)`;
          } catch (error) {
            bridgeSkipped = `failed in repetition ${rep}: ${error instanceof Error ? error.message : String(error)}`;
            console.log(`(c) not measured: ${bridgeSkipped}`);
            await bridge.stop();
            bridge = undefined;
          }
        }
        console.log(
          `rep ${rep}: (a) ${fixed(a.at(-1)?.result.requestsPerSecond ?? 0, 0)} req/s; ` +
            `gateway ${fixed(gw.result.requestsPerSecond, 0)} req/s closed, ` +
            `open @${rate}/s p99 ${fixed(open.at(-1)?.result.p99Ms ?? 0)} ms; ` +
            `(b) ${fixed(rawRates.at(-1) ?? 0, 0)} records/s${cLine}`,
        );
      }
      // A failed repetition leaves (c) unmeasured: medians over fewer runs would not compare.
      const cMeasured = bridgeSkipped === undefined && c.length === repetitions;

      const med = (samples: readonly Sample[], pick: (s: Sample) => number) =>
        median(samples.map(pick));
      const aRps = med(a, (s) => s.result.requestsPerSecond);
      const gRps = med(closed, (s) => s.result.requestsPerSecond);
      const openRate = med(open, (s) => s.result.requestsPerSecond);
      const openP50 = med(open, (s) => s.result.p50Ms);
      const openP99 = med(open, (s) => s.result.p99Ms);
      const batching = median(
        closed.map((s) => (s.produceRequests ?? 0) / Math.max(1, s.records ?? 0)),
      );
      const failures = [...a, ...closed, ...open, ...c].reduce(
        (n, s) => n + s.result.non2xx + s.result.errors,
        0,
      );
      const cRps = cMeasured ? med(c, (s) => s.result.requestsPerSecond) : Number.NaN;
      // The bridge answers 200 even when a record failed (the error is in its `offsets`), so its
      // records are counted on the topic: fewer written than answered means some failed.
      const cAnswered = c.reduce((n, s) => n + (s.result.statuses['200'] ?? 0), 0);
      const cWritten = c.reduce((n, s) => n + s.written, 0);
      const cell = (text: string): string => (cMeasured ? text : 'not measured');
      console.log('');
      console.log(
        '| measure | (a) bare Fastify | gateway | (b) raw producer | (c) Strimzi Kafka Bridge |',
      );
      console.log('|---|---|---|---|---|');
      console.log(
        `| closed loop, ${connections} connections | ${fixed(aRps, 0)} req/s | ${fixed(gRps, 0)} req/s | ${fixed(median(rawRates), 0)} records/s | ${cell(`${fixed(cRps, 0)} req/s`)} |`,
      );
      console.log(
        `| closed loop p50 / p99 | ${fixed(med(a, (s) => s.result.p50Ms))} / ${fixed(med(a, (s) => s.result.p99Ms))} ms | ${fixed(med(closed, (s) => s.result.p50Ms))} / ${fixed(med(closed, (s) => s.result.p99Ms))} ms | — | ${cell(`${fixed(med(c, (s) => s.result.p50Ms))} / ${fixed(med(c, (s) => s.result.p99Ms))} ms`)} |`,
      );
      console.log(
        `| CPU per request | ${fixed(
          med(a, (s) => s.cpuMsPerRequest),
          3,
        )} ms | ${fixed(
          med(closed, (s) => s.cpuMsPerRequest),
          3,
        )} ms | ${fixed(median(rawCpu), 3)} ms | ${cell(
          `${fixed(
            med(c, (s) => s.cpuMsPerRequest),
            3,
          )} ms`,
        )} |`,
      );
      console.log(
        `| open loop at ${fixed(aRps / 2, 0)}/s (½ of a) | — | ${fixed(openRate, 0)} req/s, p50 ${fixed(openP50)} ms, p99 ${fixed(openP99)} ms | — | — |`,
      );
      console.log(
        `| produce requests per HTTP request (closed loop) | — | ${fixed(batching, 3)} | — | — |`,
      );
      console.log('');
      console.log(`non-2xx or errors: ${failures}; load average (1 min) at the end: ${load1()}`);
      if (c.length > 0) {
        console.log(
          `(c) records written / answered 200: ${cWritten} / ${cAnswered}` +
            (cWritten >= cAnswered ? '' : ' — some records FAILED'),
        );
      }
      if (!cMeasured) console.log(`(c) not measured: ${bridgeSkipped ?? 'no repetition finished'}`);
      const cVerdict = !cMeasured
        ? 'not measured'
        : cWritten < cAnswered
          ? 'unsure ((c) had failed records)'
          : gRps >= 2 * cRps
            ? 'met'
            : 'NOT met';
      console.log(
        `goal ≥ 0.5× (a) at p99 ≤ 10 ms: ${openP99 <= 10 && openRate >= 0.5 * aRps * 0.97 ? 'met' : 'NOT met'}; ` +
          `goal ≤ 0.1 produce requests per request: ${batching <= 0.1 ? 'met' : 'NOT met'}; ` +
          `goal ≥ 2× (c): ${cVerdict}`,
      );
      console.log(
        `ratio gateway / (a) closed-loop req/s: ${fixed(gRps / aRps, 2)}; gateway / (b): ${fixed(gRps / median(rawRates), 2)}; ` +
          `gateway / (c): ${cMeasured ? fixed(gRps / cRps, 2) : 'not measured'}`,
      );
    } finally {
      await Promise.all([bare.stop(), gateway.stop(), raw.stop(), bridge?.stop()]);
    }
  });
}

await main();
