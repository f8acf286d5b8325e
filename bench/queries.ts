/**
 * B3 — item queries: `GET /items/{id}` on the gateway's view of the compacted `bench-items`
 * topic (100k keys × 1 KB, 6 partitions), random ids, 10% with `If-None-Match` (→ 304).
 *
 * Baseline in the same run: bare Fastify serving the same precomputed bytes from a `Map`, with
 * ETags and 304s of its own.
 *
 * Per repetition (3, alternating), for each server: the mixed load closed loop (256 connections)
 * for its rate; the 304-only load closed loop; the mixed load open loop at half the baseline's
 * rate for p99. Servers on core 0, load on core 1, the broker floats (idle during the runs: the
 * view is in memory). Medians.
 *
 * Goals (issue 8): ≥ 0.9× the baseline in req/s; the 304 path ≥ 1.0×; p99 ≤ 2 ms at half of max.
 */
import { startServerChild, type ServerChild } from './lib/child.ts';
import { genDir } from './lib/generate.ts';
import { withBenchGateway } from './lib/setup.ts';
import { fillItems, itemId } from './lib/items.ts';
import { fixed, load, median, type LoadResult } from './lib/load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? '8');
const repetitions = Number(process.env.BENCH_REPETITIONS ?? '3');
const count = Number(process.env.BENCH_ITEMS ?? '100000');
const connections = 256;
/** Open loop: enough connections for the rate at ~1 ms each, few enough not to queue in the load generator. */
const openConnections = 32;
/** Items whose ETags the conditional requests send. */
const conditionalItems = 1000;

async function etagsOf(server: ServerChild): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for (let n = 0; n < conditionalItems; n++) {
    const id = itemId(Math.floor((n * count) / conditionalItems));
    const response = await fetch(`${server.url}/items/${id}`);
    await response.arrayBuffer();
    const etag = response.headers.get('etag');
    if (response.status !== 200 || etag === null) {
      throw new Error(`GET /items/${id} answered ${response.status} without an ETag`);
    }
    etags.set(id, etag);
  }
  return etags;
}

function picker(etags: ReadonlyMap<string, string>, conditionalShare: number) {
  const conditional = [...etags];
  return () => {
    if (Math.random() < conditionalShare) {
      const [id, etag] = conditional[Math.floor(Math.random() * conditional.length)] ?? ['', ''];
      return { path: `/items/${id}`, headers: { 'if-none-match': etag } };
    }
    return { path: `/items/${itemId(Math.floor(Math.random() * count))}` };
  };
}

interface Runs {
  mixed: LoadResult[];
  notModified: LoadResult[];
  open: LoadResult[];
  cpuMs: number[];
}

async function main(): Promise<void> {
  await withBenchGateway(async (broker) => {
    const filled = await fillItems(broker.brokers, 'bench-items', count);
    if (filled.written > 0) {
      console.log(`wrote ${filled.written} items of 1 KB in ${fixed(filled.seconds)} s`);
    }
    const env = {
      KAFKA_BROKERS: broker.brokers.join(','),
      GEN_DIR: genDir,
      ITEMS: String(count),
    };
    const started = performance.now();
    const gateway = await startServerChild(new URL('./servers/gateway.ts', import.meta.url), {
      core: 0,
      env,
    });
    console.log(
      `gateway ready (view of ${count} items loaded) in ${fixed((performance.now() - started) / 1000)} s`,
    );
    const bare = await startServerChild(new URL('./servers/bare-items.ts', import.meta.url), {
      core: 0,
      env,
    });
    try {
      const servers = { bare, gateway } as const;
      const pickers = {
        bare: { mixed: picker(await etagsOf(bare), 0.1), only304: picker(await etagsOf(bare), 1) },
        gateway: {
          mixed: picker(await etagsOf(gateway), 0.1),
          only304: picker(await etagsOf(gateway), 1),
        },
      };
      const runs: Record<'bare' | 'gateway', Runs> = {
        bare: { mixed: [], notModified: [], open: [], cpuMs: [] },
        gateway: { mixed: [], notModified: [], open: [], cpuMs: [] },
      };
      for (const name of ['bare', 'gateway'] as const) {
        await load({
          url: servers[name].url,
          method: 'GET',
          seconds: 3,
          connections,
          next: pickers[name].mixed,
        });
      }
      for (let rep = 1; rep <= repetitions; rep++) {
        for (const name of ['bare', 'gateway'] as const) {
          const server = servers[name];
          const cpuBefore = server.cpuSeconds();
          const mixed = await load({
            url: server.url,
            method: 'GET',
            seconds,
            connections,
            next: pickers[name].mixed,
          });
          runs[name].cpuMs.push(
            ((server.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, mixed.total),
          );
          runs[name].mixed.push(mixed);
          runs[name].notModified.push(
            await load({
              url: server.url,
              method: 'GET',
              seconds,
              connections,
              next: pickers[name].only304,
            }),
          );
        }
        const rate = Math.round(median(runs.bare.mixed.map((r) => r.requestsPerSecond)) / 2);
        for (const name of ['bare', 'gateway'] as const) {
          runs[name].open.push(
            await load({
              url: servers[name].url,
              method: 'GET',
              seconds,
              connections: openConnections,
              rate,
              next: pickers[name].mixed,
            }),
          );
        }
        console.log(
          `rep ${rep}: bare ${fixed(runs.bare.mixed.at(-1)?.requestsPerSecond ?? 0, 0)} req/s, ` +
            `gateway ${fixed(runs.gateway.mixed.at(-1)?.requestsPerSecond ?? 0, 0)} req/s (mixed); ` +
            `304 only: bare ${fixed(runs.bare.notModified.at(-1)?.requestsPerSecond ?? 0, 0)}, ` +
            `gateway ${fixed(runs.gateway.notModified.at(-1)?.requestsPerSecond ?? 0, 0)}`,
        );
      }
      const rps = (results: readonly LoadResult[]) =>
        median(results.map((r) => r.requestsPerSecond));
      const p = (results: readonly LoadResult[], pick: (r: LoadResult) => number) =>
        median(results.map(pick));
      const statuses = runs.gateway.mixed.at(-1)?.statuses ?? {};
      console.log('');
      console.log('| measure | bare Fastify + Map | gateway view |');
      console.log('|---|---|---|');
      console.log(
        `| mixed (10% 304), closed loop | ${fixed(rps(runs.bare.mixed), 0)} req/s | ${fixed(rps(runs.gateway.mixed), 0)} req/s |`,
      );
      console.log(
        `| 304 only, closed loop | ${fixed(rps(runs.bare.notModified), 0)} req/s | ${fixed(rps(runs.gateway.notModified), 0)} req/s |`,
      );
      console.log(
        `| mixed, open loop at ½ of bare | p50 ${fixed(p(runs.bare.open, (r) => r.p50Ms))} / p99 ${fixed(p(runs.bare.open, (r) => r.p99Ms))} ms | ` +
          `p50 ${fixed(p(runs.gateway.open, (r) => r.p50Ms))} / p99 ${fixed(p(runs.gateway.open, (r) => r.p99Ms))} ms |`,
      );
      console.log(
        `| CPU per request (mixed) | ${fixed(median(runs.bare.cpuMs), 3)} ms | ${fixed(median(runs.gateway.cpuMs), 3)} ms |`,
      );
      console.log('');
      console.log(`gateway answers in the last mixed run, by status: ${JSON.stringify(statuses)}`);
      const ratio = rps(runs.gateway.mixed) / rps(runs.bare.mixed);
      const ratio304 = rps(runs.gateway.notModified) / rps(runs.bare.notModified);
      const p99 = p(runs.gateway.open, (r) => r.p99Ms);
      console.log(
        `goal ≥ 0.9×: ${ratio >= 0.9 ? 'met' : 'NOT met'}; 304 path ≥ 1.0×: ${ratio304 >= 1 ? 'met' : 'NOT met'}; ` +
          `p99 ≤ 2 ms at ½ max: ${p99 <= 2 ? 'met' : 'NOT met'}`,
      );
      console.log(`ratio gateway / bare: mixed ${fixed(ratio, 2)}, 304 only ${fixed(ratio304, 2)}`);
    } finally {
      await Promise.all([bare.stop(), gateway.stop()]);
    }
  });
}

await main();
