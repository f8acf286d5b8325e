import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnosticCodes } from './diagnostic-codes.ts';

const page = readFileSync(new URL('../docs/diagnostics.md', import.meta.url), 'utf8');

/** `### CODE` headings, each followed by a paragraph that starts with its severity in bold. */
function documented(): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of page.matchAll(/^### (SG_[A-Z_]+)\n\*\*(error|warning|notice)\.?\*\*/gm)) {
    found.set(match[1] ?? '', match[2] ?? '');
  }
  return found;
}

describe('docs/diagnostics.md', () => {
  it('documents every code with its default severity', () => {
    const want = new Map(
      Object.entries(diagnosticCodes).map(([code, { severity }]) => [code, severity]),
    );
    expect(documented()).toEqual(want);
  });

  it('documents no code twice', () => {
    const headings = [...page.matchAll(/^### (SG_[A-Z_]+)/gm)].map((m) => m[1]);
    expect(new Set(headings).size).toBe(headings.length);
  });
});
