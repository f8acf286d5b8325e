/**
 * B5 — SSE fan-out: `GET /ticks` (`text/event-stream`) on the gateway `specgate generate` writes
 * from bench/specs, a live stream of the `bench-ticks` event topic (6 partitions, not compacted),
 * to which a publisher process writes a 256-byte JSON tick 10 times a second (acks=all), each
 * carrying its send time. 1 000 and 10 000 clients, held by 2 client processes (node:http, one
 * socket per stream), each recording delivery latency = receive time − send time.
 *
 * Baseline in the same run: a bare `node:http` SSE broadcaster fed by a timer at 10/s, writing
 * one pre-serialized frame of the same tick to every open response.
 *
 * Per repetition (3, alternating), for each client count, for bare then gateway: a fresh server
 * on core 0 (the clients on core 1; the broker and the publisher float), its idle RSS, the
 * clients connect, 2 s warm-up, RSS again, then a 10 s window: ticks sent in it and their
 * latencies; ticks arriving in it and the server's CPU time over it. After the window the
 * clients are given until every tick of the window has arrived (or none has for 3 s). Medians.
 *
 * Goals (issue 8): delivery p99 ≤ 50 ms at 10k clients; memory per connection ≤ 1.2× bare; CPU
 * per delivered event ≤ 1.3× bare (both judged at the largest client count).
 *
 * Clients connect at most 100 at a time per process; none starts after BENCH_CONNECT_SECONDS
 * (default 60), and those not opened by then count as connect errors.
 *
 * Knobs: BENCH_CLIENTS (default `1000,10000`), BENCH_SECONDS (10), BENCH_REPETITIONS (3),
 * BENCH_CLIENT_PROCESSES (2), BENCH_CONNECT_SECONDS (60), BENCH_SERVERS (`bare,gateway`; one of
 * them for a look at it alone), BENCH_PROFILE_DIR (the gateway runs with `--cpu-prof` into it).
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServerChild, type ServerChild } from './lib/child.ts';
import { genDir } from './lib/generate.ts';
import { fixed, median } from './lib/load.ts';
import { withBenchGateway } from './lib/setup.ts';
import { epochMs, histogramPercentile, ticksPerSecond } from './lib/ticks.ts';
import type { WindowReport } from './servers/sse-clients.ts';

const sizes = (process.env.BENCH_CLIENTS ?? '1000,10000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? '10');
const repetitions = Number(process.env.BENCH_REPETITIONS ?? '3');
const clientProcesses = Math.max(2, Number(process.env.BENCH_CLIENT_PROCESSES ?? '2'));
const profileDir = process.env.BENCH_PROFILE_DIR;
const connectBudgetSeconds = Number(process.env.BENCH_CONNECT_SECONDS ?? '60');
const warmUpSeconds = 2;
/** After the window: wait for late ticks until none arrived for this long. */
const quietMs = 3000;
const serverNames = ['bare', 'gateway'] as const;
type ServerName = (typeof serverNames)[number];
/** Both unless BENCH_SERVERS names one (for profiling); the table and verdicts need both. */
const servers = serverNames.filter((name) =>
  (process.env.BENCH_SERVERS ?? 'bare,gateway').split(',').includes(name),
);

interface Measure {
  readonly connected: number;
  readonly connectErrors: number;
  /** The connect errors by kind (sse-clients.ts WindowReport.errorKinds), summed. */
  readonly errorKinds: Record<string, number>;
  readonly connectSeconds: number;
  readonly idleRssBytes: number;
  readonly loadedRssBytes: number;
  readonly rssPerConnection: number;
  readonly serverFds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly expected: number;
  readonly delivered: number;
  readonly missed: number;
  readonly dropped: number;
  /** Streams open that got no tick of the window at all. */
  readonly silent: number;
  /** Ticks of the window whose send failed (the publisher's produce timed out); not expected. */
  readonly failedSends: number;
  readonly eventsPerSecond: number;
  readonly cpuUsPerEvent: number;
  /** Share of core 1 the client processes used over the window. */
  readonly clientCpu: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Stops a child; SIGKILL when it has not exited after `ms`. */
async function stopChild(child: ServerChild, ms = 20_000): Promise<void> {
  await withTimeout(child.stop(), ms, 'stop').catch(() => child.process.kill('SIGKILL'));
}

function asReport(answer: Record<string, unknown>): WindowReport {
  return answer as unknown as WindowReport;
}

async function reports(clients: readonly ServerChild[]): Promise<WindowReport[]> {
  return (
    await Promise.all(
      clients.map((c) => withTimeout(c.ask({ type: 'report' }, 'report'), 30_000, 'report')),
    )
  ).map(asReport);
}

async function untilEpoch(at: number): Promise<void> {
  const wait = at - epochMs();
  if (wait > 0) await sleep(wait);
}

async function measure(
  name: ServerName,
  size: number,
  clients: readonly ServerChild[],
  env: Record<string, string>,
  publisher: ServerChild,
): Promise<Measure> {
  const server =
    name === 'bare'
      ? await startServerChild(new URL('./servers/bare-sse.ts', import.meta.url), { core: 0 })
      : await startServerChild(new URL('./servers/gateway.ts', import.meta.url), {
          core: 0,
          env,
          ...(profileDir === undefined
            ? {}
            : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--trace-warnings'] }),
        });
  const ticker = name === 'bare' ? server : publisher;
  try {
    await sleep(1000);
    const idleRssBytes = server.rssBytes();
    const url = `${server.url}/ticks`;
    const started = performance.now();
    const deadline = epochMs() + connectBudgetSeconds * 1000;
    const connected = await Promise.all(
      clients.map((c, i) => {
        const count = Math.floor(size / clients.length) + (i < size % clients.length ? 1 : 0);
        return withTimeout(
          c.ask({ type: 'connect', url, count, deadline }, 'connected'),
          300_000,
          'connect',
        );
      }),
    );
    const connectSeconds = (performance.now() - started) / 1000;
    const open = connected.reduce((n, c) => n + Number(c.open), 0);
    const connectErrors = connected.reduce((n, c) => n + Number(c.errors), 0);
    const errorKinds: Record<string, number> = {};
    for (const answer of connected) {
      for (const [kind, count] of Object.entries(asReport(answer).errorKinds)) {
        errorKinds[kind] = (errorKinds[kind] ?? 0) + count;
      }
    }
    await sleep(warmUpSeconds * 1000);
    const loadedRssBytes = server.rssBytes();
    const serverFds = readdirSync(`/proc/${server.process.pid ?? 0}/fd`).length;

    const from = epochMs() + 200;
    const to = from + seconds * 1000;
    await Promise.all(clients.map((c) => c.ask({ type: 'window', from, to }, 'window')));
    await untilEpoch(from);
    const cpuBefore = server.cpuSeconds();
    const clientCpuBefore = clients.reduce((s, c) => s + c.cpuSeconds(), 0);
    await untilEpoch(to);
    const cpu = server.cpuSeconds() - cpuBefore;
    const clientCpu = clients.reduce((s, c) => s + c.cpuSeconds(), 0) - clientCpuBefore;
    // Sends still in flight settle within the producer's 5 s timeout.
    if (name === 'gateway') await sleep(5000);
    const sent = await withTimeout(ticker.ask({ type: 'sent', from, to }, 'sent'), 10_000, 'sent');
    const expected = Number(sent.count) * open;

    // Late ticks of the window still count (their latency shows it); lost ones do not arrive.
    let got = await reports(clients);
    let delivered = got.reduce((n, r) => n + r.delivered, 0);
    let quietSince = performance.now();
    while (delivered < expected && performance.now() - quietSince < quietMs) {
      await sleep(250);
      got = await reports(clients);
      const now = got.reduce((n, r) => n + r.delivered, 0);
      if (now > delivered) quietSince = performance.now();
      delivered = now;
    }
    const entries = got.flatMap((r) => r.histogram);
    const arrived = got.reduce((n, r) => n + r.arrivedInWindow, 0);
    return {
      connected: open,
      connectErrors,
      errorKinds,
      connectSeconds,
      idleRssBytes,
      loadedRssBytes,
      rssPerConnection: (loadedRssBytes - idleRssBytes) / Math.max(1, open),
      serverFds,
      p50Ms: histogramPercentile(entries, 50),
      p99Ms: histogramPercentile(entries, 99),
      maxMs: histogramPercentile(entries, 100),
      expected,
      delivered,
      missed: Math.max(0, expected - delivered),
      dropped: got.reduce((n, r) => n + r.dropped, 0),
      silent: got.reduce((n, r) => n + r.silent, 0),
      failedSends: Number(sent.failed),
      eventsPerSecond: arrived / seconds,
      cpuUsPerEvent: (cpu * 1e6) / Math.max(1, arrived),
      clientCpu: clientCpu / seconds,
    };
  } finally {
    await Promise.all(
      clients.map((c) => withTimeout(c.ask({ type: 'close' }, 'closed'), 30_000, 'close')),
    );
    await sleep(500);
    await stopChild(server);
  }
}

function describe(m: Measure): string {
  return (
    `${m.connected} open (${m.connectErrors} errors${m.connectErrors > 0 ? `: ${JSON.stringify(m.errorKinds)}` : ''}) ` +
    `in ${fixed(m.connectSeconds)} s, ` +
    `p50 ${fixed(m.p50Ms)} / p99 ${fixed(m.p99Ms)} ms, ${fixed(m.eventsPerSecond, 0)} events/s, ` +
    `${fixed(m.cpuUsPerEvent, 2)} µs CPU/event, ${fixed(m.rssPerConnection / 1024)} KiB/conn, ` +
    `missed ${m.missed} of ${m.expected} (${m.silent} streams silent, ${m.dropped} dropped; ` +
    `${m.failedSends} ticks failed to send)`
  );
}

const mib = (bytes: number): string => fixed(bytes / 1024 / 1024, 0);

type Runs = ReadonlyMap<string, readonly Measure[]>;
/** The numeric fields of a measure. */
type Field = { [K in keyof Measure]: Measure[K] extends number ? K : never }[keyof Measure];

const runKey = (name: ServerName, size: number): string => `${name}@${size}`;

/** The median over the repetitions of `pick` for one server and client count. */
function med(runs: Runs, name: ServerName, size: number, pick: (m: Measure) => number): number {
  return median((runs.get(runKey(name, size)) ?? []).map(pick));
}

/** The markdown table, then the goal verdicts, then the ratios (last). */
function report(runs: Runs): void {
  const columns = sizes.flatMap((size) => servers.map((name) => ({ name, size })));
  const row = (label: string, cell: (at: (field: Field) => number) => string) =>
    console.log(
      `| ${label} | ${columns
        .map(({ name, size }) => cell((field) => med(runs, name, size, (m) => m[field])))
        .join(' | ')} |`,
    );
  const title = (name: ServerName, size: number) =>
    `${name === 'bare' ? 'bare node:http' : 'gateway'}, ${size} clients`;
  console.log('');
  console.log(
    `| measure (medians of ${repetitions}) | ${columns.map((c) => title(c.name, c.size)).join(' | ')} |`,
  );
  console.log(`|---|${columns.map(() => '---|').join('')}`);
  row(
    'streams open (connect errors)',
    (at) => `${fixed(at('connected'), 0)} (${fixed(at('connectErrors'), 0)})`,
  );
  row('time to connect them', (at) => `${fixed(at('connectSeconds'))} s`);
  row('delivery p50 / p99', (at) => `${fixed(at('p50Ms'))} / ${fixed(at('p99Ms'))} ms`);
  row('delivery max', (at) => `${fixed(at('maxMs'), 0)} ms`);
  row('events delivered/s', (at) => fixed(at('eventsPerSecond'), 0));
  row(
    'ticks missed / expected (streams dropped, silent)',
    (at) =>
      `${fixed(at('missed'), 0)} / ${fixed(at('expected'), 0)} ` +
      `(${fixed(at('dropped'), 0)}, ${fixed(at('silent'), 0)})`,
  );
  row('server CPU per delivered event', (at) => `${fixed(at('cpuUsPerEvent'), 2)} µs`);
  row('server RSS per connection', (at) => `${fixed(at('rssPerConnection') / 1024)} KiB`);
  row(
    'server RSS idle → connected',
    (at) => `${mib(at('idleRssBytes'))} → ${mib(at('loadedRssBytes'))} MiB`,
  );
  row('server open files', (at) => fixed(at('serverFds'), 0));
  row('client processes, share of core 1', (at) => `${fixed(at('clientCpu') * 100, 0)}%`);
  console.log('');
  if (servers.length < serverNames.length) return;

  const top = Math.max(...sizes);
  const ratio = (size: number, field: Field): number =>
    med(runs, 'gateway', size, (m) => m[field]) / med(runs, 'bare', size, (m) => m[field]);
  const p99 = med(runs, 'gateway', top, (m) => m.p99Ms);
  // Streams that never opened, or ticks that never arrived, have no latency to count.
  const allServed =
    med(runs, 'gateway', top, (m) => m.connected) === top &&
    med(runs, 'gateway', top, (m) => m.missed) === 0;
  const memory = ratio(top, 'rssPerConnection');
  const cpu = ratio(top, 'cpuUsPerEvent');
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  console.log(
    `goal p99 ≤ 50 ms at ${top} clients: ${verdict(p99 <= 50 && allServed)} (${fixed(p99)} ms` +
      `${allServed ? '' : '; not every stream opened or every tick arrived'}); ` +
      `memory per connection ≤ 1.2× bare: ${verdict(memory <= 1.2)} (${fixed(memory, 2)}×); ` +
      `CPU per delivered event ≤ 1.3× bare: ${verdict(cpu <= 1.3)} (${fixed(cpu, 2)}×)`,
  );
  const ratios = sizes.map(
    (size) =>
      `${size} clients: p99 ${fixed(ratio(size, 'p99Ms'), 2)}, ` +
      `memory/connection ${fixed(ratio(size, 'rssPerConnection'), 2)}, ` +
      `CPU/event ${fixed(ratio(size, 'cpuUsPerEvent'), 2)}`,
  );
  console.log(`ratio gateway / bare: ${ratios.join('; ')}`);
}

const loadAverage = (): string =>
  loadavg()
    .map((l) => fixed(l, 2))
    .join(' ');

async function main(): Promise<void> {
  await withBenchGateway(async (broker) => {
    const env = { KAFKA_BROKERS: broker.brokers.join(','), GEN_DIR: genDir };
    const clients = await Promise.all(
      Array.from({ length: clientProcesses }, () =>
        startServerChild(new URL('./servers/sse-clients.ts', import.meta.url), { core: 1 }),
      ),
    );
    const publisher = await startServerChild(
      new URL('./servers/tick-publisher.ts', import.meta.url),
      { core: -1, env: { ...env, TOPIC: 'bench-ticks' } },
    );
    console.log(
      `${clientProcesses} client processes on core 1; publisher (${ticksPerSecond} ticks/s) ` +
        `floats; load average ${loadAverage()}`,
    );
    try {
      const runs = new Map<string, Measure[]>();
      for (let rep = 1; rep <= repetitions; rep++) {
        for (const size of sizes) {
          for (const name of servers) {
            const m = await measure(name, size, clients, env, publisher);
            runs.set(runKey(name, size), [...(runs.get(runKey(name, size)) ?? []), m]);
            console.log(`rep ${rep}: ${name}, ${size} clients: ${describe(m)}`);
          }
        }
      }
      const { failed } = await publisher.ask(
        { type: 'sent', from: 0, to: Number.MAX_VALUE },
        'sent',
      );
      console.log(
        `publisher sends failed in all: ${String(failed)}; load average at the end ${loadAverage()}`,
      );
      report(runs);
    } finally {
      await Promise.all([...clients, publisher].map((child) => stopChild(child)));
    }
  });
}

await main();
