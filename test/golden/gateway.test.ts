/**
 * Golden files of the gateway target: what `specgate generate` writes for the todo and petstore
 * examples and for a corpus document (the AsyncAPI streetlights example, paired with an OpenAPI
 * fixture). They live in test/golden/gateway/<case>/ as real TypeScript files, so `tsc -p .`
 * type-checks them against the real runtime and Fastify types (they import `specgate/runtime`,
 * resolved through the package's own `exports`), and a diff in them is reviewed like code.
 * Regenerate them with `npx vitest run test/golden -u`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromPaths } from '../../generator/config.ts';
import { gatewayCheckFiles } from '../../generator/emit/gateway/check-files.ts';
import { checkTypeScript } from '../../generator/emit/types/index.ts';
import { emitTargets } from '../../generator/generate.ts';
import { validateSpecs } from '../../generator/validate.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const golden = join(repo, 'test/golden/gateway');

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
  // The gateway's files (and the types they share); the client has goldens of its own.
  const config = {
    ...configFromPaths(join(repo, openapi), join(repo, asyncapi)),
    targets: ['gateway'] as const,
  };
  const result = await validateSpecs(config);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (result.api === undefined) throw new Error('the specs did not parse');
  // Headers name the specs relative to the repository, wherever the tests run from.
  return emitTargets(result.api, config, repo);
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

describe.each(cases)('gateway golden files: $name', ({ name, openapi, asyncapi }) => {
  it('match the files on disk', async () => {
    const files = await emitCase(openapi, asyncapi);
    for (const file of files) {
      await expect(file.content).toMatchFileSnapshot(join(golden, name, file.path));
    }
    // A file the generator stopped emitting must not linger as a golden file.
    expect(await filesUnder(join(golden, name))).toEqual(files.map((f) => f.path).sort());
  });

  it('type-check in memory, as generate checks them', async () => {
    const files = await emitCase(openapi, asyncapi);
    expect(checkTypeScript(files, { extraFiles: gatewayCheckFiles() })).toEqual([]);
  });

  it('are the same bytes when generated twice', async () => {
    const first = await emitCase(openapi, asyncapi);
    const second = await emitCase(openapi, asyncapi);
    expect(second).toEqual(first);
  });
});
