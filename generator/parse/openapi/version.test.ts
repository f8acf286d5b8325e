import { describe, expect, it } from 'vitest';
import { parseText, placed } from './testing.ts';

describe('OpenAPI version detection', () => {
  it.each([
    ['openapi: 3.0.3', 'openapi-3.0', '3.0.3'],
    ['openapi: 3.0.0-rc2', 'openapi-3.0', '3.0.0-rc2'],
    ['openapi: 3.1.0', 'openapi-3.1', '3.1.0'],
    ['openapi: 3.1.1', 'openapi-3.1', '3.1.1'],
  ])('%s is read', async (line, _dialect, specVersion) => {
    const { api, diagnostics } = await parseText(
      `${line}\ninfo: { title: T, version: "1" }\npaths: {}\n`,
    );
    expect(api?.specVersion).toBe(specVersion);
    expect(diagnostics.filter((d) => d.code.startsWith('SG_SPEC'))).toEqual([]);
  });

  it.each([
    ['info: { title: T }\nswagger: "2.0"\n', 'SG_SPEC_VERSION_UNSUPPORTED 2:1 /swagger'],
    ['info: { title: T }\nopenapi: 3.2.0\n', 'SG_SPEC_VERSION_UNSUPPORTED 2:1 /openapi'],
    ['openapi: 2\n', 'SG_SPEC_VERSION_UNSUPPORTED 1:1 /openapi'],
    ['asyncapi: 3.0.0\n', 'SG_SPEC_UNKNOWN 1:1 '],
    ['info: { title: T }\n', 'SG_SPEC_UNKNOWN 1:1 '],
  ])('%j is refused', async (text, want) => {
    const { api, diagnostics } = await parseText(text);
    expect(api).toBeUndefined();
    expect(placed(diagnostics)).toEqual([want]);
  });

  it('gives up quietly on a file the loader already reported', async () => {
    const { api, diagnostics } = await parseText('openapi: [\n');
    expect(api).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['SG_LOAD_SYNTAX']);
  });
});
