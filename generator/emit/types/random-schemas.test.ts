/**
 * Random schemas (fast-check): whatever the spec, the types file compiles with the strict
 * options, has no `any`, and is exactly what prettier makes of it. This is what proves the
 * printer's layout rules, cycle cutting and name escaping together.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue, Schema } from '../../ir/types.ts';
import { checkTypeScript } from './check.ts';
import { emitTypes } from './emit-types.ts';
import { apiOf, formatWithPrettier } from './testing.ts';

const ids = ['Alpha', 'beta-item', 'Date', 'org.example.LongerNamedSchemaForWrapping'];
const propertyNames = [
  'a',
  'id',
  'b-c',
  '200',
  'class',
  "it's",
  'ünï',
  '$x',
  'aVeryLongPropertyNameThatTakesRoom',
];
const words = [
  'x',
  'open',
  'it\'s "q"',
  'a much longer literal value to push the line width',
  'ünï 😀',
  '*/',
];

const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...words),
    fc.integer({ min: -5, max: 1000 }),
    fc.constantFrom(1.5, 1e21, true, false, null),
    fc.array(tie('value'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom(...propertyNames), tie('value'), { maxKeys: 2 }),
  ),
})).value;

const schema: fc.Arbitrary<Schema> = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean(),
    fc.constantFrom<Schema>(
      {},
      { type: 'string' },
      { type: 'integer' },
      { type: ['string', 'null'] },
      { type: 'string', format: 'date-time' },
      { type: 'object' },
      { type: 'array' },
    ),
    fc.constantFrom(...ids).map((id): Schema => ({ $ref: `#/$defs/${id}` })),
    json.map((value): Schema => ({ const: value })),
    fc.array(json, { minLength: 1, maxLength: 6 }).map((values): Schema => ({ enum: values })),
    fc
      .record(
        {
          properties: fc.dictionary(fc.constantFrom(...propertyNames), tie('schema'), {
            maxKeys: 4,
          }),
          required: fc.subarray(propertyNames),
          additionalProperties: fc.oneof(fc.boolean(), tie('schema')),
          description: fc.constantFrom('One line.', 'Two\n\nlines with */ in them', ''),
          readOnly: fc.boolean(),
          writeOnly: fc.boolean(),
        },
        { requiredKeys: ['properties'] },
      )
      .map((s): Schema => ({ type: 'object', ...s })),
    tie('schema').map((items): Schema => ({ type: 'array', items })),
    fc
      .record(
        {
          prefixItems: fc.array(tie('schema'), { maxLength: 3 }),
          minItems: fc.nat(3),
          items: fc.oneof(fc.constant(false), tie('schema')),
        },
        { requiredKeys: ['prefixItems'] },
      )
      .map((s): Schema => ({ type: 'array', ...s })),
    fc.array(tie('schema'), { minLength: 1, maxLength: 4 }).map((oneOf): Schema => ({ oneOf })),
    fc.array(tie('schema'), { minLength: 1, maxLength: 3 }).map((allOf): Schema => ({ allOf })),
    fc
      .record({
        anyOf: fc.array(
          fc.constantFrom(...ids).map((id): Schema => ({ $ref: `#/$defs/${id}` })),
          { minLength: 1, maxLength: 3 },
        ),
        properties: fc.dictionary(fc.constantFrom(...propertyNames), tie('schema'), { maxKeys: 2 }),
      })
      .map((s): Schema => ({
        ...s,
        discriminator: { propertyName: 'kind', mapping: { k: `#/$defs/${ids[0] ?? ''}` } },
      })),
  ),
})).schema;

describe('types of random schemas', () => {
  it('compile, have no any, and are formatted as prettier would', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(...ids.map(() => schema)), async (schemas) => {
        const api = apiOf(Object.fromEntries(ids.map((id, i) => [id, schemas[i] ?? true])));
        const files = emitTypes(api, { root: '/project' });
        const content = files[0]?.content ?? '';
        expect(checkTypeScript(files)).toEqual([]);
        expect(await formatWithPrettier(content)).toBe(content);
      }),
      { numRuns: Number(process.env.RUNS ?? 150), seed: Number(process.env.SEED ?? 20240601) },
    );
  }, 120_000);
});
