import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countCodes, fixture, operation, parse, parseText, placed, positionOf } from './testing.ts';

describe('a spec split across files (fixtures/multi)', () => {
  const root = fixture('multi/openapi.yaml');
  const second = fixture('multi/schemas/task.yaml');
  const secondText = readFileSync(second, 'utf8');

  it('names schemas reached through file refs, once each, and reports nothing', async () => {
    const { api, registry, diagnostics } = await parse(root);
    expect(diagnostics).toEqual([]);
    const schemas = registry.all();
    expect(Object.keys(schemas)).toEqual(['Task', 'TaskId', 'TaskList', 'user']);
    expect(schemas.Task?.schema).toMatchObject({
      properties: { id: { $ref: '#/$defs/TaskId' }, owner: { $ref: '#/$defs/user' } },
    });
    // Task is referenced from the request body, two responses and TaskList: one named schema.
    const create = operation(api, 'post', '/tasks');
    expect(create.requestBody?.content[0]?.schema).toEqual({ $ref: '#/$defs/Task' });
    expect(create.responses[0]?.content[0]?.schema).toEqual({ $ref: '#/$defs/Task' });
    expect(operation(api, 'get', '/tasks/{id}').responses[0]?.content[0]?.schema).toEqual({
      $ref: '#/$defs/Task',
    });
    expect(schemas.TaskList?.schema).toEqual({ type: 'array', items: { $ref: '#/$defs/Task' } });
  });

  it('locates nodes written in the second file there', async () => {
    const { api, registry } = await parse(root);
    const schemas = registry.all();
    expect(schemas.Task?.source).toEqual({ file: second, pointer: '/Task', line: 1, column: 1 });
    expect(schemas.TaskId?.source).toEqual({
      file: second,
      pointer: '/TaskId',
      ...positionOf(secondText, 'TaskId:'),
    });
    expect(schemas.user?.source.file).toBe(fixture('multi/schemas/user.yaml'));
    const parameter = operation(api, 'get', '/tasks/{id}').parameters[0];
    expect(parameter).toMatchObject({ name: 'id', in: 'path', schema: { $ref: '#/$defs/TaskId' } });
    expect(parameter?.source).toEqual({
      file: second,
      pointer: '/parameters/TaskId',
      ...positionOf(secondText, 'TaskId:', positionOf(secondText, 'parameters:').line),
    });
    const created = operation(api, 'post', '/tasks').responses[0];
    expect(created).toMatchObject({ status: '201', description: 'Created' });
    expect(created?.source).toEqual({
      file: second,
      pointer: '/responses/Created',
      ...positionOf(secondText, 'Created:'),
    });
    expect(created?.headers).toEqual([
      {
        name: 'location',
        required: true,
        schema: { type: 'string' },
        source: {
          file: second,
          pointer: '/responses/Created/headers/Location',
          ...positionOf(secondText, 'Location:'),
        },
      },
    ]);
  });

  it('reports a ref to a missing file where the ref is written', async () => {
    const file = '/virtual/api.yaml';
    const text = [
      'openapi: 3.0.3',
      'info: { title: T, version: "1" }',
      'paths:',
      '  /a:',
      '    $ref: "./items/a.yaml"',
      '',
    ].join('\n');
    const { api, diagnostics } = await parse(file, { [file]: text });
    expect(api?.operations).toEqual([]);
    // at the path item that holds the $ref, as for schemas
    expect(placed(diagnostics)).toEqual(['SG_LOAD_FILE_NOT_FOUND 4:3 /paths/~1a']);
  });
});

describe('schemas', () => {
  it('terminates on a recursive schema and refers to itself', async () => {
    const { api, registry, diagnostics } = await parse(fixture('tree.yaml'));
    expect(diagnostics).toEqual([]);
    expect(registry.all().Tree?.schema).toEqual({
      type: 'object',
      properties: {
        value: { type: 'integer' },
        children: { type: 'array', items: { $ref: '#/$defs/Tree' } },
      },
    });
    expect(operation(api, 'get', '/trees/{id}').responses[0]?.content[0]?.schema).toEqual({
      $ref: '#/$defs/Tree',
    });
  });

  it('normalises OpenAPI 3.0 nullable', async () => {
    const { api, registry, diagnostics } = await parse(fixture('nullable.yaml'));
    expect(diagnostics).toEqual([]);
    const thing = registry.all().Thing?.schema;
    const cases: [string, unknown][] = [
      ['name', { type: ['string', 'null'] }],
      ['status', { type: ['string', 'null'], enum: ['open', 'done', null] }],
      ['parent', { anyOf: [{ allOf: [{ $ref: '#/$defs/Thing' }] }, { type: 'null' }] }],
      ['other', { $ref: '#/$defs/Other' }],
      ['plain', { type: 'string' }],
    ];
    for (const [property, want] of cases) {
      expect(typeof thing === 'object' ? thing.properties?.[property] : undefined).toEqual(want);
    }
    expect(registry.all().Other?.schema).toEqual({ type: ['integer', 'null'] });
    expect(operation(api, 'get', '/things').parameters[0]?.schema).toEqual({
      type: ['string', 'null'],
    });
  });

  it('registers unreferenced component schemas under their own names', async () => {
    const { registry } = await parseText(
      [
        'openapi: 3.1.0',
        'info: { title: T, version: "1" }',
        'components:',
        '  schemas:',
        '    Unused: { type: string }',
        '    Used: { $ref: "#/components/schemas/Unused" }',
        '',
      ].join('\n'),
    );
    expect(registry.all()).toMatchObject({
      Unused: { name: 'Unused', schema: { type: 'string' } },
      Used: { name: 'Used', schema: { $ref: '#/$defs/Unused' } },
    });
  });
});

describe('reading on after problems', () => {
  it('builds what it can read and reports the rest, all at once', async () => {
    const text = [
      'openapi: 3.0.3', //                                  1
      'info: { title: T, version: "1" }',
      'paths:',
      '  /a/{id}:',
      '    parameters:', //                                 5
      '      - $ref: "#/components/parameters/Nope"',
      '    get:',
      '      responses:',
      '        "200": { description: ok }',
      '        "2YY": { description: odd }', //            10
      '      security:',
      '        - nobody: []',
      '    post:',
      '      parameters:',
      '        - { name: x, in: body }', //                 15
      '      responses: { "204": { description: done } }',
      'components:',
      '  parameters:',
      '    Loop: { $ref: "#/components/parameters/Loop" }',
      '',
    ].join('\n');
    const { api, diagnostics } = await parseText(text);
    expect(api?.operations.map((o) => `${o.method} ${o.responses.map((r) => r.status)}`)).toEqual([
      'get 200',
      'post 204',
    ]);
    expect(placed(diagnostics)).toEqual([
      'SG_REF_UNRESOLVED 6:9 /paths/~1a~1{id}/parameters/0',
      'SG_OPENAPI_INVALID 10:9 /paths/~1a~1{id}/get/responses/2YY',
      'SG_OPENAPI_INVALID 12:11 /paths/~1a~1{id}/get/security/0/nobody',
      'SG_OPENAPI_INVALID 15:22 /paths/~1a~1{id}/post/parameters/0/in',
    ]);
    expect(countCodes(diagnostics)).toEqual({ SG_OPENAPI_INVALID: 3, SG_REF_UNRESOLVED: 1 });
  });

  it('stops at a $ref chain that leads back to itself', async () => {
    const text = [
      'openapi: 3.0.3',
      'info: { title: T, version: "1" }',
      'paths:',
      '  /a:',
      '    get:',
      '      parameters:',
      '        - $ref: "#/components/parameters/Loop"',
      '      responses: { "204": { description: done } }',
      'components:',
      '  parameters:',
      '    Loop: { $ref: "#/components/parameters/Loop" }',
      '',
    ].join('\n');
    const { api, diagnostics } = await parseText(text);
    expect(operation(api, 'get', '/a').parameters).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.location?.line])).toContainEqual([
      'SG_OPENAPI_INVALID',
      7,
    ]);
  });
});
