import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDialect } from './payload.ts';
import { fixtures, parseFile } from './testing.ts';

describe('payload formats', () => {
  it.each([
    [undefined, 'asyncapi'],
    ['application/vnd.aai.asyncapi;version=2.6.0', 'asyncapi'],
    ['application/vnd.aai.asyncapi+json;version=3.0.0', 'asyncapi'],
    ['application/vnd.aai.asyncapi+yaml;version=3.0.0', 'asyncapi'],
    ['application/schema+json;version=draft-07', 'asyncapi'],
    ['application/vnd.oai.openapi;version=3.0.0', 'openapi-3.0'],
    ['application/vnd.oai.openapi+json;version=3.1.0', 'openapi-3.1'],
    ['application/vnd.apache.avro;version=1.9.0', 'opaque'],
    ['application/vnd.apache.avro+json;version=1.9.0', 'opaque'],
    ['application/vnd.google.protobuf;version=3', 'opaque'],
    ['application/raml+yaml;version=1.0', 'opaque'],
  ])('%s → %s', (format, dialect) => {
    expect(formatDialect(format)).toBe(dialect);
  });

  it('reads an OpenAPI-format payload as OpenAPI (nullable becomes a null type)', async () => {
    const { api } = await parseFile(join(fixtures, 'kafka-v2.yaml'));
    const placed = api?.messages.find((m) => m.id === 'orderPlaced');
    expect(placed?.payload).toEqual({
      type: 'object',
      properties: { note: { type: ['string', 'null'] } },
    });
    expect(placed?.schemaFormat).toBeUndefined();
  });

  it('keeps an Avro payload opaque, with a located warning', async () => {
    const file = join(fixtures, 'kafka-v2.yaml');
    const { api, diagnostics } = await parseFile(file);
    const legacy = api?.messages.find((m) => m.id === 'legacyOrder');
    expect(legacy).toMatchObject({ schemaFormat: 'application/vnd.apache.avro;version=1.9.0' });
    expect(legacy).not.toHaveProperty('payload');
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'SG_SCHEMA_UNSUPPORTED',
        severity: 'warning',
        location: expect.objectContaining({
          file,
          pointer: '/components/messages/legacyOrder/payload',
        }),
      }),
    );
  });

  it('reads a v3 multi-format payload, inline or behind a $ref, under the component’s name', async () => {
    const file = resolve('/virtual/multi-format.yaml');
    const text = [
      'asyncapi: 3.0.0',
      'info:',
      '  title: t',
      "  version: '1'",
      'channels:',
      '  tasks:',
      '    address: tasks',
      '    messages:',
      '      inline:',
      '        payload:',
      '          schemaFormat: application/vnd.aai.asyncapi+json;version=3.0.0',
      '          schema:',
      '            type: string',
      '      referred:',
      '        payload:',
      "          $ref: '#/components/schemas/Wrapped'",
      'components:',
      '  schemas:',
      '    Wrapped:',
      '      schemaFormat: application/vnd.oai.openapi;version=3.0.0',
      '      schema:',
      '        type: integer',
      '        nullable: true',
    ].join('\n');
    const { api, diagnostics, schemas } = await parseFile(file, new Map([[file, text]]));
    expect(diagnostics).toEqual([]);
    expect(api?.messages.map((m) => [m.id, m.payload])).toEqual([
      ['inline', { type: 'string' }],
      ['referred', { $ref: '#/$defs/Wrapped' }],
    ]);
    expect(Object.keys(schemas)).toEqual(['Wrapped']);
    expect(schemas.Wrapped?.schema).toEqual({ type: ['integer', 'null'] });
  });
});
