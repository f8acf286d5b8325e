/**
 * Proves emitted code type-checks (design §2): the files are compiled in memory by ts-morph
 * with the project's strict options, and every problem comes back, plus one per `any` keyword
 * (style.md §10: generated code has none). Tests of every emitter call this.
 *
 * One ts-morph project per set of compiler options is kept between calls, so the standard
 * library is parsed once per process rather than once per check.
 */
import { Project, ts, type SourceFile } from 'ts-morph';
import type { GeneratedFile } from '../generated-file.ts';

export interface TypeCheckOptions {
  /** Files the emitted ones may import (hand-written declarations, a runtime stub, …). */
  readonly extraFiles?: readonly GeneratedFile[];
  /** Overrides of {@link strictCompilerOptions}. */
  readonly compilerOptions?: ts.CompilerOptions;
  /** Allow the `any` keyword in the emitted files (not in `extraFiles`, never checked). */
  readonly allowAny?: boolean;
}

/** One problem: where (file relative to the output folder, 1-based line and column) and what. */
export interface TypeCheckProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `TS2322`, …, or `SG_ANY` for an `any` keyword. */
  readonly code: string;
  readonly message: string;
}

/** The project's tsconfig.json options that matter for generated code. */
export const strictCompilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: false,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  useUnknownInCatchVariables: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  types: [],
};

/** Emitted files live here in the in-memory file system. */
const outFolder = '/out/';
const projects = new Map<string, Project>();

/** Every type error in `files`, sorted by file, line and column; empty when they compile. */
export function checkTypeScript(
  files: readonly GeneratedFile[],
  options: TypeCheckOptions = {},
): TypeCheckProblem[] {
  const compilerOptions = { ...strictCompilerOptions, ...options.compilerOptions };
  const project = projectFor(compilerOptions);
  for (const file of project.getSourceFiles()) {
    if (file.getFilePath().startsWith(outFolder)) project.removeSourceFile(file);
  }
  const emitted = files.map((f) =>
    project.createSourceFile(outFolder + f.path, f.content, { overwrite: true }),
  );
  for (const f of options.extraFiles ?? []) {
    project.createSourceFile(outFolder + f.path, f.content, { overwrite: true });
  }
  const problems: TypeCheckProblem[] = project.getPreEmitDiagnostics().map((d) => {
    const file = d.getSourceFile();
    const start = d.getStart() ?? 0;
    const position = file?.getLineAndColumnAtPos(start) ?? { line: 0, column: 0 };
    return {
      file: relativePath(file),
      line: position.line,
      column: position.column,
      code: `TS${d.getCode()}`,
      message: ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n'),
    };
  });
  if (options.allowAny !== true) problems.push(...anyKeywords(emitted));
  return problems.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}

function projectFor(compilerOptions: ts.CompilerOptions): Project {
  const key = JSON.stringify(compilerOptions);
  let project = projects.get(key);
  if (project === undefined) {
    project = new Project({ useInMemoryFileSystem: true, compilerOptions });
    projects.set(key, project);
  }
  return project;
}

/** Every `any` keyword, found by a walk of the compiler's own nodes (no ts-morph wrappers). */
function anyKeywords(files: readonly SourceFile[]): TypeCheckProblem[] {
  const problems: TypeCheckProblem[] = [];
  for (const file of files) {
    const source = file.compilerNode;
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.AnyKeyword) {
        const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
        problems.push({
          file: relativePath(file),
          line: line + 1,
          column: character + 1,
          code: 'SG_ANY',
          message: 'generated code must not use `any` (style.md §10)',
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return problems;
}

function relativePath(file: SourceFile | undefined): string {
  const path = file?.getFilePath() ?? '';
  return path.startsWith(outFolder) ? path.slice(outFolder.length) : path;
}
