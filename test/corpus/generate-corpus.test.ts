/**
 * Issue 11: `generate` (load, parse, bind, emit, type-check in memory, write) from every document
 * of the development corpus (shared/specs-corpus, SOURCES.md) that should be accepted, with every
 * target. Each OpenAPI document is paired with a Kafka counterpart mapping each of its operations
 * (kafka-counterpart.ts), so the gateway and the client are generated for every operation and
 * not only `types.ts`; each AsyncAPI document with the smallest OpenAPI counterpart
 * (fixtures/minimal-openapi.yaml), which gives its types and service code. Every run must end
 * without an error, in particular without SG_EMIT_TYPECHECK (emitted code that does not compile
 * with the strict options). The GitHub REST API is the same test on a large real document
 * (generate-github.test.ts).
 *
 * The documents that cannot generate are pinned too: the Adeo document's remote Avro `$ref`s are
 * not fetched offline, and the microcks pair's AsyncAPI side fails validation (SOURCES.md accepts
 * located errors for both); each must fail with exactly those errors and write nothing.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromPaths } from '../../generator/config.ts';
import type { Diagnostic } from '../../generator/diagnostics.ts';
import { typeContext } from '../../generator/emit/types/type-context.ts';
import { generate, type GenerateResult } from '../../generator/generate.ts';
import { kafkaCounterpartOf } from './kafka-counterpart.ts';

const corpus = resolve(
  process.env.SPECS_CORPUS ??
    fileURLToPath(new URL('../../../shared/specs-corpus/', import.meta.url)),
);
const minimalOpenApi = fileURLToPath(new URL('fixtures/minimal-openapi.yaml', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'specgate-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * SOURCES.md's OpenAPI documents to accept (accept, accept-edge), each with the number of its
 * operations that have an operationId (webhook-example has only a webhook; mega's one operation
 * has no id, so it cannot be mapped by id).
 */
const openapiDocuments: readonly (readonly [file: string, operations: number])[] = [
  ['openapi/OpenAPI-Specification__petstore.yaml', 3],
  ['openapi/OpenAPI-Specification__petstore-expanded.yaml', 4],
  ['openapi/OpenAPI-Specification__webhook-example.yaml', 0],
  ['openapi/text-generation-inference__openapi.json', 12],
  ['openapi/strimzi-kafka-bridge__openapi.json', 25],
  ['invalid/OpenAPI-Specification__mega.yaml', 0],
  ['pairs/microcks-testcontainers-java-spring-demo__order-service-openapi.yaml', 1],
];

/** SOURCES.md's AsyncAPI documents to accept, and the ignore-non-kafka ones (their types). */
const asyncapiDocuments = [
  'asyncapi/spec__streetlights-kafka-asyncapi.yml',
  'asyncapi/spec__streetlights-kafka.yml',
  'asyncapi/springwolf-core__asyncapi.yaml',
  'asyncapi/spec__kraken-websocket-request-reply-multiple-channels-asyncapi.yml',
  'asyncapi/spec__slack-rtm-asyncapi.yml',
  'asyncapi/spec__gitter-streaming-asyncapi.yml',
  'asyncapi/website__asyncapi.yaml',
  'invalid/parser-js__circular-refs.yaml',
];

async function generateInto(name: string, openapi: string, asyncapi: string) {
  const out = join(work, name.replace(/[^\w.-]+/g, '_'));
  const result = await generate(configFromPaths(openapi, asyncapi, out), { force: true });
  return { result, out };
}

/** What every successful run must show: no error, every schema a type, every route a method. */
function expectGenerated(result: GenerateResult): void {
  expect(errorsOf(result.diagnostics)).toEqual([]);
  expect(result.diagnostics.filter((d) => d.code === 'SG_EMIT_TYPECHECK')).toEqual([]);
  const { api, files } = result;
  if (api === undefined || files === undefined) throw new Error('nothing was generated');
  const content = (path: string): string => files.find((f) => f.path === path)?.content ?? '';
  expect(files.map((f) => f.path)).toEqual(
    expect.arrayContaining(['types.ts', 'gateway/spec.ts', 'client/index.ts']),
  );
  const declared = new Set(
    [...content('types.ts').matchAll(/^export (?:interface|type) ([\w$]+)/gmu)].map((m) => m[1]),
  );
  for (const names of typeContext(api).names.values()) {
    expect(declared.has(names.read), names.read).toBe(true);
    expect(declared.has(names.write), names.write).toBe(true);
  }
  const client = content('client/index.ts');
  const gateway = content('gateway/spec.ts');
  for (const route of api.routes) {
    expect(client).toContain(`operationId: '${route.http.operationId}',`);
    expect(gateway).toContain(`operationId: '${route.http.operationId}',`);
  }
}

describe('generate from the corpus: OpenAPI documents, every operation mapped to Kafka', () => {
  it.each(openapiDocuments)('%s (%i operations)', async (file, operations) => {
    const openapi = join(corpus, file);
    const counterpart = kafkaCounterpartOf(openapi);
    expect(counterpart.operationIds).toHaveLength(operations);
    const asyncapi = join(work, `${file.replace(/\W+/g, '_')}.asyncapi.json`);
    writeFileSync(asyncapi, JSON.stringify(counterpart.document));
    const { result } = await generateInto(file, openapi, asyncapi);
    expectGenerated(result);
    // Every operation with an operationId is bound, so its route code and method exist.
    expect(result.api?.routes.map((r) => r.http.operationId).sort()).toEqual(
      [...counterpart.operationIds].sort(),
    );
  });
});

describe('generate from the corpus: AsyncAPI documents', () => {
  it.each(asyncapiDocuments)('%s', async (file) => {
    const { result } = await generateInto(file, minimalOpenApi, join(corpus, file));
    expectGenerated(result);
    expect(result.api?.kafka.messages.length).toBeGreaterThan(0);
  });
});

describe('generate from the corpus: documents that cannot generate here', () => {
  it('the Adeo document: its remote Avro $refs are reported, nothing is written', async () => {
    const file = 'asyncapi/spec__adeo-kafka-request-reply-asyncapi.yml';
    const { result, out } = await generateInto(file, minimalOpenApi, join(corpus, file));
    expect(errorsOf(result.diagnostics).map((d) => d.code)).toEqual([
      'SG_REF_REMOTE',
      'SG_REF_REMOTE',
      'SG_REF_REMOTE',
    ]);
    expect(result.files).toBeUndefined();
    expect(existsSync(out)).toBe(false);
  });

  it('the microcks pair: its AsyncAPI side fails validation, nothing is written', async () => {
    const openapi = join(
      corpus,
      'pairs/microcks-testcontainers-java-spring-demo__order-service-openapi.yaml',
    );
    const asyncapi = join(
      corpus,
      'pairs/microcks-testcontainers-java-spring-demo__order-events-asyncapi.yaml',
    );
    const { result, out } = await generateInto('microcks-pair', openapi, asyncapi);
    expect(errorsOf(result.diagnostics).length).toBeGreaterThan(0);
    for (const d of errorsOf(result.diagnostics)) {
      expect(d.code).toBe('SG_ASYNCAPI_INVALID');
      expect(d.location?.file).toBe(asyncapi);
    }
    expect(existsSync(out)).toBe(false);
  });
});

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}
