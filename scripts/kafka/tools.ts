// Finds the external programs the local Kafka needs (a JDK and Maven) and explains exactly what
// to install when one is missing, so a failing Kafka test says what to do instead of "ENOENT".
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Kafka 4.x brokers and tools need Java 17 or newer. */
export const MIN_JAVA_MAJOR = 17;

const INSTALL_HINT =
  'Install a JDK 17+ and Maven (Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless maven`; ' +
  'macOS: `brew install openjdk@17 maven`), or point the tests at a running broker with ' +
  'KAFKA_BROKERS=host:port.';

let javaPromise: Promise<string> | undefined;

/** The `java` to run Kafka with: `$JAVA_HOME/bin/java`, else the first on PATH; version checked. */
export function requireJava(): Promise<string> {
  javaPromise ??= locateJava();
  return javaPromise;
}

/** The `mvn` on PATH, needed only to fill the jar cache. */
export async function requireMaven(): Promise<string> {
  const mvn = await findOnPath('mvn');
  if (mvn === undefined) {
    throw new Error(
      `Kafka for tests: Maven (\`mvn\`) is not on PATH, and it is needed once per machine to ` +
        `fetch the Kafka jars from Maven Central. ${INSTALL_HINT}`,
    );
  }
  return mvn;
}

async function locateJava(): Promise<string> {
  const javaHome = process.env.JAVA_HOME;
  const fromHome =
    javaHome !== undefined && javaHome !== '' ? join(javaHome, 'bin', 'java') : undefined;
  const java =
    fromHome !== undefined && (await isExecutable(fromHome)) ? fromHome : await findOnPath('java');
  if (java === undefined) {
    throw new Error(
      `Kafka for tests: no \`java\` found (looked in $JAVA_HOME/bin and on PATH); Kafka needs ` +
        `Java ${MIN_JAVA_MAJOR} or newer. ${INSTALL_HINT}`,
    );
  }
  const major = await javaMajorVersion(java);
  if (major < MIN_JAVA_MAJOR) {
    throw new Error(
      `Kafka for tests: ${java} is Java ${major}, but Kafka needs Java ${MIN_JAVA_MAJOR} or ` +
        `newer. ${INSTALL_HINT}`,
    );
  }
  return java;
}

/** `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` or `"1.8.0_402"` to stderr. */
async function javaMajorVersion(java: string): Promise<number> {
  const { stdout, stderr } = await execFileAsync(java, ['-version'], { timeout: 30_000 });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
  const first = Number(match?.[1] ?? Number.NaN);
  const second = Number(match?.[2] ?? Number.NaN);
  if (Number.isNaN(first)) {
    throw new Error(`Kafka for tests: cannot read the Java version from \`${java} -version\`.`);
  }
  return first === 1 && !Number.isNaN(second) ? second : first;
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
