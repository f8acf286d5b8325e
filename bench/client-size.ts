/**
 * The size of the generated todo client as a browser ships it (issue 6, design.md §7): the
 * client generated from specs/todo with its runtime (`specgate/client`), bundled by esbuild for
 * the browser, minified, then gzipped. The baseline, bundled the same way in the same run, is
 * openapi-fetch's runtime alone (its `createClient`), which claims about 6 kB.
 *
 *   npm run bench -- client-size
 *
 * Prints bytes minified and gzipped for each, then the ratio. Goal: under 5 kB gzipped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { configFromPaths } from '../generator/config.ts';
import { generate } from '../generator/generate.ts';
import { browserBundle } from '../scripts/bundle/browser-bundle.ts';

const root = resolve(import.meta.dirname, '..');
const goalBytes = 5 * 1024;

interface Size {
  readonly name: string;
  readonly minified: number;
  readonly gzipped: number;
}

async function bundle(name: string, entry: string): Promise<Size> {
  const code = await browserBundle(entry);
  return { name, minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

async function main(): Promise<void> {
  const out = join(root, 'bench/.out/client-size');
  await mkdir(out, { recursive: true });
  const config = {
    ...configFromPaths(
      join(root, 'specs/todo/openapi.yaml'),
      join(root, 'specs/todo/asyncapi.yaml'),
      out,
    ),
    targets: ['client'] as const,
  };
  const generated = await generate(config, { force: true });
  if (generated.hasErrors) throw new Error('generating the todo client failed');
  // Everything the client exports, so nothing is shaken out.
  const todoEntry = join(out, 'entry-todo.ts');
  await writeFile(todoEntry, `export * from './client/index.ts';\n`);
  const baselineEntry = join(out, 'entry-openapi-fetch.ts');
  await writeFile(baselineEntry, `export { default } from 'openapi-fetch';\n`);

  const todo = await bundle('specgate todo client + runtime', todoEntry);
  const baseline = await bundle('openapi-fetch runtime (baseline)', baselineEntry);
  for (const size of [todo, baseline]) {
    console.log(
      `${size.name.padEnd(34)} ${String(size.minified).padStart(7)} B minified  ${String(size.gzipped).padStart(6)} B gzipped`,
    );
  }
  console.log(
    `goal: under ${goalBytes} B gzipped — ${todo.gzipped < goalBytes ? 'met' : 'NOT met'}`,
  );
  console.log(
    `ratio (specgate / baseline, gzipped): ${(todo.gzipped / baseline.gzipped).toFixed(2)}`,
  );
}

await main();
