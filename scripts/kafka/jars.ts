// Fetches the Kafka broker jars from Maven Central once per machine (docs/kafka.md, "Jars").
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock } from './file-lock.ts';
import { requireJava, requireMaven } from './tools.ts';

/** The Kafka release the tests run; pom.xml pins the same version. */
export const KAFKA_VERSION = '4.1.1';

const POM = fileURLToPath(new URL('pom.xml', import.meta.url));
/** Jars whose absence means the copy went wrong (no broker, or a broker that logs nothing). */
const REQUIRED_JARS = [`kafka_2.13-${KAFKA_VERSION}.jar`, 'log4j-slf4j-impl-', 'log4j-core-'];

/**
 * The per-version cache folder: `$SPECGATE_KAFKA_CACHE/kafka-<version>`, by default
 * `~/.cache/specgate/kafka-<version>`. The jars go in its `libs/`.
 */
export function kafkaCacheDir(): string {
  const override = process.env.SPECGATE_KAFKA_CACHE;
  const root =
    override !== undefined && override !== '' ? override : join(homedir(), '.cache', 'specgate');
  return join(root, `kafka-${KAFKA_VERSION}`);
}

/**
 * Returns the folder holding every jar `kafka.Kafka` and `kafka.tools.StorageTool` need, fetching
 * them with Maven first if needed. Safe to call from parallel processes: one fetches under a lock
 * file, the others wait for its "complete" marker. The marker records a hash of pom.xml, so
 * editing the POM refetches.
 */
export async function ensureKafkaJars(): Promise<string> {
  await requireJava();
  const dir = kafkaCacheDir();
  const libs = join(dir, 'libs');
  const marker = join(dir, 'complete');
  const pom = await readFile(POM);
  const want = `${KAFKA_VERSION} ${createHash('sha256').update(pom).digest('hex')}`;
  const isDone = async (): Promise<boolean> => (await readText(marker)) === want;
  if (await isDone()) return libs;

  await mkdir(dir, { recursive: true });
  const lock = await acquireLock(join(dir, 'fetch.lock'), {
    isDone,
    timeoutMs: 15 * 60_000,
    staleMs: 30 * 60_000,
  });
  if (lock === undefined) return libs;
  try {
    if (await isDone()) return libs;
    await fetchJars(dir, libs, marker);
    await writeFile(marker, want);
    return libs;
  } finally {
    await lock.release();
  }
}

async function fetchJars(dir: string, libs: string, marker: string): Promise<void> {
  const mvn = await requireMaven();
  const started = Date.now();
  process.stderr.write(
    `kafka: fetching Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} (once per machine)\n`,
  );
  await rm(marker, { force: true });
  // Leftovers of a fetch that was killed midway.
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('staging-')) await rm(join(dir, entry), { recursive: true, force: true });
  }
  // Maven runs in a private staging folder (it may write target/ next to the POM), and the jars
  // move into place with one rename, so a reader never sees half a libs folder.
  const staging = await mkdtemp(join(dir, 'staging-'));
  try {
    await copyFile(POM, join(staging, 'pom.xml'));
    const output = join(staging, 'libs');
    await runMaven(mvn, staging, [
      '-q',
      '-B',
      // pom.xml pins the maven-dependency-plugin version this prefix resolves to.
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${output}`,
    ]);
    const jars = await readdir(output);
    const missing = REQUIRED_JARS.filter((prefix) => !jars.some((jar) => jar.startsWith(prefix)));
    if (missing.length > 0) {
      throw new Error(`Kafka jar fetch: ${output} lacks ${missing.join(', ')}.`);
    }
    await rm(libs, { recursive: true, force: true });
    await rename(output, libs);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  process.stderr.write(`kafka: jars ready in ${Date.now() - started} ms\n`);
}

function runMaven(mvn: string, cwd: string, args: readonly string[]): Promise<void> {
  return execMaven(mvn, cwd, args, (failure) => {
    const tail = failure.output.trim().split('\n').slice(-30).join('\n');
    return (
      `Kafka jar fetch failed: \`mvn ${args.join(' ')}\` in ${cwd} exited with ` +
      `${failure.exit}. Is Maven Central reachable?\n${tail}`
    );
  });
}

/** How a Maven run failed: its exit code or signal, and what it printed. */
export interface MavenFailure {
  readonly exit: string;
  readonly output: string;
}

/** Runs `mvn args` in `cwd` (15 min at most); rejects with the message `explain` makes. */
export function execMaven(
  mvn: string,
  cwd: string,
  args: readonly string[],
  explain: (failure: MavenFailure) => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      mvn,
      args,
      { cwd, timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve();
          return;
        }
        const exit = String(error.code ?? error.signal ?? 'an error');
        reject(new Error(explain({ exit, output: `${stdout}${stderr}` }), { cause: error }));
      },
    );
  });
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
