import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defineConfig, generate, validate } from './index.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'specgate-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
cpSync(join(repo, 'specs/todo'), join(dir, 'specs'), { recursive: true });

describe('the programmatic API', () => {
  it('generates from a typed config object, paths relative to cwd, and checks it', async () => {
    const config = defineConfig({
      openapi: 'specs/openapi.yaml',
      asyncapi: 'specs/asyncapi.yaml',
      out: 'out',
      targets: ['client'],
      runtime: { replyTimeoutMs: 5000 },
    });
    const result = await generate(config, { cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(result.write).toMatchObject({ status: 'done', checked: false });
    expect(readFileSync(join(dir, 'out/client/index.ts'), 'utf8')).toContain('createClient');
    const check = await generate(config, { cwd: dir, check: true });
    expect(check.write).toMatchObject({ status: 'done', checked: true, added: [], changed: [] });
  });

  it('reads a config file by path, and validates without writing', async () => {
    const result = await validate(join(repo, 'examples/todo/specgate.yaml'));
    expect(result.hasErrors).toBe(false);
    expect(result.api?.routes.map((route) => route.http.operationId)).toContain('createTask');
  });

  it('answers a bad config with located diagnostics, never a throw', async () => {
    const result = await generate(
      // A config from plain JavaScript, unchecked by TypeScript.
      JSON.parse('{"openapi": "specs/openapi.yaml", "asyncapi": 3, "outt": "x"}') as never,
      { cwd: dir },
    );
    expect(result.hasErrors).toBe(true);
    expect(result.write).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.code} ${d.location?.pointer ?? ''}`)).toEqual([
      'SG_CONFIG_INVALID /asyncapi',
      'SG_CONFIG_INVALID /outt',
    ]);
    const missing = await validate('nope/specgate.yaml', { cwd: dir });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['SG_LOAD_FILE_NOT_FOUND']);
  });
});
