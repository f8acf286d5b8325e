/**
 * The golden-file harness one target's golden test runs: for each example pair, the files
 * `specgate generate` writes for that target alone (with the `types.ts` it imports) must equal
 * the files kept in test/golden/<target>/<case>/, be what Prettier would write, type-check in
 * memory as `generate` checks them, and come out the same bytes twice. The kept files are real
 * TypeScript, so `tsc -p .` also type-checks them against the real runtime (they import
 * `specgate/runtime` or `specgate/client` through the package's own `exports`).
 * Regenerate them with `npx vitest run test/golden -u`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromPaths, type Target } from '../../generator/config.ts';
import type { GeneratedFile } from '../../generator/emit/generated-file.ts';
import { checkTypeScript } from '../../generator/emit/types/index.ts';
import { formatWithPrettier } from '../../generator/emit/types/testing.ts';
import { emitTargets } from '../../generator/generate.ts';
import { validateSpecs } from '../../generator/validate.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

const cases = [
  { name: 'todo', openapi: 'specs/todo/openapi.yaml', asyncapi: 'specs/todo/asyncapi.yaml' },
  {
    name: 'petstore',
    openapi: 'specs/petstore/openapi.yaml',
    asyncapi: 'specs/petstore/asyncapi.yaml',
  },
  {
    name: 'streetlights',
    openapi: 'test/golden/gateway/fixtures/streetlights/openapi.yaml',
    asyncapi: 'test/golden/gateway/fixtures/streetlights/asyncapi.yaml',
  },
  // Issue 11's schema constructs, every operation bound: 2XX and default responses, a vendor
  // JSON media type, a non-JSON body and answer, request forms without read-only properties.
  {
    name: 'constructs',
    openapi: 'test/golden/types/fixtures/constructs/openapi.yaml',
    asyncapi: 'test/golden/types/fixtures/constructs/asyncapi.yaml',
  },
];

/** Registers the golden tests of `target`; `checkFiles` stand in for its runtime in memory. */
export function goldenTarget(target: Target, checkFiles: () => GeneratedFile[]): void {
  const golden = join(repo, 'test/golden', target);

  async function emitCase(openapi: string, asyncapi: string): Promise<GeneratedFile[]> {
    const config = {
      ...configFromPaths(join(repo, openapi), join(repo, asyncapi)),
      targets: [target],
    };
    const result = await validateSpecs(config);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (result.api === undefined) throw new Error('the specs did not parse');
    // Headers name the specs relative to the repository, wherever the tests run from.
    return emitTargets(result.api, config, repo);
  }

  describe.each(cases)(`${target} golden files: $name`, ({ name, openapi, asyncapi }) => {
    it('match the files on disk', async () => {
      const files = await emitCase(openapi, asyncapi);
      for (const file of files) {
        await expect(file.content).toMatchFileSnapshot(join(golden, name, file.path));
      }
      // A file the generator stopped emitting must not linger as a golden file.
      expect(await filesUnder(join(golden, name))).toEqual(files.map((f) => f.path).sort());
    });

    it('are formatted as prettier formats them', async () => {
      for (const file of await emitCase(openapi, asyncapi)) {
        expect(file.content, file.path).toBe(await formatWithPrettier(file.content));
      }
    });

    it('type-check in memory, as generate checks them', async () => {
      const files = await emitCase(openapi, asyncapi);
      expect(checkTypeScript(files, { extraFiles: checkFiles() })).toEqual([]);
    });

    it('are the same bytes when generated twice', async () => {
      const first = await emitCase(openapi, asyncapi);
      const second = await emitCase(openapi, asyncapi);
      expect(second).toEqual(first);
    });
  });
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(folder.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
}
