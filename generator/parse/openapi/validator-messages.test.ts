import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  matchNamedPath,
  printedPointers,
  ValidatorMessageLocator,
  writtenPointer,
} from './validator-messages.ts';

const raw = {
  paths: {
    '/pets/{id}': {
      parameters: [{ $ref: '#/components/parameters/Id' }],
      get: {
        parameters: [{ name: 'limit', in: 'query' }],
        responses: { '200': { content: { 'application/json': { schema: { type: 'array' } } } } },
      },
    },
  },
  components: {
    parameters: { Id: { name: 'id', in: 'path' } },
    securitySchemes: { 'api key': { type: 'http' } },
  },
};

describe('matchNamedPath', () => {
  it.each([
    ['/paths/pets/{id}/get', '/paths/~1pets~1{id}/get'],
    ['/paths/pets/{id}/get/parameters/limit', '/paths/~1pets~1{id}/get/parameters/0'],
    ['/paths/pets/{id}/parameters/id', '/paths/~1pets~1{id}/parameters/0'],
    [
      '/paths/pets/{id}/get/responses/200/content/application/json/schema',
      '/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema',
    ],
    ['/components/securitySchemes/api key', '/components/securitySchemes/api key'],
    ['/paths/nowhere/get', '/paths'],
  ])('%s → %s', (named, pointer) => {
    expect(matchNamedPath(raw, named)).toBe(pointer);
  });
});

describe('writtenPointer', () => {
  it.each([
    ['/paths/~1pets~1{id}/parameters/0/name', '/components/parameters/Id/name'],
    ['/paths/~1pets~1{id}/get/parameters/0/in', '/paths/~1pets~1{id}/get/parameters/0/in'],
    ['', ''],
  ])('%s → %s', (dereferenced, written) => {
    expect(writtenPointer(raw, dereferenced)).toBe(written);
  });
});

describe('printedPointers', () => {
  const corpus = '/work/shared/specs-corpus/openapi';
  const values: [string, unknown][] = [
    [
      'empty containers and skipped members',
      { a: [], b: {}, c: undefined, d: [1, [2, {}]], e: null },
    ],
    ['a scalar', 'text'],
    ...readdirSync(corpus).map((f): [string, unknown] => [
      f,
      parseYaml(readFileSync(join(corpus, f), 'utf8')),
    ]),
  ];
  it.each(values)('has one pointer per printed line: %s', (_, value) => {
    expect(printedPointers(value)).toHaveLength(JSON.stringify(value, null, 2).split('\n').length);
  });

  it('names the member on each line', () => {
    expect(printedPointers({ a: { b: [true] }, c: 1 })).toEqual([
      '', //        {
      '/a', //        "a": {
      '/a/b', //        "b": [
      '/a/b/0', //        true
      '/a/b', //        ]
      '/a', //        },
      '/c', //        "c": 1
      '', //        }
    ]);
  });
});

describe('ValidatorMessageLocator', () => {
  it('places a message it cannot read at the root, text intact', () => {
    expect(new ValidatorMessageLocator(raw, raw).locate('Something\nwent   wrong')).toEqual({
      pointer: '',
      text: 'Something went wrong',
    });
  });

  it('does not trust a code frame that shows another text', () => {
    const message =
      'TYPE must be string\n\n> 2 |   "nothing": "like this"\n    |   ^ type must be string';
    expect(new ValidatorMessageLocator(raw, raw).locate(message)).toEqual({
      pointer: '',
      text: 'must be string',
    });
  });

  it('reads a code frame of the printed copy', () => {
    const printed = JSON.stringify(raw, null, 2).split('\n');
    const line = printed.findIndex((l) => l.includes('"limit"')) + 1;
    const message = `TYPE must be boolean\n\n> ${line} |${printed[line - 1]}\n    |   ^ type must be boolean`;
    expect(new ValidatorMessageLocator(raw, raw).locate(message)).toEqual({
      pointer: '/paths/~1pets~1{id}/get/parameters/0/name',
      text: 'must be boolean',
    });
  });
});
