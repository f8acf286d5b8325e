/**
 * Golden types files (style.md §11): real `.ts` files under test/golden/types/, compared with
 * `toMatchFileSnapshot`, type-checked here with the strict options (and by `tsc -p .` with the
 * rest of the project), and formatted as prettier would. A diff is reviewed like code;
 * `vitest -u` rewrites them.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromPaths } from '../../../generator/config.ts';
import { checkTypeScript } from '../../../generator/emit/types/check.ts';
import { emitTypes } from '../../../generator/emit/types/emit-types.ts';
import { apiOfSpecFile, formatWithPrettier } from '../../../generator/emit/types/testing.ts';
import type { Api } from '../../../generator/ir/types.ts';
import { validateSpecs } from '../../../generator/validate.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const corpus = resolve(process.env.SPECS_CORPUS ?? join(root, '../shared/specs-corpus'));

async function pair(folder: string): Promise<Api | undefined> {
  const specs = join(root, folder);
  const result = await validateSpecs(
    configFromPaths(join(specs, 'openapi.yaml'), join(specs, 'asyncapi.yaml')),
  );
  return result.api;
}

const cases: readonly { name: string; root: string; api: () => Promise<Api | undefined> }[] = [
  { name: 'todo', root, api: () => pair('specs/todo') },
  { name: 'petstore', root, api: () => pair('specs/petstore') },
  // Issue 11: each schema construct real specs use (fixtures/constructs/openapi.yaml), and
  // OpenAPI 3.0's `nullable` wherever it is written (fixtures/nullable/openapi.yaml).
  { name: 'constructs', root, api: () => pair('test/golden/types/fixtures/constructs') },
  {
    name: 'nullable',
    root,
    api: async () => (await apiOfSpecFile(join(here, 'fixtures/nullable/openapi.yaml'))).api,
  },
  {
    name: 'springwolf',
    root: dirname(corpus),
    api: async () =>
      (await apiOfSpecFile(join(corpus, 'asyncapi/springwolf-core__asyncapi.yaml'))).api,
  },
];

describe('golden types', () => {
  it.each(cases)('$name', async (golden) => {
    const api = await golden.api();
    if (api === undefined) throw new Error(`${golden.name}: no Api`);
    const files = emitTypes(api, { root: golden.root });
    const content = files[0]?.content ?? '';
    await expect(content).toMatchFileSnapshot(`./${golden.name}/types.ts`);
    expect(checkTypeScript(files)).toEqual([]);
    expect(await formatWithPrettier(content)).toBe(content);
  });
});
