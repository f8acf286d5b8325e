import { describe, expect, it } from 'vitest';
import type { Schema } from '../../ir/types.ts';
import { namespacedRef, objectSchemaLiteral, schemaLiteral } from './schema-literal.ts';

describe('schemaLiteral', () => {
  it('rewrites every named-schema ref to the specgate namespace', () => {
    const schema: Schema = {
      oneOf: [{ $ref: '#/$defs/Cat' }, { $ref: '#/$defs/Dog' }],
      discriminator: { propertyName: 'kind', mapping: { dog: '#/$defs/Dog', cat: '#/$defs/Cat' } },
      properties: { owner: { $ref: '#/$defs/Person' } },
      items: { $ref: '#/$defs/Pet' },
      additionalProperties: { $ref: '#/$defs/Extra' },
    };
    expect(JSON.stringify(schemaLiteral(schema))).not.toMatch(/"#\/\$defs/);
    expect(schemaLiteral(schema)).toMatchObject({
      oneOf: [{ $ref: 'specgate#/$defs/Cat' }, { $ref: 'specgate#/$defs/Dog' }],
      discriminator: {
        propertyName: 'kind',
        mapping: { cat: 'specgate#/$defs/Cat', dog: 'specgate#/$defs/Dog' },
      },
      properties: { owner: { $ref: 'specgate#/$defs/Person' } },
    });
  });

  it('leaves other refs alone', () => {
    expect(namespacedRef('https://example.com/s.json')).toBe('https://example.com/s.json');
  });

  it('writes $ref and type first, then the keywords and properties sorted, and required sorted', () => {
    const literal = schemaLiteral({
      required: ['b', 'a'],
      properties: { b: { type: 'string' }, a: { type: 'integer', minimum: 0 } },
      type: 'object',
      description: 'x',
    });
    expect(JSON.stringify(literal)).toBe(
      '{"type":"object","description":"x","properties":{"a":{"type":"integer","minimum":0},"b":{"type":"string"}},"required":["a","b"]}',
    );
  });

  it('does not require read-only properties: it validates requests, which leave them out', () => {
    const literal = schemaLiteral({
      type: 'object',
      properties: {
        id: { type: 'integer', readOnly: true },
        owner: { $ref: '#/$defs/Person', readOnly: true },
        name: { type: 'string' },
        secret: { type: 'string', writeOnly: true },
      },
      required: ['id', 'name', 'owner', 'secret'],
    });
    expect(literal).toMatchObject({ required: ['name', 'secret'] });
  });

  it('does not depend on the order the spec wrote keys in', () => {
    const one: Schema = {
      type: 'object',
      properties: { x: { enum: [{ b: 1, a: 2 }] }, y: { default: { d: 1, c: 2 } } },
      required: ['x', 'y'],
    };
    const two: Schema = {
      required: ['y', 'x'],
      properties: { y: { default: { c: 2, d: 1 } }, x: { enum: [{ a: 2, b: 1 }] } },
      type: 'object',
    };
    expect(JSON.stringify(schemaLiteral(two))).toBe(JSON.stringify(schemaLiteral(one)));
  });

  it('keeps boolean schemas', () => {
    expect(schemaLiteral({ properties: { any: true, none: false } })).toEqual({
      properties: { any: true, none: false },
    });
  });
});

describe('objectSchemaLiteral', () => {
  it('is undefined for no members, an object schema with sorted required otherwise', () => {
    expect(objectSchemaLiteral([])).toBeUndefined();
    expect(
      objectSchemaLiteral([
        { name: 'b', required: true, schema: { type: 'string' } },
        { name: 'a', required: true, schema: { type: 'string' } },
        { name: 'c', required: false, schema: true },
      ]),
    ).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' }, c: true },
      required: ['a', 'b'],
    });
  });
});
