/** Helpers for the AsyncAPI parser's tests: a fresh run per parse, and places in fixture text. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Diagnostics, type Diagnostic } from '../../diagnostics.ts';
import { SchemaRegistry } from '../../ir/schema-registry.ts';
import type { KafkaApi, NamedSchema } from '../../ir/types.ts';
import { DocumentSet } from '../../load/document-set.ts';
import { parseAsyncApi } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const fixtures = join(here, 'fixtures');
/** shared/ sits beside the checkout (here and in CI); SPECS_CORPUS overrides. */
export const corpus = resolve(
  process.env.SPECS_CORPUS ?? join(here, '../../../../shared/specs-corpus'),
);

export interface Parsed {
  readonly api: KafkaApi | undefined;
  readonly diagnostics: readonly Diagnostic[];
  readonly schemas: { readonly [id: string]: NamedSchema };
  readonly ms: number;
}

/** Parses `file` in a fresh run; `texts` are files given in memory (path → text). */
export async function parseFile(
  file: string,
  texts: ReadonlyMap<string, string> = new Map(),
): Promise<Parsed> {
  const diagnostics = new Diagnostics();
  const documents = new DocumentSet(diagnostics, texts);
  const registry = new SchemaRegistry();
  const started = performance.now();
  const api = await parseAsyncApi({ documents, registry, diagnostics }, file);
  return {
    api,
    diagnostics: diagnostics.items,
    schemas: registry.all(),
    ms: performance.now() - started,
  };
}

/** `{ code: count }` of a parse's diagnostics. */
export function countCodes(diagnostics: readonly Diagnostic[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of diagnostics) counts[d.code] = (counts[d.code] ?? 0) + 1;
  return counts;
}

export function errors(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/**
 * The 1-based line and column where `needle` starts on the first line of `file` that contains
 * it at or after line `after`: how a test checks a location against the fixture text itself.
 */
export function placeOf(file: string, needle: string, after = 1): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let index = after - 1; index < lines.length; index++) {
    const column = lines[index]?.indexOf(needle) ?? -1;
    if (column !== -1) return { line: index + 1, column: column + 1 };
  }
  throw new Error(`"${needle}" is not in ${file}`);
}
