import { describe, expect, it } from 'vitest';
import type { HttpParameter } from '../../ir/types.ts';
import { mergeParameters } from './parameter.ts';

const at = { file: '/f.yaml', pointer: '', line: 1, column: 1 };

describe('mergeParameters', () => {
  const p = (name: string, where: HttpParameter['in'], description: string): HttpParameter => ({
    name,
    in: where,
    required: false,
    schema: true,
    description,
    style: 'simple',
    explode: false,
    source: at,
  });
  it('replaces path-level parameters in place and appends the rest', () => {
    const merged = mergeParameters(
      [
        p('id', 'path', 'path level'),
        p('X-Trace', 'header', 'path level'),
        p('q', 'query', 'path level'),
      ],
      [
        p('x-trace', 'header', 'operation'),
        p('id', 'query', 'operation'),
        p('q', 'query', 'operation'),
      ],
    );
    expect(merged.map((m) => `${m.in}:${m.name}:${m.description}`)).toEqual([
      'path:id:path level',
      'header:x-trace:operation',
      'query:q:operation',
      'query:id:operation',
    ]);
  });
});
