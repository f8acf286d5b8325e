/**
 * Golden files of the client target: what the client emitter writes (with the `types.ts` it
 * imports) for the todo and petstore examples and for the streetlights corpus pair (a route
 * that only streams). They live in test/golden/client/<case>/ as real TypeScript files, so
 * `tsc -p .` type-checks them against the real client runtime (they import `specgate/client`,
 * resolved through the package's own `exports`), and test/golden/client-types.test-d.ts tests
 * the todo client's types. Regenerate them with `npx vitest run test/golden/client.test.ts -u`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromPaths } from '../../generator/config.ts';
import { clientCheckFiles, emitClient } from '../../generator/emit/client/index.ts';
import { checkTypeScript, emitTypes } from '../../generator/emit/types/index.ts';
import { formatWithPrettier } from '../../generator/emit/types/testing.ts';
import { validateSpecs } from '../../generator/validate.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const golden = join(repo, 'test/golden/client');

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
];

async function emitCase(openapi: string, asyncapi: string) {
  const config = configFromPaths(join(repo, openapi), join(repo, asyncapi));
  const result = await validateSpecs(config);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (result.api === undefined) throw new Error('the specs did not parse');
  // Headers name the specs relative to the repository, wherever the tests run from.
  return [...emitTypes(result.api, { root: repo }), ...emitClient(result.api, { root: repo })];
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

describe.each(cases)('client golden files: $name', ({ name, openapi, asyncapi }) => {
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
    expect(checkTypeScript(files, { extraFiles: clientCheckFiles() })).toEqual([]);
  });

  it('are the same bytes when generated twice', async () => {
    const first = await emitCase(openapi, asyncapi);
    const second = await emitCase(openapi, asyncapi);
    expect(second).toEqual(first);
  });
});
