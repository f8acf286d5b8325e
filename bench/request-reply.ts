/**
 * B2 — request-reply: `POST /echo` (256-byte JSON) → `bench-requests` → an echo responder →
 * `bench-replies` → `200` with the echoed body, through the gateway `specgate generate` writes
 * from bench/specs, at a fixed 1,000 requests/s (open loop, bench/lib/open-loop.ts).
 *
 * Baseline in the same run: the raw client round trip with no HTTP (produce, consume, produce,
 * consume) through the same responder, with the runtime's producer and reader, at the same rate
 * with the same open-loop timing: the floor the gateway adds HTTP to.
 *
 * 3 alternating repetitions, medians. The gateway and the baseline client run pinned to core 0,
 * the load generator to core 1; the responder and the broker float.
 *
 * Goals (issue 8): at 1,000 req/s, p50 ≤ 3 ms and ≤ floor + 1 ms; p99 ≤ 10 ms.
 */
import { startServerChild } from './lib/child.ts';
import { genDir } from './lib/generate.ts';
import { withBenchGateway } from './lib/setup.ts';
import { fixed, median, payload256 } from './lib/load.ts';
import { httpPoster, openLoop, type OpenLoopResult } from './lib/open-loop.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? '10');
const repetitions = Number(process.env.BENCH_REPETITIONS ?? '3');
const rate = Number(process.env.BENCH_RATE ?? '1000');
const body = payload256('bench-echo');

async function main(): Promise<void> {
  await withBenchGateway(async (broker) => {
    const env = { KAFKA_BROKERS: broker.brokers.join(','), GEN_DIR: genDir, PAYLOAD: body };
    const responder = await startServerChild(
      new URL('./servers/echo-responder.ts', import.meta.url),
      { core: -1, env },
    );
    const gateway = await startServerChild(new URL('./servers/gateway.ts', import.meta.url), {
      core: 0,
      env,
    });
    const raw = await startServerChild(new URL('./servers/raw-roundtrip.ts', import.meta.url), {
      core: 0,
      env,
    });
    try {
      const post = httpPoster(`${gateway.url}/echo`, body);
      // Warm-up (the broker's JIT too: the first seconds have a far slower tail).
      await openLoop(rate, seconds, post);
      await raw.ask({ type: 'run', seconds, rate }, 'result');

      const viaGateway: OpenLoopResult[] = [];
      const viaRaw: OpenLoopResult[] = [];
      const gatewayCpu: number[] = [];
      for (let rep = 1; rep <= repetitions; rep++) {
        const rawResult = (await raw.ask(
          { type: 'run', seconds, rate },
          'result',
        )) as unknown as OpenLoopResult;
        viaRaw.push(rawResult);
        const cpuBefore = gateway.cpuSeconds();
        const result = await openLoop(rate, seconds, post);
        gatewayCpu.push(((gateway.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, result.sent));
        viaGateway.push(result);
        console.log(
          `rep ${rep}: raw p50 ${fixed(rawResult.p50Ms, 2)} / p99 ${fixed(rawResult.p99Ms, 2)} ms; ` +
            `gateway p50 ${fixed(result.p50Ms, 2)} / p99 ${fixed(result.p99Ms, 2)} ms ` +
            `(${result.answered}/${result.sent} answered)`,
        );
      }
      const floor50 = median(viaRaw.map((r) => r.p50Ms));
      const floor99 = median(viaRaw.map((r) => r.p99Ms));
      const p50 = median(viaGateway.map((r) => r.p50Ms));
      const p99 = median(viaGateway.map((r) => r.p99Ms));
      const lost = viaGateway.reduce((n, r) => n + r.sent - r.answered, 0);
      console.log('');
      console.log(`| at ${rate} req/s | p50 | p99 | CPU per request |`);
      console.log('|---|---|---|---|');
      console.log(
        `| raw Kafka round trip (floor) | ${fixed(floor50, 2)} ms | ${fixed(floor99, 2)} ms | — |`,
      );
      console.log(
        `| gateway, HTTP request-reply | ${fixed(p50, 2)} ms | ${fixed(p99, 2)} ms | ${fixed(median(gatewayCpu), 3)} ms |`,
      );
      console.log('');
      console.log(`requests not answered 2xx: ${lost}`);
      console.log(
        `goal p50 ≤ 3 ms and ≤ floor + 1 ms: ${p50 <= 3 && p50 <= floor50 + 1 ? 'met' : 'NOT met'}; ` +
          `goal p99 ≤ 10 ms: ${p99 <= 10 ? 'met' : 'NOT met'}`,
      );
      console.log(
        `ratio gateway / floor: p50 ${fixed(p50 / floor50, 2)}, p99 ${fixed(p99 / floor99, 2)}`,
      );
    } finally {
      await Promise.all([gateway.stop(), raw.stop(), responder.stop()]);
    }
  });
}

await main();
