import { describe, expect, it } from 'vitest';
import { checkTypeScript } from './check.ts';

describe('checkTypeScript', () => {
  it('finds nothing in code that compiles, across files that import each other', () => {
    const files = [
      { path: 'types.ts', content: 'export interface Task {\n  readonly id: string;\n}\n' },
      {
        path: 'client/client.ts',
        content:
          "import type { Task } from '../types.ts';\nexport const first = (tasks: readonly Task[]): Task | undefined => tasks[0];\n",
      },
    ];
    expect(checkTypeScript(files)).toEqual([]);
  });

  it('reports each type error with its file, line, column and code', () => {
    const files = [
      { path: 'a.ts', content: "export const ok = 1;\nexport const n: number = 'x';\n" },
    ];
    expect(checkTypeScript(files)).toEqual([
      {
        file: 'a.ts',
        line: 2,
        column: 14,
        code: 'TS2322',
        message: "Type 'string' is not assignable to type 'number'.",
      },
    ]);
  });

  it('uses the strict options: unchecked index access, unused locals', () => {
    const content =
      'const unused = 1;\nexport function f(a: readonly string[]): string {\n  return a[0];\n}\n';
    expect(checkTypeScript([{ path: 'a.ts', content }]).map((p) => `${p.line} ${p.code}`)).toEqual([
      '1 TS6133',
      '3 TS2322',
    ]);
  });

  it('reports every `any` in emitted files, unless allowed, and never in extra files', () => {
    const files = [
      { path: 'a.ts', content: "import type { X } from './x.ts';\nexport type A = any | X;\n" },
    ];
    const extraFiles = [{ path: 'x.ts', content: 'export type X = any;\n' }];
    expect(checkTypeScript(files, { extraFiles })).toEqual([
      expect.objectContaining({ file: 'a.ts', line: 2, column: 17, code: 'SG_ANY' }),
    ]);
    expect(checkTypeScript(files, { extraFiles, allowAny: true })).toEqual([]);
  });

  it("with checkExtraFiles: false, reports the emitted files' problems and not the extra files'", () => {
    const files = [
      {
        path: 'a.ts',
        content:
          "import type { X } from 'lib';\nimport { y } from './missing.ts';\nexport const a: X = 'no';\nexport const b = y;\n",
      },
    ];
    const extraFiles = [
      { path: 'node_modules/lib/package.json', content: '{"name":"lib","types":"./index.ts"}' },
      {
        path: 'node_modules/lib/index.ts',
        content: 'export type X = number;\nexport const broken: string = 1;\n',
      },
    ];
    const codes = (checkExtraFiles: boolean) =>
      checkTypeScript(files, { extraFiles, checkExtraFiles }).map(
        (p) => `${p.file} ${p.line} ${p.code}`,
      );
    expect(codes(false)).toEqual(['a.ts 2 TS2307', 'a.ts 3 TS2322']);
    expect(codes(true)).toEqual([
      'a.ts 2 TS2307',
      'a.ts 3 TS2322',
      'node_modules/lib/index.ts 2 TS2322',
    ]);
  });

  it("sees the standard library, DOM included (the client runtime's RawBody names Blob)", () => {
    const files = [{ path: 'a.ts', content: 'export const b: Blob | AbortSignal = 1;\n' }];
    expect(checkTypeScript(files).map((p) => p.message)).toEqual([
      "Type 'number' is not assignable to type 'Blob | AbortSignal'.",
    ]);
  });

  it('forgets the files of the previous check', () => {
    expect(checkTypeScript([{ path: 'b.ts', content: 'export const b: number = 1;\n' }])).toEqual(
      [],
    );
    const problems = checkTypeScript([
      { path: 'c.ts', content: "import { b } from './b.ts';\nexport const c = b;\n" },
    ]);
    expect(problems.map((p) => p.code)).toEqual(['TS2307']);
  });

  it('takes compiler option overrides', () => {
    const files = [{ path: 'a.ts', content: 'const unused = 1;\nexport {};\n' }];
    expect(checkTypeScript(files, { compilerOptions: { noUnusedLocals: false } })).toEqual([]);
  });

  it('checks again in well under a second once the standard library is loaded', () => {
    const files = [{ path: 'a.ts', content: 'export type A = Readonly<Record<string, Date>>;\n' }];
    checkTypeScript(files);
    const started = performance.now();
    expect(checkTypeScript(files)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
