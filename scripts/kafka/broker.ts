// Starts and stops a real single-node KRaft Kafka broker on loopback (docs/kafka.md).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  randomClusterId,
  renderLog4j2Properties,
  renderServerProperties,
  SASL_MECHANISMS,
  scramArguments,
  type KafkaUser,
  type SecureListenerInput,
} from './broker-config.ts';
import { describeCluster, warmUpCoordinators } from './broker-ready.ts';
import { ensureKafkaJars } from './jars.ts';
import { createBrokerKeystore } from './keystore.ts';
import { acceptsConnections, freeLoopbackPorts } from './ports.ts';
import { requireJava } from './tools.ts';

export interface BrokerOptions {
  /** The client port; default: a free one. The controller port is always a free one. */
  readonly port?: number;
  /** `test`: small heap, serial GC, C1 only (fast start). `bench`: 1 GiB heap, G1. */
  readonly jvm?: 'test' | 'bench';
  /** Give up (and clean up) when the broker is not serving after this long. Default 90 s. */
  readonly readyTimeoutMs?: number;
  /**
   * Keep the broker's data (`log.dirs`, KRaft metadata included) here instead of in its temp
   * folder, and leave it on stop(): a later startBroker() with the same `dataDir` and `port` is
   * the same broker again, with its topics and records (a restart, e.g. for outage tests). It is
   * formatted only when it holds no `meta.properties` yet. The caller removes it.
   */
  readonly dataDir?: string;
  /**
   * Also listen for clients on a SASL_SSL port: TLS with a self-signed certificate for
   * 127.0.0.1 and localhost, then PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 as one of `users`.
   * SCRAM users are created when the storage is formatted, so with a `dataDir` that is already
   * formatted they are the ones of its first start.
   */
  readonly secure?: SecureOptions;
}

export interface SecureOptions {
  readonly users: readonly KafkaUser[];
  /** Default: a free one. */
  readonly port?: number;
}

/** The SASL_SSL listener of a broker started with `secure`. */
export interface SecureListener {
  /** Bootstrap servers for clients of this listener, `127.0.0.1:<port>`. */
  readonly brokers: string;
  readonly port: number;
  /** PEM of the certificate to trust (self-signed; `KAFKA_SSL_CA_FILE`), inside `dir`. */
  readonly caFile: string;
  readonly mechanisms: readonly ('PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512')[];
}

export interface Broker {
  /** Bootstrap servers for clients, `127.0.0.1:<port>`. */
  readonly brokers: string;
  readonly port: number;
  /** Present when started with `secure`. */
  readonly secure?: SecureListener;
  /** The broker's temp folder (config, data, broker.log); removed by `stop()`. */
  readonly dir: string;
  /**
   * From formatting the storage until `describeCluster()` succeeds and the group and transaction
   * coordinators answer; the jar fetch is not included.
   */
  readonly readyMs: number;
  /** Settles when the JVM exits for any reason, with how it ended (e.g. `code 1`). */
  readonly exited: Promise<string>;
  /** SIGTERM, up to 15 s grace, SIGKILL, then remove `dir`. Idempotent. */
  stop(): Promise<void>;
  /**
   * A crash: SIGKILL at once (no controlled shutdown), then as `stop()`. With a `dataDir`, the
   * next start on it recovers the log as after any unclean shutdown.
   */
  kill(): Promise<void>;
}

const GUARD = fileURLToPath(new URL('guard.sh', import.meta.url));
const JVM_FLAGS = {
  test: ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
  bench: ['-Xms1g', '-Xmx1g', '-XX:+UseG1GC'],
} as const;
const STOP_GRACE_MS = 15_000;
const LOG_TAIL_LINES = 40;

/**
 * Starts a broker in a fresh temp folder and resolves once it serves clients. The JVM runs under
 * guard.sh, which stops it and removes the folder when this process dies, even by SIGKILL.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const libs = await ensureKafkaJars();
  const java = await requireJava();
  const started = performance.now();
  const [port, controllerPort, securePort] = await pickPorts(options.port, options.secure?.port);
  const dir = await mkdtemp(join(tmpdir(), 'specgate-kafka-'));
  const dataDir = options.dataDir ?? join(dir, 'data');
  const classpath = join(libs, '*');
  const serverProperties = join(dir, 'server.properties');
  const logConfig = `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`;
  let secure: (SecureListenerInput & { readonly caFile: string }) | undefined;
  try {
    if (options.secure !== undefined) {
      const { keystore, password, caFile } = await createBrokerKeystore(dir, java);
      const { users } = options.secure;
      secure = { port: securePort, keystore, keystorePassword: password, users, caFile };
    }
    await writeFile(
      serverProperties,
      renderServerProperties({ dir, port, controllerPort, dataDir, secure }),
    );
    await writeFile(join(dir, 'log4j2.properties'), renderLog4j2Properties());
    if (!(await isFormatted(dataDir))) {
      await formatStorage(
        java,
        [...JVM_FLAGS.test, logConfig, '-cp', classpath],
        serverProperties,
        scramArguments(secure?.users ?? []),
      );
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const jvmArgs = [
    ...JVM_FLAGS[options.jvm ?? 'test'],
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    logConfig,
    '-cp',
    classpath,
    'kafka.Kafka',
    serverProperties,
  ];
  // detached: the JVM gets its own process group, so a terminal's Ctrl-C reaches only us and
  // we shut the broker down in order (the guard still covers our own death).
  // fd 3 is guard.sh's lifeline: it stops the JVM and removes `dir` when the pipe closes.
  const child = spawn('/bin/sh', [GUARD, dir, java, ...jvmArgs], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const lifeline = child.stdio[3];
  // Closing a pipe whose reader is gone must not crash this process.
  lifeline?.on('error', () => undefined);
  const jvm = watchProcess(child);
  const stop = memoize(async () => {
    if (jvm.exitedWith === undefined) {
      child.kill('SIGTERM');
      if (!(await jvm.waitForExit(STOP_GRACE_MS))) {
        child.kill('SIGKILL');
        await jvm.waitForExit(STOP_GRACE_MS);
      }
    }
    await rm(dir, { recursive: true, force: true });
    // Only now release the guard: it finds the JVM gone and the folder removed, and exits.
    lifeline?.destroy();
  });

  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const deadline = started + timeoutMs;
  let waitingFor = 'the broker port to accept connections';
  for (;;) {
    if (jvm.exitedWith !== undefined) {
      const tail = await logTail(dir);
      await stop();
      throw new Error(`Kafka broker exited (${jvm.exitedWith}) before it was ready.\n${tail}`);
    }
    if (performance.now() > deadline) {
      const tail = await logTail(dir);
      await stop();
      throw new Error(
        `Kafka broker not ready after ${timeoutMs} ms (waiting for ${waitingFor}).\n${tail}`,
      );
    }
    // The broker opens its client ports only once it can serve (docs/kafka.md, step 5).
    if (
      (await acceptsConnections(port, 1000)) &&
      (secure === undefined || (await acceptsConnections(secure.port, 1000)))
    ) {
      let step = 'describeCluster()';
      try {
        await describeCluster(port);
        step = 'the group and transaction coordinators';
        await warmUpCoordinators(port);
        break;
      } catch (error) {
        waitingFor = `${step}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    await Promise.race([sleep(100), jvm.exited]);
  }

  return {
    brokers: `127.0.0.1:${port}`,
    port,
    ...(secure === undefined
      ? {}
      : {
          secure: {
            brokers: `127.0.0.1:${secure.port}`,
            port: secure.port,
            caFile: secure.caFile,
            mechanisms: SASL_MECHANISMS,
          },
        }),
    dir,
    readyMs: Math.round(performance.now() - started),
    exited: jvm.exited,
    stop,
    async kill() {
      if (jvm.exitedWith === undefined) {
        child.kill('SIGKILL');
        await jvm.waitForExit(STOP_GRACE_MS);
      }
      await stop();
    },
  };
}

/** [client, controller, secure client] ports: the ones asked for, the others free. */
async function pickPorts(
  port: number | undefined,
  securePort: number | undefined,
): Promise<[number, number, number]> {
  const free = (await freeLoopbackPorts(4)).filter((p) => p !== port && p !== securePort);
  const next = (): number => {
    const free1 = free.shift();
    if (free1 === undefined) throw new Error('no free loopback ports');
    return free1;
  };
  const client = port ?? next();
  return [client, next(), securePort ?? next()];
}

/** Whether `kafka.tools.StorageTool format` has run on this data folder. */
async function isFormatted(dataDir: string): Promise<boolean> {
  try {
    await access(join(dataDir, 'meta.properties'));
    return true;
  } catch {
    return false;
  }
}

function formatStorage(
  java: string,
  jvmArgs: readonly string[],
  serverProperties: string,
  scram: readonly string[],
): Promise<void> {
  const args = [
    ...jvmArgs,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    randomClusterId(),
    '-c',
    serverProperties,
    ...scram,
  ];
  return new Promise((resolve, reject) => {
    execFile(java, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      reject(
        new Error(
          `Formatting Kafka storage failed (kafka.tools.StorageTool format):\n${stdout}${stderr}`,
          { cause: error },
        ),
      );
    });
  });
}

interface WatchedProcess {
  /** How the process ended, once it has. */
  readonly exitedWith: string | undefined;
  readonly exited: Promise<string>;
  /** True if the process exited within `ms`. */
  waitForExit(ms: number): Promise<boolean>;
}

function watchProcess(child: ChildProcess): WatchedProcess {
  let exitedWith: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = signal !== null ? `signal ${signal}` : `code ${code ?? 'unknown'}`;
      resolve(exitedWith);
    });
    child.once('error', (error) => {
      exitedWith = `spawn error: ${error.message}`;
      resolve(exitedWith);
    });
  });
  return {
    get exitedWith() {
      return exitedWith;
    },
    exited,
    async waitForExit(ms) {
      if (exitedWith !== undefined) return true;
      const timeout = new AbortController();
      const timer = sleep(ms, false, { signal: timeout.signal }).catch(() => false);
      try {
        return await Promise.race([exited.then(() => true), timer]);
      } finally {
        timeout.abort();
      }
    },
  };
}

/** The log's last lines, led by its first ERROR line when that scrolled out of them. */
async function logTail(dir: string): Promise<string> {
  const file = join(dir, 'broker.log');
  let lines: string[];
  try {
    lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  } catch {
    return `(no log at ${file})`;
  }
  const tail = lines.slice(-LOG_TAIL_LINES);
  const firstError = lines.find((line) => / (ERROR|FATAL) /.test(line));
  const lead = firstError !== undefined && !tail.includes(firstError) ? [firstError, '...'] : [];
  return `Last lines of ${file}:\n${[...lead, ...tail].join('\n')}`;
}

function memoize(run: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= run();
    return result;
  };
}
