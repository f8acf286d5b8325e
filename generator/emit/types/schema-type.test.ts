/** Schema → TypeScript type, as a table of given → want (the type as `typeExpression` writes it). */
import { describe, expect, it } from 'vitest';
import type { Schema } from '../../ir/types.ts';
import { apiOf } from './testing.ts';
import { typeContext, type TypeOptions } from './type-context.ts';
import { typeExpression, typeReferences } from './type-expression.ts';

const ref = (id: string): Schema => ({ $ref: `#/$defs/${id}` });

/** Named schemas the rows refer to. */
const named: { [id: string]: Schema } = {
  Pet: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  Cat: { type: 'object', properties: { kind: { const: 'cat' }, lives: { type: 'integer' } } },
  Dog: { type: 'object', properties: { bark: { type: 'boolean' } } },
  Task: {
    type: 'object',
    properties: {
      id: { type: 'string', readOnly: true },
      title: { type: 'string' },
      secret: { type: 'string', writeOnly: true },
    },
    required: ['id', 'title'],
  },
};

function expression(schema: Schema, options: TypeOptions & { write?: boolean } = {}): string {
  const ctx = typeContext(apiOf(named), options);
  return typeExpression(schema, ctx, { direction: options.write === true ? 'write' : 'read' });
}

describe('schema → type', () => {
  it.each<[string, Schema, string]>([
    ['true is unknown', true, 'unknown'],
    ['false is never', false, 'never'],
    ['the empty schema is unknown', {}, 'unknown'],
    ['only annotations is unknown', { description: 'x', minLength: 2 }, 'unknown'],
    ['string', { type: 'string' }, 'string'],
    ['integer is number', { type: 'integer' }, 'number'],
    ['integer or number', { type: ['integer', 'number'] }, 'number'],
    ['boolean', { type: 'boolean' }, 'boolean'],
    ['null', { type: 'null' }, 'null'],
    ['nullable', { type: ['string', 'null'] }, 'string | null'],
    ['a type array', { type: ['string', 'integer', 'boolean'] }, 'string | number | boolean'],
    ['date-time is a string', { type: 'string', format: 'date-time' }, 'string'],
    ['const string', { const: "it's" }, `"it's"`],
    ['const number', { const: 1.5 }, '1.5'],
    ['const big number', { const: 1e21 }, '1e21'],
    ['const negative', { const: -2 }, '-2'],
    ['const null', { const: null }, 'null'],
    ['const array', { const: [1, 'a'] }, "readonly [1, 'a']"],
    ['const object', { const: { b: true, a: 1 } }, '{\n  readonly a: 1;\n  readonly b: true;\n}'],
    ['const empty object', { const: {} }, '{ readonly [key: string]: never }'],
    ['enum', { enum: ['a', 'b'] }, "'a' | 'b'"],
    ['enum of mixed types', { enum: ['a', 1, true, null] }, "'a' | 1 | true | null"],
    ['enum filtered by type', { type: 'string', enum: ['a', 1] }, "'a'"],
    ['enum of integers', { type: 'integer', enum: [1, 1.5, 2] }, '1 | 2'],
    ['nullable enum', { type: ['string', 'null'], enum: ['a', null] }, "'a' | null"],
    ['enum at odds with its type is kept', { type: 'object', enum: ['a'] }, "'a'"],
    ['duplicate enum values', { enum: ['a', 'a'] }, "'a'"],
    ['an open object', { type: 'object' }, '{ readonly [key: string]: unknown }'],
    [
      'a closed empty object',
      { type: 'object', additionalProperties: false },
      '{ readonly [key: string]: never }',
    ],
    [
      'one required property',
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
      '{ readonly a: string }',
    ],
    [
      'properties sorted, optional unless required',
      { type: 'object', properties: { b: {}, a: { type: 'string' } }, required: ['b'] },
      '{\n  readonly a?: string;\n  readonly b: unknown;\n}',
    ],
    [
      'properties imply an object',
      { properties: { a: { type: 'number' } } },
      '{ readonly a?: number }',
    ],
    [
      'a required name without a schema',
      { type: 'object', required: ['a'] },
      '{ readonly a: unknown }',
    ],
    [
      'a map',
      { type: 'object', additionalProperties: { type: 'string' } },
      '{ readonly [key: string]: string }',
    ],
    [
      'properties and a map: the index takes the properties too',
      {
        type: 'object',
        properties: { a: { type: 'number' } },
        additionalProperties: { type: 'string' },
      },
      '{\n  readonly a?: number;\n  readonly [key: string]: string | number | undefined;\n}',
    ],
    [
      'properties and extension members',
      {
        type: 'object',
        properties: { a: { type: 'number' } },
        required: ['a'],
        additionalProperties: true,
      },
      '{\n  readonly a: number;\n  readonly [key: string]: unknown;\n}',
    ],
    [
      'pattern properties',
      {
        type: 'object',
        patternProperties: { '^x-': { type: 'string' } },
        additionalProperties: false,
      },
      '{ readonly [key: string]: string }',
    ],
    [
      'a key that is no identifier',
      { properties: { 'content-type': { type: 'string' } } },
      "{ readonly 'content-type'?: string }",
    ],
    [
      'property docs',
      {
        properties: { a: { type: 'string', description: 'The a.\n\nSee */ b.', deprecated: true } },
      },
      '{\n  /**\n   * The a.\n   *\n   * See *\\/ b.\n   * @deprecated\n   */\n  readonly a?: string;\n}',
    ],
    ['an array', { type: 'array', items: { type: 'string' } }, 'readonly string[]'],
    ['an array of anything', { type: 'array' }, 'readonly unknown[]'],
    ['items imply an array', { items: { type: 'number' } }, 'readonly number[]'],
    [
      'an array of a union',
      { type: 'array', items: { type: ['string', 'null'] } },
      'readonly (string | null)[]',
    ],
    [
      'an array of arrays',
      { type: 'array', items: { type: 'array', items: { type: 'string' } } },
      'readonly (readonly string[])[]',
    ],
    [
      'an array of objects',
      { type: 'array', items: { properties: { a: { type: 'string' } } } },
      'readonly { readonly a?: string }[]',
    ],
    ['no items allowed', { type: 'array', items: false }, 'readonly []'],
    [
      'a tuple: past minItems optional, then anything',
      { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 1 },
      'readonly [string, number?, ...unknown[]]',
    ],
    [
      'a closed tuple',
      {
        type: 'array',
        prefixItems: [{ type: 'string' }, { type: 'number' }],
        minItems: 2,
        items: false,
      },
      'readonly [string, number]',
    ],
    [
      'a tuple closed by maxItems',
      { type: 'array', prefixItems: [{ type: 'string' }], minItems: 1, maxItems: 1 },
      'readonly [string]',
    ],
    [
      'a tuple with a rest',
      { type: 'array', prefixItems: [{ type: 'string' }], minItems: 1, items: { type: 'boolean' } },
      'readonly [string, ...boolean[]]',
    ],
    ['a reference', ref('Pet'), 'Pet'],
    ['a reference to nothing', ref('Missing'), 'unknown'],
    ['oneOf', { oneOf: [ref('Pet'), ref('Dog')] }, 'Pet | Dog'],
    ['anyOf with null', { anyOf: [ref('Pet'), { type: 'null' }] }, 'Pet | null'],
    [
      'anyOf of one allOf (a nullable ref)',
      { anyOf: [{ allOf: [ref('Pet')] }, { type: 'null' }] },
      'Pet | null',
    ],
    ['oneOf with anything', { oneOf: [ref('Pet'), {}] }, 'unknown'],
    ['oneOf of literals and their type', { oneOf: [{ const: 'a' }, { type: 'string' }] }, 'string'],
    [
      'type object beside oneOf adds nothing',
      { type: 'object', oneOf: [ref('Pet'), ref('Dog')] },
      'Pet | Dog',
    ],
    [
      'own properties beside oneOf',
      { properties: { id: { type: 'string' } }, required: ['id'], oneOf: [ref('Pet'), ref('Dog')] },
      '{ readonly id: string } & (Pet | Dog)',
    ],
    [
      'allOf of objects is one object',
      {
        allOf: [
          { properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'number' }, a: { const: 'x' } } },
        ],
      },
      "{\n  readonly a: 'x';\n  readonly b?: number;\n}",
    ],
    [
      'allOf of a ref and an object',
      { allOf: [ref('Pet'), { properties: { age: { type: 'integer' } } }] },
      'Pet & { readonly age?: number }',
    ],
    [
      'allOf that makes a property required',
      { allOf: [ref('Dog'), { required: ['bark'] }] },
      'Dog & { readonly bark: unknown }',
    ],
    ['allOf of one', { allOf: [ref('Pet')] }, 'Pet'],
    [
      'a documented enum: a type and one const per value',
      { type: 'string', oneOf: [{ const: 'a', description: 'The a.' }, { const: 'b' }] },
      "'a' | 'b'",
    ],
    [
      'nullable beside literals',
      { type: ['string', 'null'], anyOf: [{ const: 'a' }] },
      "(string | null) & 'a'",
    ],
    ['allOf with false', { allOf: [ref('Pet'), false] }, 'never'],
    [
      'a discriminator tags each branch, by mapping or by name',
      {
        oneOf: [ref('Pet'), ref('Dog')],
        discriminator: { propertyName: 'kind', mapping: { pet: '#/$defs/Pet', p: '#/$defs/Pet' } },
      },
      "(Pet & { readonly kind: 'p' | 'pet' }) | (Dog & { readonly kind: 'Dog' })",
    ],
    [
      'a branch that fixes the discriminator itself is left alone',
      { anyOf: [ref('Cat'), ref('Dog')], discriminator: { propertyName: 'kind' } },
      "Cat | (Dog & { readonly kind: 'Dog' })",
    ],
    [
      'a long union breaks one member a line',
      {
        enum: [
          'aaaaaaaaaaaaaaaaaaaa',
          'bbbbbbbbbbbbbbbbbbbbbbbbb',
          'cccccccccccccccccccccccc',
          'dddddddddddddddddddddddd',
        ],
      },
      "| 'aaaaaaaaaaaaaaaaaaaa'\n| 'bbbbbbbbbbbbbbbbbbbbbbbbb'\n| 'cccccccccccccccccccccccc'\n| 'dddddddddddddddddddddddd'",
    ],
  ])('%s', (_name, schema, want) => {
    expect(expression(schema)).toBe(want);
  });
});

describe('options', () => {
  it('types date-time as Date on request', () => {
    const schema: Schema = { type: ['string', 'null'], format: 'date-time' };
    expect(expression(schema)).toBe('string | null');
    expect(expression(schema, { dateTime: 'Date' })).toBe('Date | null');
  });

  it('leaves readonly out on request', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' } },
        pair: { prefixItems: [{}], minItems: 1 },
      },
    };
    expect(expression(schema, { readonly: false })).toBe(
      '{\n  pair?: [unknown, ...unknown[]];\n  tags?: string[];\n}',
    );
    expect(
      expression({ type: 'array', items: { type: 'array', items: {} } }, { readonly: false }),
    ).toBe('unknown[][]');
  });
});

describe('read and write forms', () => {
  const task: Schema = {
    type: 'object',
    properties: {
      id: { type: 'string', readOnly: true },
      title: { type: 'string' },
      secret: { type: 'string', writeOnly: true },
      owner: { allOf: [{ $ref: '#/$defs/Task' }], readOnly: true },
    },
    required: ['id', 'title', 'secret'],
  };

  it('leaves writeOnly properties out of what is read', () => {
    expect(expression(task)).toBe(
      '{\n  readonly id: string;\n  readonly owner?: Task;\n  readonly title: string;\n}',
    );
  });

  it('leaves readOnly properties out of what is written, even required ones', () => {
    expect(expression(task, { write: true })).toBe(
      '{\n  readonly secret: string;\n  readonly title: string;\n}',
    );
  });

  it('refers to the request form of a named schema when writing', () => {
    expect(expression({ type: 'array', items: ref('Task') }, { write: true })).toBe(
      'readonly TaskInput[]',
    );
    expect(expression({ type: 'array', items: ref('Pet') }, { write: true })).toBe(
      'readonly Pet[]',
    );
  });

  it('lists the named types a schema uses, to import', () => {
    const ctx = typeContext(apiOf(named));
    const schema: Schema = {
      oneOf: [
        ref('Task'),
        { type: 'array', items: ref('Pet') },
        { properties: { t: ref('Task'), m: ref('Missing') } },
      ],
    };
    expect(typeReferences(schema, ctx)).toEqual(['Pet', 'Task']);
    expect(typeReferences(schema, ctx, 'write')).toEqual(['Pet', 'TaskInput']);
    expect(
      typeReferences(
        { type: 'string', format: 'date-time' },
        typeContext(apiOf(named), { dateTime: 'Date' }),
      ),
    ).toEqual([]);
  });
});

describe('layout', () => {
  it('indents continuation lines for an expression placed in indented code', () => {
    const ctx = typeContext(apiOf(named));
    const schema: Schema = { properties: { a: { type: 'string' }, b: { type: 'number' } } };
    expect(typeExpression(schema, ctx, { indent: 4 })).toBe(
      '{\n      readonly a?: string;\n      readonly b?: number;\n    }',
    );
  });

  it('breaks where the expression would pass the print width', () => {
    const ctx = typeContext(apiOf(named));
    const schema: Schema = { enum: ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc'] };
    expect(typeExpression(schema, ctx)).toBe("'aaaaaaaaaa' | 'bbbbbbbbbb' | 'cccccccccc'");
    expect(typeExpression(schema, ctx, { column: 70 })).toBe(
      "| 'aaaaaaaaaa'\n| 'bbbbbbbbbb'\n| 'cccccccccc'",
    );
  });
});
