/**
 * Schemathesis (PyPI) in a virtual environment of its own under node_modules/.cache, made on
 * first use with the machine's Python 3 and kept while its pinned version stays the same.
 */
import { spawn } from 'node:child_process';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../test/e2e/support.ts';

/** The one Schemathesis version the fuzz run installs and is known to pass with. */
export const schemathesisVersion = '4.32.5';

/** The run's configuration: the statuses each operation may answer schema-valid requests with. */
export const schemathesisConfig = join(repoRoot, 'scripts/fuzz/schemathesis.toml');

const venv = join(repoRoot, 'node_modules/.cache/specgate/schemathesis-venv');
const marker = join(venv, 'specgate-installed.txt');
const binary = join(venv, 'bin', 'schemathesis');

/**
 * The path of a `schemathesis` executable of {@link schemathesisVersion}, installing it first
 * when the cached environment is missing or holds another version. `PYTHON` names the
 * interpreter (default `python3`).
 */
export async function ensureSchemathesis(log: (line: string) => void): Promise<string> {
  const installed = await readFile(marker, 'utf8').catch(() => '');
  if (installed.trim() === schemathesisVersion && (await exists(binary))) return binary;
  const python = process.env.PYTHON ?? 'python3';
  log(`fuzz: installing schemathesis ${schemathesisVersion} into ${venv} (${python})`);
  await rm(venv, { recursive: true, force: true });
  await mkdir(join(venv, '..'), { recursive: true });
  await run(python, ['-m', 'venv', venv], 'create a Python virtual environment');
  await run(
    join(venv, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${schemathesisVersion}`],
    `install schemathesis ${schemathesisVersion} from PyPI`,
  );
  await writeFile(marker, `${schemathesisVersion}\n`);
  return binary;
}

export interface SchemathesisRun {
  /** The OpenAPI document. */
  readonly openapi: string;
  /** The API's base URL. */
  readonly url: string;
  readonly maxExamples: number;
  readonly seed: number;
  /** Where the JUnit report goes. */
  readonly reportDir: string;
}

/**
 * Runs `schemathesis run` over every operation and phase (examples, coverage, fuzzing, stateful)
 * with every check (turned on in {@link schemathesisConfig}), its output on ours; resolves to its
 * exit code.
 */
export function runSchemathesis(executable: string, options: SchemathesisRun): Promise<number> {
  const args = schemathesisArgs(options);
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

/** The command line, for running it again by hand. */
export function schemathesisArgs(options: SchemathesisRun): string[] {
  return [
    '--config-file',
    schemathesisConfig,
    'run',
    options.openapi,
    '--url',
    options.url,
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    // Hypothesis would keep failing examples in .hypothesis/ of the work tree and replay them.
    '--generation-database',
    'none',
    '--request-timeout',
    '20',
    '--report',
    'junit',
    '--report-dir',
    options.reportDir,
  ];
}

function run(command: string, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (error) => reject(new Error(`could not ${what}: ${error.message}`)));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`could not ${what}: ${command} exited ${code}`)),
    );
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
