/**
 * `specgate generate` run again with nothing changed answers from the generation cache
 * (generator/cache.ts) — and never when anything it depends on changed: a spec, a `$ref`'d file,
 * the config, or a generated file in the output folder.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'specgate-cache-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const fromCache = 'unchanged since the last run';

let dir = '';
let specs: { openapi: string; asyncapi: string; out: string } = {
  openapi: '',
  asyncapi: '',
  out: '',
};
let folders = 0;
beforeEach(() => {
  dir = join(temp, `project-${++folders}`);
  specs = {
    openapi: join(dir, 'openapi.yaml'),
    asyncapi: join(dir, 'asyncapi.yaml'),
    out: join(dir, 'generated'),
  };
  copyInto(dir);
});

function copyInto(folder: string): void {
  mkdirSync(folder, { recursive: true });
  copyFileSync(join(repo, 'specs/todo/openapi.yaml'), join(folder, 'openapi.yaml'));
  copyFileSync(join(repo, 'specs/todo/asyncapi.yaml'), join(folder, 'asyncapi.yaml'));
}

async function generate(...extra: string[]) {
  return runCli(['generate', specs.openapi, specs.asyncapi, '--out', specs.out, ...extra]);
}

describe('specgate generate, run again', () => {
  it('answers from the cache when nothing changed, with the same summary and exit code', async () => {
    const first = await generate();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Wrote 7 files');
    expect(first.stdout).not.toContain(fromCache);

    const second = await generate();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Wrote 0 files to .* \(7 unchanged, 0 removed\), 8 routes/);
    expect(second.stdout).toContain(fromCache);

    const check = await generate('--check');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/is up to date \(7 files, 8 routes\)/);
    expect(check.stdout).toContain(fromCache);
  });

  it('runs in full when a spec changed', async () => {
    await generate();
    const text = readFileSync(specs.openapi, 'utf8');
    writeFileSync(specs.openapi, text.replace('title: Todo', 'title: Todo list'));
    const again = await generate();
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain(fromCache);
    expect(again.stdout).toContain('Wrote');
    // And the next run, with that change made, is cached again.
    expect((await generate()).stdout).toContain(fromCache);
  });

  it('runs in full when a generated file was edited, and restores it', async () => {
    await generate();
    const types = join(specs.out, 'types.ts');
    const original = readFileSync(types, 'utf8');
    writeFileSync(types, `${original}// edited\n`);

    const check = await generate('--check');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('changed  types.ts');
    expect(check.stdout).not.toContain(fromCache);

    const again = await generate();
    expect(again.stdout).toContain('Wrote 1 file');
    expect(readFileSync(types, 'utf8')).toBe(original);
  });

  it('runs in full for another output folder', async () => {
    await generate();
    const elsewhere = await runCli([
      'generate',
      specs.openapi,
      specs.asyncapi,
      '--out',
      join(dir, 'other'),
    ]);
    expect(elsewhere.stdout).toContain('Wrote 7 files');
    expect(elsewhere.stdout).not.toContain(fromCache);
  });
});
