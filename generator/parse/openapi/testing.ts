/** Helpers for this folder's tests: parse a fixture or an in-memory text with a fresh run. */
import { fileURLToPath } from 'node:url';
import { Diagnostics, type Diagnostic } from '../../diagnostics.ts';
import { SchemaRegistry } from '../../ir/schema-registry.ts';
import type { HttpApi, HttpOperation } from '../../ir/types.ts';
import { DocumentSet } from '../../load/document-set.ts';
import { parseOpenApi } from './index.ts';

export interface Parsed {
  readonly api: HttpApi | undefined;
  readonly diagnostics: readonly Diagnostic[];
  readonly registry: SchemaRegistry;
  readonly documents: DocumentSet;
}

/** The absolute path of a file under fixtures/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

/** Parses `file`; `texts` (path → content) stand in for files on disk. */
export async function parse(file: string, texts: Record<string, string> = {}): Promise<Parsed> {
  const diagnostics = new Diagnostics();
  const documents = new DocumentSet(diagnostics, new Map(Object.entries(texts)));
  const registry = new SchemaRegistry();
  const api = await parseOpenApi({ documents, registry, diagnostics }, file);
  return { api, diagnostics: diagnostics.items, registry, documents };
}

/** An in-memory document at a made-up absolute path. */
export const virtualFile = '/virtual/openapi.yaml';

export function parseText(text: string): Promise<Parsed> {
  return parse(virtualFile, { [virtualFile]: text });
}

/** How many diagnostics of each code. */
export function countCodes(diagnostics: readonly Diagnostic[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of diagnostics) out[d.code] = (out[d.code] ?? 0) + 1;
  return out;
}

/** `code line:column pointer` for each diagnostic, easy to compare in a table. */
export function placed(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map(
    (d) => `${d.code} ${d.location?.line}:${d.location?.column} ${d.location?.pointer}`,
  );
}

export function operation(api: HttpApi | undefined, method: string, path: string): HttpOperation {
  const found = api?.operations.find((o) => o.method === method && o.path === path);
  if (found === undefined) throw new Error(`no ${method} ${path}`);
  return found;
}

/** The 1-based line and column of the first `needle` at or after line `from` of `text`. */
export function positionOf(
  text: string,
  needle: string,
  from = 1,
): { line: number; column: number } {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) {
    const column = lines[i]?.indexOf(needle) ?? -1;
    if (column !== -1) return { line: i + 1, column: column + 1 };
  }
  throw new Error(`"${needle}" not found`);
}

/** The node without its `source` (for comparing content only). */
export function withoutSource(value: object | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'source'));
}
