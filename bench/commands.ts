/**
 * B1 — one-way command: `POST /events` (256-byte JSON) → produce (acks=all, 6 partitions) →
 * `202` once the broker has it, through the gateway `specgate generate` writes from bench/specs.
 *
 * Baselines in the same run: (a) bare Fastify answering the same POST with 202, no Kafka;
 * (b) a raw kafkajs producer loop writing the same records. (The Strimzi Kafka Bridge baseline
 * (c) is not measured yet.)
 *
 * Per repetition (3, alternating): (a) closed loop, the gateway closed loop, the gateway open loop
 * at half of (a)'s rate (autocannon `overallRate`, corrected for coordinated omission), (b).
 * Servers run pinned to core 0, the load generator to core 1 (the broker floats). Reports
 * medians, CPU time per request, and produce requests per HTTP request (the batching).
 *
 * Goals (issue 8): gateway ≥ 0.5× (a) in req/s at p99 ≤ 10 ms; ≤ 0.1 produce requests per HTTP
 * request at saturation.
 */
import { startServerChild, type ServerChild } from './lib/child.ts';
import { genDir } from './lib/generate.ts';
import { withBenchGateway } from './lib/setup.ts';
import { fixed, load, median, payload256, type LoadResult } from './lib/load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? '8');
const repetitions = Number(process.env.BENCH_REPETITIONS ?? '3');
const connections = Number(process.env.BENCH_CONNECTIONS ?? '256');
const body = payload256('bench-event');

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

async function main(): Promise<void> {
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
      env: { ...env, TOPIC: 'bench-events', PAYLOAD: body },
    });
    try {
      // Warm-up: JIT, connections, producer ids.
      await load({ url: `${bare.url}/events`, method: 'POST', body, seconds: 2, connections });
      await load({ url: `${gateway.url}/events`, method: 'POST', body, seconds: 3, connections });

      const a: Sample[] = [];
      const closed: (Sample & { produceRequests?: number; records?: number })[] = [];
      const open: Sample[] = [];
      const rawRates: number[] = [];
      const rawCpu: number[] = [];
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
        console.log(
          `rep ${rep}: (a) ${fixed(a.at(-1)?.result.requestsPerSecond ?? 0, 0)} req/s; ` +
            `gateway ${fixed(gw.result.requestsPerSecond, 0)} req/s closed, ` +
            `open @${rate}/s p99 ${fixed(open.at(-1)?.result.p99Ms ?? 0)} ms; ` +
            `(b) ${fixed(rawRates.at(-1) ?? 0, 0)} records/s`,
        );
      }

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
      const failures = [...a, ...closed, ...open].reduce(
        (n, s) => n + s.result.non2xx + s.result.errors,
        0,
      );
      console.log('');
      console.log('| measure | (a) bare Fastify | gateway | (b) raw producer |');
      console.log('|---|---|---|---|');
      console.log(
        `| closed loop, ${connections} connections | ${fixed(aRps, 0)} req/s | ${fixed(gRps, 0)} req/s | ${fixed(median(rawRates), 0)} records/s |`,
      );
      console.log(
        `| closed loop p50 / p99 | ${fixed(med(a, (s) => s.result.p50Ms))} / ${fixed(med(a, (s) => s.result.p99Ms))} ms | ${fixed(med(closed, (s) => s.result.p50Ms))} / ${fixed(med(closed, (s) => s.result.p99Ms))} ms | — |`,
      );
      console.log(
        `| CPU per request | ${fixed(
          med(a, (s) => s.cpuMsPerRequest),
          3,
        )} ms | ${fixed(
          med(closed, (s) => s.cpuMsPerRequest),
          3,
        )} ms | ${fixed(median(rawCpu), 3)} ms |`,
      );
      console.log(
        `| open loop at ${fixed(aRps / 2, 0)}/s (½ of a) | — | ${fixed(openRate, 0)} req/s, p50 ${fixed(openP50)} ms, p99 ${fixed(openP99)} ms | — |`,
      );
      console.log(
        `| produce requests per HTTP request (closed loop) | — | ${fixed(batching, 3)} | — |`,
      );
      console.log('');
      console.log(`non-2xx or errors: ${failures}`);
      console.log(
        `goal ≥ 0.5× (a) at p99 ≤ 10 ms: ${openP99 <= 10 && openRate >= 0.5 * aRps * 0.97 ? 'met' : 'NOT met'}; ` +
          `goal ≤ 0.1 produce requests per request: ${batching <= 0.1 ? 'met' : 'NOT met'}`,
      );
      console.log(
        `ratio gateway / (a) closed-loop req/s: ${fixed(gRps / aRps, 2)}; gateway / (b): ${fixed(gRps / median(rawRates), 2)}`,
      );
    } finally {
      await Promise.all([bare.stop(), gateway.stop(), raw.stop()]);
    }
  });
}

await main();
