/**
 * `specgate generate --watch` (issue 11): run as a user runs it, it generates, then generates
 * again when a spec is edited; an edit that breaks the spec prints the located diagnostic and
 * leaves the last good output in place; fixing it generates again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'specgate-watch-'));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('generates again on each edit, and keeps the last good output through a broken one', async () => {
  const openapi = join(dir, 'openapi.yaml');
  copyFileSync(join(repo, 'specs/todo/openapi.yaml'), openapi);
  copyFileSync(join(repo, 'specs/todo/asyncapi.yaml'), join(dir, 'asyncapi.yaml'));
  const types = join(dir, 'generated/types.ts');
  child = spawn(
    process.execPath,
    [join(repo, 'bin/specgate.js'), 'generate', '--watch', 'openapi.yaml', 'asyncapi.yaml'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  /** Resolves once the watcher has finished its `n`th run and waits again. */
  const runs = async (n: number): Promise<void> => {
    await expect
      .poll(() => output.split('Watching ').length - 1, { timeout: 60_000, interval: 100 })
      .toBeGreaterThanOrEqual(n);
  };

  await runs(1);
  expect(readFileSync(types, 'utf8')).not.toContain('WATCHED');
  const original = readFileSync(openapi, 'utf8');
  const edited = original.replace(/^( {4}Task:\n {6}description: )/m, '$1WATCHED. ');
  expect(edited).not.toBe(original);
  writeFileSync(openapi, edited);
  await runs(2);
  expect(readFileSync(types, 'utf8')).toContain('WATCHED');

  // Broken: a mapping where a list must be, on a line of its own.
  writeFileSync(openapi, edited.replace(/^security: \[\]$/m, 'security: {'));
  await runs(3);
  expect(output).toMatch(/openapi\.yaml:\d+:\d+/);
  expect(output).toContain('error');
  expect(readFileSync(types, 'utf8')).toContain('WATCHED');

  writeFileSync(openapi, original);
  await runs(4);
  expect(readFileSync(types, 'utf8')).not.toContain('WATCHED');
}, 120_000);
