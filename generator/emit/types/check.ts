/**
 * Proves emitted code type-checks (design §2): the files are compiled in memory by the
 * TypeScript compiler (the one ts-morph bundles) with the project's strict options, and every
 * problem comes back, plus one per `any` keyword (style.md §10: generated code has none). Tests
 * of every emitter call this.
 *
 * A program is made with `ts.createProgram` over an in-memory host, not a ts-morph project: the
 * wrappers cost time on 12 MB of emitted code (the GitHub API, B6) and buy nothing here. The
 * standard library and the extra files under `node_modules/` (the runtime stand-ins) are parsed
 * once per process and reused by every check with the same options.
 */
import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { ts } from 'ts-morph';
import type { GeneratedFile } from '../generated-file.ts';

export interface TypeCheckOptions {
  /** Files the emitted ones may import (hand-written declarations, a runtime stub, …). */
  readonly extraFiles?: readonly GeneratedFile[];
  /** Overrides of {@link strictCompilerOptions}. */
  readonly compilerOptions?: ts.CompilerOptions;
  /** Allow the `any` keyword in the emitted files (not in `extraFiles`, never checked). */
  readonly allowAny?: boolean;
  /**
   * Report problems in `extraFiles` too (default true: the emitters' tests want to hear of a
   * stand-in that no longer matches the runtime). `generate` drops those problems anyway, so it
   * asks only for the emitted files' own, and the compiler checks of the stand-ins only what
   * the emitted files use.
   */
  readonly checkExtraFiles?: boolean;
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

/** Emitted files live here in the in-memory file system; the standard library in `libFolder`. */
const outFolder = '/out/';
const libFolder = '/lib/';

/** Every type error in `files`, sorted by file, line and column; empty when they compile. */
export function checkTypeScript(
  files: readonly GeneratedFile[],
  options: TypeCheckOptions = {},
): TypeCheckProblem[] {
  const compilerOptions = { ...strictCompilerOptions, ...options.compilerOptions };
  const extraFiles = options.extraFiles ?? [];
  const texts = new Map<string, string>();
  for (const f of extraFiles) texts.set(inMemoryPath(f.path), f.content);
  // An emitted file wins over an extra one of the same path, as it did in the ts-morph project.
  for (const f of files) texts.set(inMemoryPath(f.path), f.content);
  const program = ts.createProgram({
    rootNames: [...texts.keys()].filter((path) => /\.(?:ts|tsx|mts|cts)$/.test(path)),
    options: compilerOptions,
    host: compilerHost(texts, keptFor(compilerOptions)),
  });
  const emitted = files.flatMap((f) => program.getSourceFile(inMemoryPath(f.path)) ?? []);
  const diagnostics: ts.Diagnostic[] =
    options.checkExtraFiles === false
      ? [
          ...program.getOptionsDiagnostics(),
          ...program.getGlobalDiagnostics(),
          ...emitted.flatMap((file) => [
            ...program.getSyntacticDiagnostics(file),
            ...program.getSemanticDiagnostics(file),
          ]),
        ]
      : [...ts.getPreEmitDiagnostics(program)];
  const problems: TypeCheckProblem[] = diagnostics.map((d) => {
    const position =
      d.file === undefined ? { line: 0, column: 0 } : lineAndColumn(d.file, d.start ?? 0);
    return {
      file: relativePath(d.file?.fileName),
      ...position,
      code: `TS${d.code}`,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    };
  });
  if (options.allowAny !== true) problems.push(...emitted.flatMap(anyKeywords));
  return problems.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}

/** A syntax tree, and what it was parsed from. */
interface Parsed {
  readonly text: string;
  readonly languageVersion: ts.ScriptTarget;
  readonly impliedNodeFormat: ts.ResolutionMode;
  readonly file: ts.SourceFile;
}

/**
 * The standard library's and extra files' trees, by compiler options (a tree is bound once, with
 * the options of its first program): small, and the same in every check.
 */
const keptByOptions = new Map<string, Map<string, Parsed>>();

function keptFor(compilerOptions: ts.CompilerOptions): Map<string, Parsed> {
  const key = JSON.stringify(compilerOptions);
  let kept = keptByOptions.get(key);
  if (kept === undefined) {
    kept = new Map();
    keptByOptions.set(key, kept);
  }
  return kept;
}

/** The tree of `text` at `path`, from `cache` when it was parsed from the same text before. */
function sourceFile(
  path: string,
  text: string,
  languageVersionOrOptions: ts.ScriptTarget | ts.CreateSourceFileOptions,
  cache: Map<string, Parsed> | undefined,
): ts.SourceFile {
  const settings =
    typeof languageVersionOrOptions === 'object'
      ? languageVersionOrOptions
      : { languageVersion: languageVersionOrOptions };
  const found = cache?.get(path);
  if (
    found !== undefined &&
    found.text === text &&
    found.languageVersion === settings.languageVersion &&
    found.impliedNodeFormat === settings.impliedNodeFormat
  ) {
    return found.file;
  }
  const file = ts.createSourceFile(path, text, languageVersionOrOptions, false);
  cache?.set(path, {
    text,
    languageVersion: settings.languageVersion,
    impliedNodeFormat: settings.impliedNodeFormat,
    file,
  });
  return file;
}

/**
 * A compiler host over `texts` (absolute in-memory paths) and the standard library. Trees of
 * the library and of the stand-ins (`node_modules/…`) are kept for the next check.
 */
function compilerHost(
  texts: ReadonlyMap<string, string>,
  kept: Map<string, Parsed>,
): ts.CompilerHost {
  const folders = new Set<string>(['/', outFolder.slice(0, -1), libFolder.slice(0, -1)]);
  for (const path of texts.keys()) {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      folders.add(path.slice(0, i));
    }
  }
  const read = (path: string): string | undefined =>
    texts.get(path) ?? (path.startsWith(libFolder) ? libTexts().get(path) : undefined);
  return {
    getSourceFile: (path, languageVersionOrOptions) => {
      const text = read(path);
      if (text === undefined) return undefined;
      if (path.startsWith(libFolder) || path.startsWith(`${outFolder}node_modules/`)) {
        return sourceFile(path, text, languageVersionOrOptions, kept);
      }
      return sourceFile(path, text, languageVersionOrOptions, undefined);
    },
    // As tsc does: JSDoc is parsed only as far as type errors need it (emitted files have a lot).
    jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors,
    getDefaultLibFileName: (options) => libFolder + ts.getDefaultLibFileName(options),
    getDefaultLibLocation: () => libFolder.slice(0, -1),
    writeFile: () => undefined,
    getCurrentDirectory: () => outFolder.slice(0, -1),
    getCanonicalFileName: (path) => path,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (path) => read(path) !== undefined,
    readFile: read,
    directoryExists: (path) => folders.has(path.endsWith('/') ? path.slice(0, -1) : path),
    getDirectories: () => [],
    realpath: (path) => path,
  };
}

let libs: Map<string, string> | undefined;

/** The standard library's `.d.ts` texts, by in-memory path (ts-morph ships them). */
function libTexts(): Map<string, string> {
  if (libs === undefined) {
    // The texts come with the compiler ts-morph bundles (@ts-morph/common), so they always match it.
    const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
    const common = fromTsMorph('@ts-morph/common') as {
      getLibFiles(): readonly { readonly fileName: string; readonly text: string }[];
    };
    libs = new Map(common.getLibFiles().map((f) => [libFolder + f.fileName, f.text]));
  }
  return libs;
}

function lineAndColumn(file: ts.SourceFile, position: number): { line: number; column: number } {
  const { line, character } = file.getLineAndCharacterOfPosition(position);
  return { line: line + 1, column: character + 1 };
}

/** Every `any` keyword, found by a walk of the compiler's nodes. */
function anyKeywords(source: ts.SourceFile): TypeCheckProblem[] {
  const problems: TypeCheckProblem[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      problems.push({
        file: relativePath(source.fileName),
        ...lineAndColumn(source, node.getStart(source)),
        code: 'SG_ANY',
        message: 'generated code must not use `any` (style.md §10)',
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

/** Where a file of the output folder is in memory (`a/../b.ts` normalized, as the compiler does). */
function inMemoryPath(path: string): string {
  return posix.normalize(outFolder + path);
}

function relativePath(path: string | undefined): string {
  const name = path ?? '';
  return name.startsWith(outFolder) ? name.slice(outFolder.length) : name;
}
