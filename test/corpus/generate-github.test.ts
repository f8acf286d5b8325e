/**
 * Issue 11: `generate` from the GitHub REST API's OpenAPI document (the devDependency
 * `@octokit/openapi`, its `api.github.com.json`: about 1 200 operations and 1 000 schemas), with
 * every operation mapped to Kafka (kafka-counterpart.ts) and every target: it must end without
 * an error, in particular without SG_EMIT_TYPECHECK, with a route, a client method and a gateway
 * route for every operation and a type for every schema. A file of its own, so that it runs
 * beside the corpus test (it takes the longest: tens of seconds on a busy machine).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { configFromPaths } from '../../generator/config.ts';
import { typeContext } from '../../generator/emit/types/type-context.ts';
import { generate } from '../../generator/generate.ts';
import { kafkaCounterpartOf } from './kafka-counterpart.ts';

/** The document, from the installed package (bench B6 generates from the same file). */
const githubOpenApi = createRequire(import.meta.url).resolve(
  '@octokit/openapi/generated/api.github.com.json',
);

const work = mkdtempSync(join(tmpdir(), 'specgate-github-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('generates the GitHub REST API: every operation bound, every file type-checked', async () => {
  const counterpart = kafkaCounterpartOf(githubOpenApi);
  expect(counterpart.operationIds.length).toBeGreaterThan(1000);
  const asyncapi = join(work, 'asyncapi.json');
  writeFileSync(asyncapi, JSON.stringify(counterpart.document));
  const result = await generate(configFromPaths(githubOpenApi, asyncapi, join(work, 'out')));
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const { api, files } = result;
  if (api === undefined || files === undefined) throw new Error('nothing was generated');
  expect(api.routes.map((r) => r.http.operationId).sort()).toEqual(
    [...counterpart.operationIds].sort(),
  );
  const content = (path: string): string => files.find((f) => f.path === path)?.content ?? '';
  const client = content('client/index.ts');
  const gateway = content('gateway/spec.ts');
  for (const id of counterpart.operationIds) {
    expect(client.includes(`operationId: '${id}',`), id).toBe(true);
    expect(gateway.includes(`operationId: '${id}',`), id).toBe(true);
  }
  const declared = new Set(
    [...content('types.ts').matchAll(/^export (?:interface|type) ([\w$]+)/gmu)].map((m) => m[1]),
  );
  for (const names of typeContext(api).names.values()) {
    expect(declared.has(names.read), names.read).toBe(true);
    expect(declared.has(names.write), names.write).toBe(true);
  }
}, 180_000);
