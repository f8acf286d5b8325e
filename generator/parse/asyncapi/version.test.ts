import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile } from './testing.ts';

const file = resolve('/virtual/asyncapi.yaml');

async function parseText(text: string): ReturnType<typeof parseFile> {
  return parseFile(file, new Map([[file, text]]));
}

describe('the declared version', () => {
  it.each([
    ['asyncapi: 3.1.0', 'SG_SPEC_VERSION_UNSUPPORTED', 1],
    ['asyncapi: 2.7.0', 'SG_SPEC_VERSION_UNSUPPORTED', 1],
    ['asyncapi: 1.2.0', 'SG_SPEC_VERSION_UNSUPPORTED', 1],
    ['asyncapi: 2.6', 'SG_SPEC_VERSION_UNSUPPORTED', 1],
    ['openapi: 3.0.3', 'SG_SPEC_UNKNOWN', 1],
    ['title: nothing', 'SG_SPEC_UNKNOWN', 1],
  ])('%s → %s at line %d', async (first, code, line) => {
    const { api, diagnostics } = await parseText(`${first}\ninfo:\n  title: t\n  version: '1'\n`);
    expect(api).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ code, location: expect.objectContaining({ file, line }) }),
    ]);
  });

  it('points at the version key when it is not on the first line', async () => {
    const { diagnostics } = await parseText(`info:\n  title: t\n  version: '1'\nasyncapi: 3.1.0\n`);
    expect(diagnostics[0]).toMatchObject({
      code: 'SG_SPEC_VERSION_UNSUPPORTED',
      location: { pointer: '/asyncapi', line: 4, column: 1 },
    });
  });

  it.each(['2.0.0', '2.3.0', '2.6.0', '3.0.0'])('reads %s', async (version) => {
    const channels = version.startsWith('3')
      ? 'channels:\n  a:\n    address: a\n'
      : 'channels:\n  a:\n    publish:\n      operationId: onA\n      message:\n        payload:\n          type: string\n';
    const { api, diagnostics } = await parseText(
      `asyncapi: ${version}\ninfo:\n  title: t\n  version: '1'\n${channels}`,
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(api?.specVersion).toBe(version);
    expect(api?.channels.map((c) => c.address)).toEqual(['a']);
  });
});
