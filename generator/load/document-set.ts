/**
 * The spec files of one run: loads each once, resolves `$ref`s across them (relative to the
 * referring file), and turns (file, pointer) into a located {@link SpecLocation}.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Diagnostics } from '../diagnostics.ts';
import type { SpecLocation } from '../ir/types.ts';
import { parseSpecText, type LoadedDocument } from './document.ts';
import { followPointer, isRecord } from './pointer.ts';

/** Where a `$ref` led: the file and pointer of the target, and the target's value. */
export interface Resolved {
  readonly file: string;
  readonly pointer: string;
  readonly value: unknown;
}

export class DocumentSet {
  readonly #documents = new Map<string, LoadedDocument | null>();
  /** Every text read, parsed or not: a syntax error still gets its code frame. */
  readonly #textsRead = new Map<string, string>();
  readonly #diagnostics: Diagnostics;
  /** Texts given in memory (tests, stdin): consulted before the disk. */
  readonly #texts: ReadonlyMap<string, string>;

  constructor(diagnostics: Diagnostics, texts: ReadonlyMap<string, string> = new Map()) {
    this.#diagnostics = diagnostics;
    this.#texts = new Map([...texts].map(([file, text]) => [resolve(file), text]));
  }

  /** Every file loaded so far, by absolute path. */
  get files(): readonly string[] {
    return [...this.#documents.keys()].sort();
  }

  /** The file's document, loading it on first use; undefined (and reported) when unreadable. */
  load(path: string, referencedFrom?: SpecLocation): LoadedDocument | undefined {
    const file = resolve(path);
    const cached = this.#documents.get(file);
    if (cached !== undefined) return cached ?? undefined;
    const text = this.#read(file, referencedFrom);
    if (text === undefined) {
      this.#documents.set(file, null);
      return undefined;
    }
    this.#textsRead.set(file, text);
    const { document, problems, lenient } = parseSpecText(file, text);
    if (lenient !== undefined) {
      this.#diagnostics.report(
        'SG_LOAD_LENIENT',
        `not valid YAML 1.2 (${lenient.message}); read leniently, as the AsyncAPI tooling does`,
        { file, pointer: '', line: lenient.line, column: lenient.column },
      );
    }
    for (const problem of problems) {
      this.#diagnostics.report('SG_LOAD_SYNTAX', problem.message, {
        file,
        pointer: '',
        line: problem.line,
        column: problem.column,
      });
    }
    if (document !== undefined && !isRecord(document.data)) {
      this.#diagnostics.report('SG_LOAD_NOT_AN_OBJECT', 'expected a mapping at the top level', {
        file,
        pointer: '',
        line: 1,
        column: 1,
      });
    }
    this.#documents.set(file, document ?? null);
    return document;
  }

  /** Every text read, by absolute path (what a run depended on: see cache.ts). */
  get texts(): ReadonlyMap<string, string> {
    return this.#textsRead;
  }

  /** The text of a loaded file (for code frames). */
  text(file: string): string | undefined {
    return this.#textsRead.get(resolve(file));
  }

  /** Line and column of `pointer` in `file` (its nearest written ancestor when synthetic). */
  locate(file: string, pointer: string): SpecLocation {
    const document = this.#documents.get(file);
    const { line, column } = document ? document.position(pointer) : { line: 1, column: 1 };
    return { file, pointer, line, column };
  }

  /**
   * Follows a `$ref` written at `at`. Local refs (`#/…`) stay in the same file; relative file
   * refs load the file. Remote refs are not fetched: reported, quickly (no network, no hang).
   */
  resolveRef(ref: string, at: SpecLocation): Resolved | undefined {
    const hash = ref.indexOf('#');
    const target = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '' : ref.slice(hash + 1);
    let pointer: string;
    try {
      pointer = decodeURIComponent(fragment);
    } catch {
      pointer = fragment;
    }
    if (pointer !== '' && !pointer.startsWith('/')) {
      this.#diagnostics.report(
        'SG_REF_UNRESOLVED',
        `"${ref}": only JSON-pointer fragments are supported`,
        at,
      );
      return undefined;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !/^file:/i.test(target)) {
      this.#diagnostics.report(
        'SG_REF_REMOTE',
        `"${ref}" is remote; ${target} was not fetched (specgate resolves local files only)`,
        at,
      );
      return undefined;
    }
    const file =
      target === ''
        ? at.file
        : resolve(dirname(at.file), decodeURIComponent(target.replace(/^file:\/\//i, '')));
    const document = this.load(file, at);
    if (document === undefined) return undefined;
    const value = followPointer(document.data, pointer);
    if (value === undefined) {
      this.#diagnostics.report('SG_REF_UNRESOLVED', `"${ref}" points at nothing`, at);
      return undefined;
    }
    return { file, pointer, value };
  }

  #read(file: string, referencedFrom?: SpecLocation): string | undefined {
    const given = this.#texts.get(file);
    if (given !== undefined) return given;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      this.#diagnostics.report(
        'SG_LOAD_FILE_NOT_FOUND',
        `cannot read ${file} (${reason})`,
        referencedFrom,
      );
      return undefined;
    }
  }
}
