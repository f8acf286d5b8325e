import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'specgate-progress-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('prints a progress line per stage with --progress, on stderr, and none without', async () => {
  const specs = [join(repo, 'specs/todo/openapi.yaml'), join(repo, 'specs/todo/asyncapi.yaml')];
  const run = await runCli(['generate', ...specs, '--out', join(out, 'a'), '--progress']);
  expect(run.code).toBe(0);
  const stages = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('specgate: '))
    .map((line) => line.replace(/^specgate: (.*?)… \(\d+\.\d s\)$/, '$1'));
  expect(stages).toEqual([
    'reading the specs',
    'emitting gateway, client, service for 8 routes',
    expect.stringMatching(/^type-checking 7 files \(\d+ KiB\)$/),
    'writing',
  ]);
  expect(run.stdout).not.toContain('specgate: ');
  const quiet = await runCli(['generate', ...specs, '--out', join(out, 'b')]);
  expect(quiet.stderr).not.toContain('specgate: reading');
});
