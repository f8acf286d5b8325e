import fc from 'fast-check';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { code, multiline, printLiteral, propertyKey, type Literal } from './ts-literal.ts';

const prettierOptions = {
  ...(await resolveConfig(new URL(import.meta.url).pathname)),
  parser: 'typescript',
};

/** Prints `export const value = <literal> as const;` as the emitter does. */
function declaration(value: Literal): string {
  const head = 'export const value = ';
  const suffix = ' as const;';
  return `${head}${printLiteral(value, { column: head.length, indent: 0, suffix })}${suffix}\n`;
}

async function prettier(text: string): Promise<string> {
  return format(text, prettierOptions);
}

describe('printLiteral', () => {
  it.each<[string, Literal, string]>([
    ['a short object on one line', { a: 1, b: 'x' }, "{ a: 1, b: 'x' }"],
    ['an empty object and array', { a: {}, b: [] }, '{ a: {}, b: [] }'],
    ['quoted keys only where needed', { 'a-b': 1, $ref: 'x' }, "{ 'a-b': 1, $ref: 'x' }"],
    ['double quotes for more single quotes', ["it's"], `["it's"]`],
    ['escapes', ['a\nb\\c'], "['a\\nb\\\\c']"],
    ['code verbatim', [code('createTask'), code('deleteTask')], '[createTask, deleteTask]'],
    ['negative zero and exponents', [-0, 1e21], '[-0, 1e21]'],
  ])('%s', (_, value, want) => {
    expect(printLiteral(value, { column: 0, indent: 0 })).toBe(want);
  });

  it('keeps multiline objects expanded and nests deeper objects expanded', () => {
    const value = multiline({ kind: 'command', headers: [{ name: 'a', value: [{ in: 'text' }] }] });
    expect(printLiteral(value, { column: 0, indent: 0 })).toBe(
      [
        '{',
        "  kind: 'command',",
        '  headers: [',
        '    {',
        "      name: 'a',",
        "      value: [{ in: 'text' }],",
        '    },',
        '  ],',
        '}',
      ].join('\n'),
    );
  });

  it('moves a long string below its key, but not below a short key', () => {
    const long = 'x'.repeat(95);
    expect(printLiteral(multiline({ description: long, id: long }), { column: 0, indent: 0 })).toBe(
      `{\n  description:\n    '${long}',\n  id: '${long}',\n}`,
    );
  });

  it('quotes __proto__ as a computed key', () => {
    expect(propertyKey('__proto__')).toBe("['__proto__']");
  });

  it('prints what Prettier would print (property test)', async () => {
    const key = fc.oneof(
      fc.constantFrom(
        'type',
        'description',
        'a',
        'properties',
        'x-y',
        'zilla:correlation-id',
        '$ref',
      ),
      fc.string({ maxLength: 12 }),
    );
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ minLength: 40, maxLength: 110 }),
      fc.constantFrom("it's", 'say "hi"', 'tab\there', 'naïve café', '中文字符串', 'emoji 🚀 ok'),
    );
    const { value } = fc.letrec<{ value: Literal }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        text,
        fc.integer({ min: -1000, max: 100000 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 8 }),
        fc.array(fc.integer(), { minLength: 2, maxLength: 40 }),
        fc.dictionary(key, tie('value'), { maxKeys: 6 }),
        fc.dictionary(key, tie('value'), { maxKeys: 6 }).map((o) => multiline(o)),
      ),
    }));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 8 }), async (object) => {
        const printed = declaration(multiline(object));
        expect(printed).toBe(await prettier(printed));
      }),
      { numRuns: 400 },
    );
  });
});
