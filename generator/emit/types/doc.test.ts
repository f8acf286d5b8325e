import { describe, expect, it } from 'vitest';
import {
  align,
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  printDoc,
  softline,
  textWidth,
  type Doc,
} from './doc.ts';

const list = (items: readonly string[]): Doc =>
  group(['[', indent([softline, join([',', line], items)]), ifBreak(','), softline, ']']);

describe('printDoc', () => {
  it('prints a group flat when it fits, else broken', () => {
    expect(printDoc(list(['a', 'b']))).toBe('[a, b]');
    expect(printDoc(list(['aaaa', 'bbbb']), { width: 10 })).toBe('[\n  aaaa,\n  bbbb,\n]');
  });

  it('counts what follows the group up to the next possible break', () => {
    const doc = [list(['aaa', 'bbb']), ';;;'];
    expect(printDoc(doc, { width: 13 })).toBe('[aaa, bbb];;;');
    expect(printDoc(doc, { width: 12 })).toBe('[\n  aaa,\n  bbb,\n];;;');
  });

  it('starts at the given column', () => {
    expect(printDoc(list(['aaa', 'bbb']), { width: 20, column: 10 })).toBe('[aaa, bbb]');
    expect(printDoc(list(['aaa', 'bbb']), { width: 20, column: 11 })).toBe('[\n  aaa,\n  bbb,\n]');
  });

  it('breaks every group around a hard line', () => {
    expect(printDoc(group(['{', indent([line, 'a', hardline, 'b']), line, '}']))).toBe(
      '{\n  a\n  b\n}',
    );
    expect(printDoc(group(['x', group(['y', line, 'z'], { shouldBreak: true })]))).toBe('xy\nz');
  });

  it('aligns by a number of spaces and trims trailing spaces', () => {
    expect(
      printDoc([
        '| ',
        align(2, group(['{', indent([line, 'a']), line, '}'], { shouldBreak: true })),
      ]),
    ).toBe('| {\n    a\n  }');
    expect(printDoc(['a ', hardline, 'b'])).toBe('a\nb');
  });

  it('indents when another group broke', () => {
    const id = Symbol('head');
    const doc = group([
      'x =',
      group(indent(line), { id }),
      indentIfBreak(group(['(', softline, 'y', ')']), id),
    ]);
    expect(printDoc(doc)).toBe('x = (y)');
    expect(printDoc(doc, { width: 4 })).toBe('x =\n  (\n  y)');
  });
});

describe('textWidth', () => {
  it.each([
    ['abc', 3],
    ['ünï', 3],
    ['e\u0301', 1],
    ['注文', 4],
    ['😀', 2],
  ])('%j is %i columns', (text, width) => {
    expect(textWidth(text)).toBe(width);
  });
});
