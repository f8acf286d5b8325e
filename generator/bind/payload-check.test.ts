/** comparePayloads: required properties on either side, and type agreement, nested too. */
import { describe, expect, it } from 'vitest';
import type { Schema } from '../ir/types.ts';
import { named } from './fixtures/ir.ts';
import { comparePayloads } from './payload-check.ts';

const schemas = Object.fromEntries(
  [
    named('Title', { type: 'string', minLength: 1 }),
    named('Task', {
      type: 'object',
      required: ['title'],
      properties: { title: { $ref: '#/$defs/Title' } },
    }),
    named('Alias', { $ref: '#/$defs/Task' }),
    named('Node', {
      type: 'object',
      properties: { value: { type: 'integer' }, next: { $ref: '#/$defs/Node' } },
    }),
  ].map((s) => [s.id, s]),
);

const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
});

/** `CODE path` per problem. */
function problems(body: Schema, payload: Schema): string[] {
  return comparePayloads(body, payload, schemas).map((p) => `${p.code} ${p.path}`);
}

describe('comparePayloads', () => {
  it.each<[string, Schema, Schema, string[]]>([
    [
      'identical',
      object({ a: { type: 'string' } }, ['a']),
      object({ a: { type: 'string' } }, ['a']),
      [],
    ],
    [
      'integer vs number',
      object({ n: { type: 'integer' } }),
      object({ n: { type: 'number' } }),
      [],
    ],
    [
      'number vs integer',
      object({ n: { type: 'number' } }),
      object({ n: { type: 'integer' } }),
      [],
    ],
    [
      'a nullable string vs a string',
      object({ t: { type: ['string', 'null'] } }),
      object({ t: { type: 'string' } }),
      [],
    ],
    [
      'a string vs a boolean',
      object({ a: { type: 'string' } }),
      object({ a: { type: 'boolean' } }),
      ['SG_BIND_PAYLOAD_TYPE_CLASH /a'],
    ],
    [
      'top-level object vs array',
      { type: 'object' },
      { type: 'array' },
      ['SG_BIND_PAYLOAD_TYPE_CLASH /'],
    ],
    [
      'a nested clash',
      object({ a: object({ b: object({ c: { type: 'string' } }) }) }),
      object({ a: object({ b: object({ c: { type: 'number' } }) }) }),
      ['SG_BIND_PAYLOAD_TYPE_CLASH /a/b/c'],
    ],
    [
      'a nested integer vs number',
      object({ a: object({ n: { type: 'integer' } }) }),
      object({ a: object({ n: { type: 'number' } }) }),
      [],
    ],
    [
      'a const string vs an integer',
      object({ k: { const: 'x' } }),
      object({ k: { type: 'integer' } }),
      ['SG_BIND_PAYLOAD_TYPE_CLASH /k'],
    ],
    [
      'an untyped property agrees with anything',
      object({ a: {} }),
      object({ a: { type: 'array' } }),
      [],
    ],
    [
      'required by the payload, absent from the body',
      object({ a: {} }),
      object({ a: {}, b: {} }, ['b']),
      ['SG_BIND_PAYLOAD_REQUIRED_MISSING /b'],
    ],
    [
      'required by the payload, optional in the body: fine',
      object({ b: {} }),
      object({ b: {} }, ['b']),
      [],
    ],
    [
      'required by the body, absent from the payload',
      object({ a: {}, b: {} }, ['a', 'b']),
      object({ a: {} }),
      ['SG_BIND_PAYLOAD_REQUIRED_MISSING /b'],
    ],
    [
      'required by the body, the payload declares no properties (open): fine',
      object({ a: {} }, ['a']),
      { type: 'object' },
      [],
    ],
    [
      'nested required on both sides, sorted by name',
      object({ x: object({ b: {}, a: {} }, ['b', 'a']) }),
      object({ x: object({ c: {}, d: {} }, ['d', 'c']) }),
      [
        'SG_BIND_PAYLOAD_REQUIRED_MISSING /x/c',
        'SG_BIND_PAYLOAD_REQUIRED_MISSING /x/d',
        'SG_BIND_PAYLOAD_REQUIRED_MISSING /x/a',
        'SG_BIND_PAYLOAD_REQUIRED_MISSING /x/b',
      ],
    ],
    [
      'through $refs',
      { $ref: '#/$defs/Alias' },
      object({ title: { type: 'string' } }, ['title']),
      [],
    ],
    [
      'through $refs, clashing',
      { $ref: '#/$defs/Task' },
      object({ title: { type: 'integer' } }, ['title']),
      ['SG_BIND_PAYLOAD_TYPE_CLASH /title'],
    ],
    [
      'allOf is merged',
      { allOf: [object({ a: { type: 'string' } }, ['a']), object({ b: { type: 'integer' } })] },
      object({ a: { type: 'string' }, b: { type: 'number' } }, ['a', 'c']),
      ['SG_BIND_PAYLOAD_REQUIRED_MISSING /c'],
    ],
    [
      'allOf of number and integer is an integer',
      object({ n: { allOf: [{ type: 'number' }, { type: 'integer', minimum: 0 }] } }),
      object({ n: { type: 'integer' } }),
      [],
    ],
    [
      'oneOf hides the shape: required properties are not compared',
      { oneOf: [object({ a: {} }), object({ b: {} })] },
      object({ c: {} }, ['c']),
      [],
    ],
    ['recursive schemas terminate', { $ref: '#/$defs/Node' }, { $ref: '#/$defs/Node' }, []],
    ['boolean schemas are open', true, object({ a: {} }, ['a']), []],
  ])('%s', (_, body, payload, want) => {
    expect(problems(body, payload)).toEqual(want);
  });
});
