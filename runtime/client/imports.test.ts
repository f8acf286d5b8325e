// The client runtime runs in browsers (design.md §7): its source imports only its own files.
// eslint enforces the same; this test fails even where lint is not run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = import.meta.dirname;
const sources = readdirSync(dir).filter(
  (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.startsWith('test-'),
);

function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) if (match[1] !== undefined) found.push(match[1]);
  }
  return found;
}

describe('runtime/client imports', () => {
  it('has the files the package exports', () => {
    expect(sources).toContain('index.ts');
    expect(sources).toContain('types.ts');
  });

  it.each(sources)('%s imports only ./*.ts files of runtime/client', (name) => {
    const imports = specifiers(readFileSync(join(dir, name), 'utf8'));
    for (const specifier of imports) {
      expect(specifier).toMatch(/^\.\/[\w.-]+\.ts$/);
      expect(sources).toContain(specifier.slice(2));
    }
  });

  it('finds the specifiers it checks', () => {
    expect(specifiers("import { a } from './a.ts';\nexport type { B } from 'b';")).toEqual([
      './a.ts',
      'b',
    ]);
    expect(specifiers("import 'node:fs'; await import('fastify');")).toEqual([
      'node:fs',
      'fastify',
    ]);
  });
});
