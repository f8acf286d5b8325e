/**
 * B6 — `specgate generate` on the GitHub REST API (the devDependency `@octokit/openapi`, its
 * `api.github.com.json`) with a generated AsyncAPI document mapping every
 * operation (bench/lib/github.ts): the whole CLI run, wall time and peak RSS, from an empty
 * output folder, then again with nothing changed (GNU time, /usr/bin/time, reports the RSS).
 *
 * Baseline in the same run: `openapi-typescript` on the same OpenAPI document (types only).
 *
 * Then start-up: from spawning the process until it listens, the generated gateway
 * (bench/servers/startup-gateway.ts: its views go on loading after it listens; its broker
 * address leads nowhere, since listening must not wait for Kafka) against plain Fastify with one
 * route per operation (bench/servers/startup-fastify.ts), both on core 0 under tsx.
 *
 * 3 alternating repetitions, medians. Then one more run from an empty folder with `--progress`,
 * for the time of each stage (start-up before the first stage, reading and validating the specs,
 * emitting, the in-memory type check, writing).
 *
 * Goals (issue 8): full generation ≤ 5 s and ≤ 2× openapi-typescript; re-running with no change
 * ≤ 1 s; the gateway listens within 1.5× plain Fastify's time.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServerChild } from './lib/child.ts';
import { githubSpecs, octokitVersion } from './lib/github.ts';
import { fixed, median } from './lib/load.ts';

const repetitions = Number(process.env.BENCH_REPETITIONS ?? '3');
const repo = fileURLToPath(new URL('../', import.meta.url));
const out = fileURLToPath(new URL('./.out/github/gen', import.meta.url));
const typesOut = fileURLToPath(new URL('./.out/github/openapi-typescript.ts', import.meta.url));

interface Run {
  readonly seconds: number;
  readonly maxRssMiB: number;
}

/** Runs a command to its end under GNU time: its wall time and its peak RSS. */
function timed(command: string, args: readonly string[]): Run {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', command, ...args], {
    cwd: repo,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
  const kib = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? 'NaN');
  return { seconds, maxRssMiB: kib / 1024 };
}

/**
 * One generation from an empty folder with `--progress`: how long each stage took, from the
 * stage lines' times (seconds since the command started its work) and the summary's total; what
 * the process took before that is start-up (Node, tsx, loading specgate).
 */
function stages(args: readonly string[]): [stage: string, seconds: number][] {
  rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const result = spawnSync(process.execPath, [...args, '--progress'], {
    cwd: repo,
    encoding: 'utf8',
  });
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`generate --progress failed:\n${result.stderr}`);
  const marks = [...result.stderr.matchAll(/^specgate: (.+?)… \(([\d.]+) s\)$/gm)].map(
    (m) => [(m[1] ?? '').replace(/ for \d+ routes| \d+ files \(.*\)/, ''), Number(m[2])] as const,
  );
  const total = Number(/ in ([\d.]+) s\./.exec(result.stdout)?.[1] ?? 'NaN');
  const rows: [string, number][] = [['start-up (Node, tsx, loading specgate)', wall - total]];
  marks.forEach(([stage, at], i) => rows.push([stage, (marks[i + 1]?.[1] ?? total) - at]));
  return rows;
}

/** Spawn to listening, in seconds. */
async function startup(script: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const server = await startServerChild(new URL(`./servers/${script}.ts`, import.meta.url), {
    core: 0,
    env,
  });
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  return seconds;
}

async function main(): Promise<void> {
  const specs = githubSpecs();
  console.log(
    `GitHub REST API (@octokit/openapi ${octokitVersion}): ${specs.operations} operations, ` +
      'each mapped to a Kafka operation',
  );
  const generate = [
    'bin/specgate.js',
    'generate',
    specs.openapi,
    specs.asyncapi,
    '--out',
    out,
    '--force',
  ];
  const full: Run[] = [];
  const again: Run[] = [];
  const baseline: Run[] = [];
  const fastifyStart: number[] = [];
  const gatewayStart: number[] = [];
  for (let rep = 1; rep <= repetitions; rep++) {
    rmSync(out, { recursive: true, force: true });
    full.push(timed(process.execPath, generate));
    again.push(timed(process.execPath, generate));
    baseline.push(
      timed(process.execPath, [
        'node_modules/openapi-typescript/bin/cli.js',
        specs.openapi,
        '-o',
        typesOut,
      ]),
    );
    fastifyStart.push(await startup('startup-fastify', { OPENAPI: specs.openapi }));
    gatewayStart.push(
      await startup('startup-gateway', { GEN_DIR: out, KAFKA_BROKERS: '127.0.0.1:1' }),
    );
    console.log(
      `rep ${rep}: generate ${fixed(full.at(-1)?.seconds ?? 0, 2)} s, again ${fixed(again.at(-1)?.seconds ?? 0, 2)} s; ` +
        `openapi-typescript ${fixed(baseline.at(-1)?.seconds ?? 0, 2)} s; ` +
        `listening: Fastify ${fixed(fastifyStart.at(-1) ?? 0, 2)} s, gateway ${fixed(gatewayStart.at(-1) ?? 0, 2)} s`,
    );
  }
  const seconds = (runs: readonly Run[]) => median(runs.map((r) => r.seconds));
  console.log('');
  console.log('| stage (one more run, `--progress`) | time |');
  console.log('|---|---|');
  for (const [stage, time] of stages(generate)) console.log(`| ${stage} | ${fixed(time, 1)} s |`);
  console.log('');
  const rss = (runs: readonly Run[]) => fixed(median(runs.map((r) => r.maxRssMiB)), 0);
  console.log('| run | wall time | peak RSS |');
  console.log('|---|---|---|');
  console.log(
    `| specgate generate, empty output folder | ${fixed(seconds(full), 2)} s | ${rss(full)} MiB |`,
  );
  console.log(
    `| specgate generate, nothing changed | ${fixed(seconds(again), 2)} s | ${rss(again)} MiB |`,
  );
  console.log(
    `| openapi-typescript (baseline, types only) | ${fixed(seconds(baseline), 2)} s | ${rss(baseline)} MiB |`,
  );
  console.log('');
  console.log(`| start-up, spawn to listening (${specs.operations} routes) | time |`);
  console.log('|---|---|');
  console.log(`| plain Fastify (baseline) | ${fixed(median(fastifyStart), 2)} s |`);
  console.log(`| generated gateway | ${fixed(median(gatewayStart), 2)} s |`);
  console.log('');
  const ratio = seconds(full) / seconds(baseline);
  const startRatio = median(gatewayStart) / median(fastifyStart);
  console.log(
    `goal ≤ 5 s: ${seconds(full) <= 5 ? 'met' : 'NOT met'}; ≤ 2× openapi-typescript: ${ratio <= 2 ? 'met' : 'NOT met'}; ` +
      `re-run ≤ 1 s: ${seconds(again) <= 1 ? 'met' : 'NOT met'}; ` +
      `listening ≤ 1.5× Fastify: ${startRatio <= 1.5 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `ratio specgate / openapi-typescript: ${fixed(ratio, 2)}; gateway / Fastify start-up: ${fixed(startRatio, 2)}`,
  );
}

await main();
