/**
 * Baseline (c) of B1: the Strimzi Kafka Bridge (an HTTP bridge to Kafka, Vert.x + the Apache Kafka
 * Java producer), run as a plain JVM next to the benchmark broker.
 *
 * Jars: `io.strimzi:kafka-bridge:<version>` and its runtime dependencies, copied by Maven
 * (`dependency:copy-dependencies` on a small POM written into bench/.out/kafka-bridge/) into
 * bench/.out/kafka-bridge/libs once; a "complete" marker (version + POM hash) makes later runs
 * skip Maven. The Strimzi project does not publish the bridge to Maven Central (its releases
 * are a GitHub tarball and a container image), so its jar and POM, built from the 0.33.1 tag,
 * are kept in bench/vendor/kafka-bridge/ (README there: provenance, build command, digests) and
 * installed into the local Maven repository first; every dependency comes from Maven Central.
 * If Maven still fails, B1 prints "(c) not measured" with the reason.
 *
 * Start: a config file with the bridge's defaults except the broker, the HTTP address and
 * `kafka.producer.acks=all` (the bridge's sample config says 1; B1 measures acks=all), quiet
 * logging (WARN; the bridge's sample logs every producer's config at INFO), and
 * `java -Xms1g -Xmx1g -cp 'libs/*' io.strimzi.kafka.bridge.Application --config-file=…` pinned
 * with taskset. It runs under scripts/kafka/guard.sh, as the broker does, so it cannot outlive
 * this process. Ready once `GET /ready` answers 204.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { acquireLock } from '../../scripts/kafka/file-lock.ts';
import { freeLoopbackPorts } from '../../scripts/kafka/ports.ts';
import { execMaven } from '../../scripts/kafka/jars.ts';
import { requireJava, requireMaven } from '../../scripts/kafka/tools.ts';
import { canPin } from './child.ts';

export const BRIDGE_VERSION = '0.33.1';
export const BRIDGE_ARTIFACT = `io.strimzi:kafka-bridge:${BRIDGE_VERSION}`;
/** The bridge's content type for records whose key and value are JSON. */
export const BRIDGE_JSON = 'application/vnd.kafka.json.v2+json';

const cacheDir = fileURLToPath(new URL('../.out/kafka-bridge/', import.meta.url));
const vendorDir = fileURLToPath(new URL('../vendor/kafka-bridge/', import.meta.url));
const GUARD = fileURLToPath(new URL('../../scripts/kafka/guard.sh', import.meta.url));
const STOP_GRACE_MS = 15_000;
/** Clock ticks per second of /proc/<pid>/stat times. */
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || '100');

/** CPU seconds (user + system, every thread, live or ended) process `pid` used so far. */
function cpuSecondsOf(pid: number): number {
  // After the command name (which may hold spaces): utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by bench/lib/bridge.ts: the Strimzi Kafka Bridge and its runtime dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.specgate</groupId>
  <artifactId>specgate-bench-kafka-bridge</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.strimzi</groupId>
      <artifactId>kafka-bridge</artifactId>
      <version>${BRIDGE_VERSION}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;

export interface BridgeJars {
  readonly libs: string;
  /** How many jars, and their total size. */
  readonly jars: number;
  readonly bytes: number;
  /** Milliseconds Maven took, when this call fetched them; undefined when they were cached. */
  readonly fetchedMs: number | undefined;
}

/**
 * The folder holding the bridge's jars, fetched with Maven first when not cached. Throws an Error
 * whose message says why when Maven cannot resolve them (as on a machine without the bridge in
 * ~/.m2: it is not on Maven Central).
 */
export async function ensureBridgeJars(): Promise<BridgeJars> {
  await requireJava();
  const libs = join(cacheDir, 'libs');
  const marker = join(cacheDir, 'complete');
  const want = `${BRIDGE_VERSION} ${createHash('sha256').update(POM).digest('hex')}`;
  const isDone = async (): Promise<boolean> =>
    (await readFile(marker, 'utf8').catch(() => undefined)) === want;
  if (await isDone()) return { libs, ...(await sizeOf(libs)), fetchedMs: undefined };

  await mkdir(cacheDir, { recursive: true });
  const lock = await acquireLock(join(cacheDir, 'fetch.lock'), {
    isDone,
    timeoutMs: 15 * 60_000,
    staleMs: 30 * 60_000,
  });
  if (lock === undefined) return { libs, ...(await sizeOf(libs)), fetchedMs: undefined };
  try {
    if (await isDone()) return { libs, ...(await sizeOf(libs)), fetchedMs: undefined };
    const started = performance.now();
    await rm(marker, { force: true });
    for (const entry of await readdir(cacheDir)) {
      if (entry.startsWith('staging-')) await rm(join(cacheDir, entry), { recursive: true });
    }
    // Maven works in a private staging folder; the jars move into place with one rename.
    const staging = await mkdtemp(join(cacheDir, 'staging-'));
    try {
      await writeFile(join(staging, 'pom.xml'), POM);
      // The bridge is not on Maven Central: its jar and POM come from bench/vendor (README there).
      await runMaven(staging, [
        '-q',
        '-B',
        '-Dstyle.color=never',
        'org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file',
        `-Dfile=${join(vendorDir, `kafka-bridge-${BRIDGE_VERSION}.jar`)}`,
        `-DpomFile=${join(vendorDir, `kafka-bridge-${BRIDGE_VERSION}.pom`)}`,
      ]);
      const output = join(staging, 'libs');
      await runMaven(staging, [
        '-q',
        '-B',
        '-Dstyle.color=never',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${output}`,
      ]);
      const jars = await readdir(output);
      if (!jars.includes(`kafka-bridge-${BRIDGE_VERSION}.jar`)) {
        throw new Error(`${BRIDGE_ARTIFACT}: Maven copied no kafka-bridge jar into ${output}`);
      }
      await rm(libs, { recursive: true, force: true });
      await rename(output, libs);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    await writeFile(marker, want);
    return {
      libs,
      ...(await sizeOf(libs)),
      fetchedMs: Math.round(performance.now() - started),
    };
  } finally {
    await lock.release();
  }
}

async function sizeOf(dir: string): Promise<{ jars: number; bytes: number }> {
  const names = await readdir(dir);
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
  return { jars: names.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

async function runMaven(cwd: string, args: readonly string[]): Promise<void> {
  await execMaven(await requireMaven(), cwd, args, ({ exit, output }) => {
    const text = output.replaceAll(`${String.fromCharCode(27)}[0m`, '');
    // Maven's own words for a missing artifact, without its stack of hints.
    const missing =
      /(Could not resolve dependencies[^\n]*|Failure to find[^\n]*|[^\n]*was not found in[^\n]*)/.exec(
        text,
      )?.[1];
    return missing !== undefined
      ? `${BRIDGE_ARTIFACT} could not be resolved: ${missing.trim()}`
      : `\`mvn ${args.join(' ')}\` failed (${exit}): ` +
          text.trim().split('\n').slice(-5).join(' | ');
  });
}

export interface Bridge {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawning the JVM until `/ready` answered. */
  readonly readyMs: number;
  /** CPU seconds (user + system, all threads) the JVM used so far. */
  cpuSeconds(): number;
  /** Waits until the JVM uses less than 5% of a core over 250 ms (at most `maxMs`). */
  settle(maxMs?: number): Promise<void>;
  /** SIGTERM, up to 15 s grace, SIGKILL, then remove its folder. Idempotent. */
  stop(): Promise<void>;
}

export interface BridgeOptions {
  readonly libs: string;
  /** Bootstrap servers, `host:port,…`. */
  readonly brokers: readonly string[];
  /** The core to pin the JVM to (negative: not pinned). */
  readonly core: number;
  readonly readyTimeoutMs?: number;
}

/** The bridge's config file: its defaults, except what B1 fixes (see the file comment). */
export function renderBridgeProperties(brokers: readonly string[], port: number): string {
  return [
    'bridge.id=specgate-bench',
    `kafka.bootstrap.servers=${brokers.join(',')}`,
    'kafka.producer.acks=all',
    'http.host=127.0.0.1',
    `http.port=${port}`,
    '',
  ].join('\n');
}

const LOG4J2 = [
  'name = BridgeBench',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = %d %-5p [%t] %c{1} - %m%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.console.ref = STDOUT',
  'logger.bridge.name = io.strimzi.kafka.bridge.http.HttpBridge',
  'logger.bridge.level = INFO',
  '',
].join('\n');

/** Starts the bridge and resolves once it answers `GET /ready` with 204. */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const java = await requireJava();
  const [port] = await freeLoopbackPorts(1);
  if (port === undefined) throw new Error('no free loopback port for the bridge');
  // guard.sh manages only folders named specgate-kafka-*.
  const dir = await mkdtemp(join(tmpdir(), 'specgate-kafka-bridge-'));
  const config = join(dir, 'application.properties');
  await writeFile(config, renderBridgeProperties(options.brokers, port));
  await writeFile(join(dir, 'log4j2.properties'), LOG4J2);
  const jvm = [
    java,
    '-Xms1g',
    '-Xmx1g',
    '-XX:-UsePerfData',
    // As the bridge's bin/kafka_bridge_run.sh does.
    `-Dvertx.cacheDirBase=${join(dir, 'vertx-cache')}`,
    '-Djava.security.egd=file:/dev/./urandom',
    `-Dlog4j2.configurationFile=file:${join(dir, 'log4j2.properties')}`,
    '-cp',
    join(options.libs, '*'),
    'io.strimzi.kafka.bridge.Application',
    `--config-file=${config}`,
  ];
  const command =
    canPin && options.core >= 0 ? ['taskset', '-c', String(options.core), ...jvm] : jvm;
  const started = performance.now();
  // taskset execs java, so the child's pid is the JVM's. fd 3 is guard.sh's lifeline.
  const child: ChildProcess = spawn('/bin/sh', [GUARD, dir, ...command], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const lifeline = child.stdio[3];
  lifeline?.on('error', () => undefined);
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = signal !== null ? `signal ${signal}` : `code ${String(code)}`;
      resolve();
    });
    child.once('error', (error) => {
      exitedWith = `spawn error: ${error.message}`;
      resolve();
    });
  });
  const pid = child.pid ?? 0;
  const url = `http://127.0.0.1:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitedWith === undefined) {
        child.kill('SIGTERM');
        const ended = await Promise.race([
          exited.then(() => true),
          sleep(STOP_GRACE_MS, false, { ref: false }),
        ]);
        if (!ended) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await rm(dir, { recursive: true, force: true });
      lifeline?.destroy();
    })();
    return stopping;
  };

  const deadline = started + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exitedWith !== undefined) {
      const tail = await logTail(dir);
      await stop();
      throw new Error(`the Kafka Bridge exited (${exitedWith}) before it was ready.\n${tail}`);
    }
    if (performance.now() > deadline) {
      const tail = await logTail(dir);
      await stop();
      throw new Error(
        `the Kafka Bridge was not ready after ${options.readyTimeoutMs ?? 60_000} ms.\n${tail}`,
      );
    }
    const status = await fetch(`${url}/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 204) break;
    await sleep(200);
  }

  const cpuSeconds = (): number => cpuSecondsOf(pid);
  return {
    url,
    pid,
    readyMs: Math.round(performance.now() - started),
    cpuSeconds,
    async settle(maxMs = 20_000) {
      const end = performance.now() + maxMs;
      let last = cpuSeconds();
      while (performance.now() < end) {
        await sleep(250);
        const now = cpuSeconds();
        if (now - last < 0.0125) return;
        last = now;
      }
    },
    stop,
  };
}

/** The body of `POST /topics/{topic}` for one record whose value is the JSON text `value`. */
export function bridgeBody(value: string): string {
  return JSON.stringify({ records: [{ value: JSON.parse(value) as unknown }] });
}

/**
 * Produces one record through the bridge and checks the answer: 200 with one offset and no
 * error. Returns the offset entry; throws with the answer otherwise.
 */
export async function produceOnce(
  bridge: Bridge,
  topic: string,
  value: string,
): Promise<{ readonly partition: number; readonly offset: number }> {
  const response = await fetch(`${bridge.url}/topics/${encodeURIComponent(topic)}`, {
    method: 'POST',
    headers: { 'content-type': BRIDGE_JSON },
    body: bridgeBody(value),
  });
  const text = await response.text();
  const answer = (() => {
    try {
      return JSON.parse(text) as { offsets?: { partition?: unknown; offset?: unknown }[] };
    } catch {
      return {};
    }
  })();
  const first = answer.offsets?.[0];
  if (
    response.status !== 200 ||
    answer.offsets?.length !== 1 ||
    typeof first?.partition !== 'number' ||
    typeof first.offset !== 'number'
  ) {
    throw new Error(`POST /topics/${topic} answered ${response.status} ${text.slice(0, 300)}`);
  }
  return { partition: first.partition, offset: first.offset };
}

async function logTail(dir: string): Promise<string> {
  const file = join(dir, 'broker.log');
  const text = await readFile(file, 'utf8').catch(() => '');
  return text === '' ? `(no log at ${file})` : text.trimEnd().split('\n').slice(-30).join('\n');
}
