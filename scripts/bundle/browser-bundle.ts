/**
 * Bundles a module for the browser the way a front-end build would (esbuild: ESM, minified,
 * es2022), with `specgate/client` resolved to this repository's runtime. Used by the bundle-size
 * benchmark and the browser tests, so both measure and run the same bytes.
 */
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** The minified bundle of `entry`. */
export async function browserBundle(entry: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    alias: { 'specgate/client': join(root, 'runtime/client/index.ts') },
    logLevel: 'error',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  return output.contents;
}
