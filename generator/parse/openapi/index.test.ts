import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countCodes, parse, placed, positionOf } from './testing.ts';

const corpus = '/work/shared/specs-corpus';

/** What each OpenAPI file of the corpus yields (SOURCES.md says what a correct generator does). */
const table = [
  {
    file: 'openapi/OpenAPI-Specification__petstore.yaml',
    operations: 3,
    webhooks: 0,
    schemas: 3,
    codes: {},
  },
  {
    file: 'openapi/OpenAPI-Specification__petstore-expanded.yaml',
    operations: 4,
    webhooks: 0,
    schemas: 3,
    codes: {},
  },
  {
    file: 'openapi/OpenAPI-Specification__webhook-example.yaml',
    operations: 0,
    webhooks: 1,
    schemas: 1,
    codes: {},
  },
  {
    file: 'openapi/strimzi-kafka-bridge__openapi.json',
    operations: 25,
    webhooks: 0,
    schemas: 28,
    codes: {},
  },
  // accept, with a warning per numeric exclusiveMinimum in a 3.0.3 document
  {
    file: 'openapi/text-generation-inference__openapi.json',
    operations: 12,
    webhooks: 0,
    schemas: 55,
    codes: { SG_OPENAPI_LAX: 9 },
  },
  {
    file: 'invalid/OpenAPI-Specification__invalid_schema_types.yaml',
    operations: 0,
    webhooks: 0,
    schemas: 3,
    codes: { SG_SCHEMA_INVALID: 3 },
  },
  {
    file: 'invalid/OpenAPI-Specification__mega.yaml',
    operations: 1,
    webhooks: 1,
    schemas: 1,
    codes: {},
  },
  {
    file: 'invalid/codegen-cli__openapi.yaml',
    operations: 1,
    webhooks: 0,
    schemas: 0,
    codes: { SG_LOAD_FILE_NOT_FOUND: 1 },
  },
  {
    file: 'pairs/microcks-testcontainers-java-spring-demo__order-service-openapi.yaml',
    operations: 1,
    webhooks: 0,
    schemas: 4,
    codes: {},
  },
];

describe('parseOpenApi over the corpus', () => {
  it.each(table)('$file', async ({ file, operations, webhooks, schemas, codes }) => {
    const { api, diagnostics, registry } = await parse(join(corpus, file));
    expect(api?.operations).toHaveLength(operations);
    expect(api?.webhooks).toHaveLength(webhooks);
    expect(Object.keys(registry.all())).toHaveLength(schemas);
    expect(countCodes(diagnostics)).toEqual(codes);
  });

  it('covers every OpenAPI file of the corpus', () => {
    const openapi = [
      ...readdirSync(join(corpus, 'openapi')).map((f) => `openapi/${f}`),
      ...readdirSync(join(corpus, 'invalid'))
        .filter((f) => /^openapi:/m.test(readFileSync(join(corpus, 'invalid', f), 'utf8')))
        .map((f) => `invalid/${f}`),
      ...readdirSync(join(corpus, 'pairs'))
        .filter((f) => f.includes('openapi'))
        .map((f) => `pairs/${f}`),
    ];
    expect(table.map((row) => row.file).sort()).toEqual(openapi.sort());
  });

  it('rejects invalid_schema_types at each bad schema', async () => {
    const file = join(corpus, 'invalid/OpenAPI-Specification__invalid_schema_types.yaml');
    const text = readFileSync(file, 'utf8');
    const { diagnostics } = await parse(file);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(placed(diagnostics)).toEqual(
      ['invalid_null', 'invalid_number', 'invalid_array'].map((name) => {
        const { line, column } = positionOf(text, `${name}:`);
        return `SG_SCHEMA_INVALID ${line}:${column} /components/schemas/${name}`;
      }),
    );
  });

  it('locates the unresolvable $ref of codegen-cli, quickly', async () => {
    const file = join(corpus, 'invalid/codegen-cli__openapi.yaml');
    const started = performance.now();
    const { diagnostics } = await parse(file);
    expect(performance.now() - started).toBeLessThan(3000);
    const { line, column } = positionOf(readFileSync(file, 'utf8'), '$ref:');
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'SG_LOAD_FILE_NOT_FOUND',
        severity: 'error',
        location: expect.objectContaining({
          // the schema holding the $ref
          line: line - 1,
          column: column - 2,
          pointer: '/paths/~1pets/get/responses/200/content/application~1json/schema',
        }),
      }),
    ]);
    expect(diagnostics[0]?.message).toContain('COMPONENTS_URL');
  });

  it('accepts text-generation-inference with warnings located at each lenient schema', async () => {
    const file = join(corpus, 'openapi/text-generation-inference__openapi.json');
    const { api, diagnostics } = await parse(file);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(diagnostics.map((d) => d.location?.pointer)).toContain(
      '/components/schemas/GenerateParameters/properties/best_of',
    );
    const sse = api?.operations.find((o) => o.path === '/generate_stream');
    expect(sse?.responses.map((r) => r.content.map((c) => c.mediaType))).toEqual(
      Array(5).fill(['text/event-stream']),
    );
  });

  it('reads mega: webhook $ref to components.pathItems, mutualTLS, empty path item', async () => {
    const { api, registry } = await parse(join(corpus, 'invalid/OpenAPI-Specification__mega.yaml'));
    expect(api?.operations.map((o) => `${o.method} ${o.path} ${o.operationId}`)).toEqual([
      'get / get',
    ]);
    expect(api?.webhooks.map((o) => `${o.method} ${o.path} ${o.operationId}`)).toEqual([
      'post myWebhook postMyWebhook',
    ]);
    expect(api?.webhooks[0]?.source.pointer).toBe('/components/pathItems/myPathItem/post');
    expect(api?.securitySchemes).toEqual([
      expect.objectContaining({ name: 'mtls', type: 'mutualTLS' }),
    ]);
    const body = api?.webhooks[0]?.requestBody?.content[0]?.schema;
    expect(body).toMatchObject({
      properties: { either: { type: ['string', 'null'] }, int: { exclusiveMinimum: 0 } },
      discriminator: { propertyName: 'type', mapping: { foo: '#/$defs/Foo' } },
    });
    expect(Object.keys(registry.all())).toEqual(['Foo']);
  });
});
