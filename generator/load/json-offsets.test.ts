/**
 * The JSON fast path of parseSpecText gives every pointer the same data and the same place as
 * the YAML path does — checked on the corpus's JSON specs and on the awkward cases — and leaves
 * texts that are not plain JSON to the YAML path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSpecText } from './document.ts';
import { childPointer } from './pointer.ts';

const corpus = fileURLToPath(new URL('../../../shared/specs-corpus/openapi/', import.meta.url));

/** Every pointer of `data`, the root included. */
function pointers(data: unknown, at = ''): string[] {
  if (Array.isArray(data)) {
    return [at, ...data.flatMap((item, index) => pointers(item, childPointer(at, index)))];
  }
  if (typeof data === 'object' && data !== null) {
    return [
      at,
      ...Object.entries(data).flatMap(([key, value]) => pointers(value, childPointer(at, key))),
    ];
  }
  return [at];
}

/** Parses `text` as JSON (fast path) and as YAML (a comment first), and compares. */
function expectSamePlaces(text: string): void {
  const json = parseSpecText('/x.json', text).document;
  // A comment line makes it YAML that is not JSON: the YAML path, one line further down.
  const yaml = parseSpecText('/x.yaml', `# as YAML\n${text}`).document;
  expect(json).toBeDefined();
  expect(yaml).toBeDefined();
  if (json === undefined || yaml === undefined) return;
  expect(json.data).toEqual(yaml.data);
  for (const pointer of pointers(json.data)) {
    const { line, column } = yaml.position(pointer);
    expect({ pointer, ...json.position(pointer) }).toEqual({ pointer, line: line - 1, column });
  }
}

describe('parseSpecText on JSON', () => {
  it.each(['strimzi-kafka-bridge__openapi.json', 'text-generation-inference__openapi.json'])(
    'places every node of %s where the YAML reader does',
    (name) => expectSamePlaces(readFileSync(`${corpus}${name}`, 'utf8')),
  );

  it('handles escapes in keys, empty containers, nesting and scalars of every kind', () => {
    expectSamePlaces(
      JSON.stringify(
        {
          'a/b~c': { 'say \\"hi\\"': [1, -2.5e3, true, false, null, '"q"'] },
          empty: {},
          none: [],
          deep: [[[{ x: [{}] }]], 'é\u2028'],
          'tab\tkey': 'line\nbreak',
        },
        null,
        2,
      ),
    );
    expectSamePlaces('{"compact":[1,{"a":{"b":[]}}],"z":"\\u00e9"}');
    expectSamePlaces('[ {"a" : 1} , [ ] ]');
  });

  it('leaves a repeated key to the YAML reader, which reports it', () => {
    const result = parseSpecText('/x.json', '{\n  "a": 1,\n  "a": 2\n}');
    expect(result.document).toBeUndefined();
    expect(result.problems[0]).toMatchObject({ line: 3 });
  });

  it('leaves YAML and broken JSON to the YAML reader', () => {
    expect(parseSpecText('/x.yaml', 'a: {"b": 1}').document?.data).toEqual({ a: { b: 1 } });
    const broken = parseSpecText('/x.json', '{\n  "a": [1, 2\n}');
    expect(broken.document).toBeUndefined();
    expect(broken.problems.length).toBeGreaterThan(0);
  });
});
