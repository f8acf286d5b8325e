/**
 * `generate()` and `specgate generate` on the todo specs, in temp folders: write, `--check`
 * clean, a spec change → `--check` fails naming the file, nothing written on errors, the
 * config file's `out`/`targets`, refusal of a foreign folder, and the machine formats.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';
import { configFromPaths } from './config.ts';
import { Diagnostics } from './diagnostics.ts';
import { generate, reportTypeErrors } from './generate.ts';
import { manifestName } from './write.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'specgate-generate-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A fresh copy of the todo specs; returns its folder and spec paths. */
function todoCopy(name: string): { dir: string; openapi: string; asyncapi: string } {
  const dir = join(temp, name);
  mkdirSync(dir);
  const openapi = join(dir, 'openapi.yaml');
  const asyncapi = join(dir, 'asyncapi.yaml');
  copyFileSync(join(repo, 'specs/todo/openapi.yaml'), openapi);
  copyFileSync(join(repo, 'specs/todo/asyncapi.yaml'), asyncapi);
  return { dir, openapi, asyncapi };
}

/** Runs `main(argv)` in this process, capturing stdout and stderr. */
async function run(
  argv: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture(stdout));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture(stderr));
  try {
    const code = await main(argv);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const generatedPaths = [
  'gateway/requests.ts',
  'gateway/routes.ts',
  'gateway/server.ts',
  'gateway/spec.ts',
  'types.ts',
];

describe('specgate generate', () => {
  it('writes the gateway, is clean under --check, and --check names the file a spec change alters', async () => {
    const specs = todoCopy('cycle');
    const out = join(specs.dir, 'out');
    const first = await run(['generate', specs.openapi, specs.asyncapi, '--out', out]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /Wrote 5 files to .*out \(0 unchanged, 0 removed\), 6 routes served, 1 not served yet/,
    );
    for (const path of [...generatedPaths, manifestName])
      expect(existsSync(join(out, path))).toBe(true);

    const clean = await run(['generate', specs.openapi, specs.asyncapi, '--out', out, '--check']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/is up to date \(5 files, 6 routes served/);

    // The CreateTask command's type tag changes: only the route spec carries it.
    const text = readFileSync(specs.asyncapi, 'utf8');
    expect(text).toContain('const: CreateTask\n');
    writeFileSync(specs.asyncapi, text.replace('const: CreateTask\n', 'const: CreateTaskV2\n'));
    const drift = await run(['generate', specs.openapi, specs.asyncapi, '--out', out, '--check']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('is out of date; `specgate generate` would change:\n');
    expect(drift.stdout).toContain('  changed  gateway/spec.ts\n');
    expect(drift.stdout).not.toContain('routes.ts');
    expect(readFileSync(join(out, 'gateway/spec.ts'), 'utf8')).toContain("text: 'CreateTask' }");

    const again = await run(['generate', specs.openapi, specs.asyncapi, '--out', out]);
    expect(again.stdout).toMatch(/Wrote 1 file to .*\(4 unchanged, 0 removed\)/);
    expect(readFileSync(join(out, 'gateway/spec.ts'), 'utf8')).toContain("text: 'CreateTaskV2' }");
    expect(
      (await run(['generate', specs.openapi, specs.asyncapi, '--out', out, '--check'])).code,
    ).toBe(0);
  });

  it('reads out and targets from the config file, and names specs relative to it', async () => {
    const specs = todoCopy('config');
    const config = join(specs.dir, 'specgate.yaml');
    writeFileSync(
      config,
      'openapi: openapi.yaml\nasyncapi: asyncapi.yaml\nout: gen\ntargets: [client]\n',
    );
    const result = await run(['generate', '--config', config]);
    expect(result.code).toBe(0);
    // No gateway target: only the types every target shares (client and service come later).
    expect(existsSync(join(specs.dir, 'gen/types.ts'))).toBe(true);
    expect(existsSync(join(specs.dir, 'gen/gateway'))).toBe(false);
    expect(readFileSync(join(specs.dir, 'gen/types.ts'), 'utf8').split('\n')[0]).toBe(
      '// Generated by specgate from openapi.yaml and asyncapi.yaml. Do not edit.',
    );
  });

  it('writes nothing when the specs have errors', async () => {
    const specs = todoCopy('broken');
    const text = readFileSync(specs.asyncapi, 'utf8');
    writeFileSync(specs.asyncapi, text.replace('address: task-replies', 'address: [task-replies]'));
    const out = join(specs.dir, 'out');
    const result = await run(['generate', specs.openapi, specs.asyncapi, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/[1-9]\d* errors?/);
    expect(result.stderr).toContain('nothing written');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a non-empty folder it did not generate, unless --force', async () => {
    const specs = todoCopy('foreign');
    const out = join(specs.dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.ts'), 'export {};\n');
    const refused = await run(['generate', specs.openapi, specs.asyncapi, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pass --force');
    expect(existsSync(join(out, 'types.ts'))).toBe(false);

    const forced = await run(['generate', specs.openapi, specs.asyncapi, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(existsSync(join(out, 'types.ts'))).toBe(true);
    expect(readFileSync(join(out, 'mine.ts'), 'utf8')).toBe('export {};\n');
  });

  it('keeps stdout for the diagnostics in a machine format', async () => {
    const specs = todoCopy('json');
    const result = await run([
      'generate',
      specs.openapi,
      specs.asyncapi,
      '--out',
      join(specs.dir, 'out'),
      '--format',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ diagnostics: [] });
    expect(result.stderr).toContain('Wrote 5 files');
  });

  it('answers a usage error with exit 2', async () => {
    const result = await run(['generate', 'only-one.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('specgate generate: give --config FILE');
  });
});

describe('generate()', () => {
  it('returns the emitted files and what the write did', async () => {
    const specs = todoCopy('function');
    const config = configFromPaths(specs.openapi, specs.asyncapi, join(specs.dir, 'out'));
    const result = await generate(config, { check: true });
    expect(result.hasErrors).toBe(false);
    expect(result.files?.map((f) => f.path).sort()).toEqual(generatedPaths);
    expect(result.write).toMatchObject({ status: 'done', checked: true, unchanged: [] });
    expect(existsSync(join(specs.dir, 'out'))).toBe(false);
  });
});

describe('reportTypeErrors', () => {
  it('reports a generated file that does not type-check as an error at its place', () => {
    const diagnostics = new Diagnostics();
    const files = [{ path: 'types.ts', content: 'export const x: number = "one";\n' }];
    reportTypeErrors(files, '/out', diagnostics);
    expect(diagnostics.hasErrors).toBe(true);
    expect(diagnostics.items).toEqual([
      expect.objectContaining({
        code: 'SG_EMIT_TYPECHECK',
        severity: 'error',
        message: expect.stringContaining('generated types.ts does not type-check'),
        location: { file: '/out/types.ts', pointer: '', line: 1, column: 14 },
      }),
    ]);
  });

  it('reports nothing for files that compile', () => {
    const diagnostics = new Diagnostics();
    reportTypeErrors([{ path: 'types.ts', content: 'export const x = 1;\n' }], '/out', diagnostics);
    expect(diagnostics.items).toEqual([]);
  });
});
