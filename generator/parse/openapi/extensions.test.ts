import { describe, expect, it } from 'vitest';
import { parseText, withoutSource } from './testing.ts';

/** A document with one operation carrying `extension` (YAML flow text) under `name`. */
async function read(name: string, extension: string) {
  const { api, diagnostics } = await parseText(
    [
      'openapi: 3.0.3',
      'info: { title: T, version: "1" }',
      'paths:',
      '  /tasks/{id}:',
      '    get:',
      '      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
      `      ${name}: ${extension}`,
      '      responses: { "200": { description: ok } }',
      '',
    ].join('\n'),
  );
  const operation = api?.operations[0];
  const found = name === 'x-specgate' ? operation?.specgate : operation?.zilla;
  return {
    mapping: withoutSource(found),
    diagnostics: diagnostics.map(
      (d) => `${d.severity} ${d.location?.pointer.split('/').slice(4).join('/')}`,
    ),
  };
}

describe('x-specgate', () => {
  it.each([
    ['{}', {}, []],
    ['{ operation: doIt, owner: x-user }', { operation: 'doIt', owner: 'x-user' }, []],
    ['{ kind: stream }', { kind: 'stream' }, []],
    [
      '{ filters: [{ param: status, on: field }, { param: t, on: header, name: x-tenant }] }',
      {
        filters: [
          { param: 'status', on: 'field', name: 'status' },
          { param: 't', on: 'header', name: 'x-tenant' },
        ],
      },
      [],
    ],
    ['{ filters: [{ param: status, on: body }] }', {}, ['error x-specgate/filters/0']],
    ['{ overrides: { a: b, c: 1 } }', { overrides: { a: 'b' } }, ['error x-specgate/overrides/c']],
    ['yes', undefined, ['error x-specgate']],
  ])('%s', async (extension, mapping, diagnostics) => {
    expect(await read('x-specgate', extension)).toEqual({ mapping, diagnostics });
  });
});

describe('x-zilla-http-kafka', () => {
  it.each([
    ['{ key: "${idempotencyKey}" }', { key: '${idempotencyKey}' }, []],
    [
      '{ filters: [{ headers: { "zilla:identity": "${guarded[\'jwt\'].identity}" } }] }',
      { owner: 'zilla:identity' },
      [],
    ],
    [
      '{ filters: [{ headers: { kind: "${query.kind}", region: eu } }] }',
      { filters: [{ param: 'kind', on: 'header', name: 'kind' }] },
      ['warning x-zilla-http-kafka/filters/0/headers/region'],
    ],
    [
      '{ filters: [{ key: "${params.id}" }, { key: "{other}" }] }',
      { key: '${params.id}' },
      ['warning x-zilla-http-kafka/filters', 'warning x-zilla-http-kafka/filters/1/key'],
    ],
    ['{ method: POST }', {}, ['warning x-zilla-http-kafka/method']],
    ['{ key: 1 }', {}, ['error x-zilla-http-kafka/key']],
  ])('%s', async (extension, mapping, diagnostics) => {
    expect(await read('x-zilla-http-kafka', extension)).toEqual({ mapping, diagnostics });
  });
});
