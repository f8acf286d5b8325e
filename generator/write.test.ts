import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasDrift, manifestName, writeFiles, type WriteDone, type WriteResult } from './write.ts';

let out: string;

beforeEach(async () => {
  out = join(await mkdtemp(join(tmpdir(), 'specgate-write-')), 'out');
});
afterEach(async () => {
  await rm(join(out, '..'), { recursive: true, force: true });
});

function done(result: WriteResult): WriteDone {
  if (result.status !== 'done') throw new Error(`refused: ${result.reason}`);
  return result;
}

async function tree(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(folder.length + 1))
    .sort();
}

const first = [
  { path: 'types.ts', content: 'export type A = 1;\n' },
  { path: 'gateway/spec.ts', content: 'export const spec = 1;\n' },
  { path: 'gateway/old/extra.ts', content: 'export {};\n' },
];

describe('writeFiles', () => {
  it('writes into a missing folder, with a manifest of paths and hashes', async () => {
    const result = done(await writeFiles(out, first));
    expect(result.added).toEqual([
      manifestName,
      'gateway/old/extra.ts',
      'gateway/spec.ts',
      'types.ts',
    ]);
    expect(await readFile(join(out, 'gateway/spec.ts'), 'utf8')).toBe('export const spec = 1;\n');
    const manifest: unknown = JSON.parse(await readFile(join(out, manifestName), 'utf8'));
    expect(manifest).toEqual({
      generator: 'specgate',
      files: {
        'gateway/old/extra.ts': expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        'gateway/spec.ts': expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        'types.ts': expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      },
    });
  });

  it('rewrites only what changed, prunes what is no longer emitted, never touches other files', async () => {
    done(await writeFiles(out, first));
    await writeFile(join(out, 'notes.txt'), 'mine\n');
    await mkdir(join(out, 'gateway/old'), { recursive: true });
    await writeFile(join(out, 'gateway/old/mine.ts'), 'mine\n');
    const second = [
      { path: 'types.ts', content: 'export type A = 2;\n' },
      { path: 'gateway/spec.ts', content: 'export const spec = 1;\n' },
    ];
    const result = done(await writeFiles(out, second));
    expect(result).toMatchObject({
      added: [],
      changed: [manifestName, 'types.ts'],
      unchanged: ['gateway/spec.ts'],
      removed: ['gateway/old/extra.ts'],
      kept: [],
    });
    expect(await tree(out)).toEqual([
      manifestName,
      'gateway/old/mine.ts',
      'gateway/spec.ts',
      'notes.txt',
      'types.ts',
    ]);
  });

  it('removes folders that pruning empties', async () => {
    done(await writeFiles(out, first));
    done(await writeFiles(out, first.slice(0, 2)));
    expect(await readdir(join(out, 'gateway'))).toEqual(['spec.ts']);
  });

  it('keeps a stale generated file that was edited since, and says so', async () => {
    done(await writeFiles(out, first));
    await writeFile(join(out, 'gateway/old/extra.ts'), 'edited\n');
    const result = done(await writeFiles(out, first.slice(0, 2)));
    expect(result.removed).toEqual([]);
    expect(result.kept).toEqual(['gateway/old/extra.ts']);
    expect(await readFile(join(out, 'gateway/old/extra.ts'), 'utf8')).toBe('edited\n');
  });

  it('refuses a non-empty folder without a manifest, unless forced', async () => {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'index.ts'), 'mine\n');
    const refused = await writeFiles(out, first);
    expect(refused).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('--force'),
    });
    expect(await tree(out)).toEqual(['index.ts']);

    const forced = done(await writeFiles(out, first, { force: true }));
    expect(forced.added).toContain('types.ts');
    expect(await readFile(join(out, 'index.ts'), 'utf8')).toBe('mine\n');
  });

  it('refuses to overwrite a file the manifest does not list', async () => {
    done(await writeFiles(out, first));
    await writeFile(join(out, 'server.ts'), 'mine\n');
    const refused = await writeFiles(out, [...first, { path: 'server.ts', content: 'ours\n' }]);
    expect(refused).toMatchObject({ status: 'refused', conflicts: ['server.ts'] });
    expect(await readFile(join(out, 'server.ts'), 'utf8')).toBe('mine\n');
  });

  it('--check writes nothing and lists the drift', async () => {
    const missing = done(await writeFiles(out, first, { check: true }));
    expect(missing.checked).toBe(true);
    expect(hasDrift(missing)).toBe(true);
    await expect(readdir(out)).rejects.toThrow();

    done(await writeFiles(out, first));
    const clean = done(await writeFiles(out, first, { check: true }));
    expect(hasDrift(clean)).toBe(false);

    await writeFile(join(out, 'types.ts'), 'edited\n');
    const drift = done(
      await writeFiles(out, [...first.slice(0, 2), { path: 'client.ts', content: 'x\n' }], {
        check: true,
      }),
    );
    expect(drift).toMatchObject({
      added: ['client.ts'],
      changed: [manifestName, 'types.ts'],
      removed: ['gateway/old/extra.ts'],
    });
    expect(await readFile(join(out, 'types.ts'), 'utf8')).toBe('edited\n');
    expect(await tree(out)).toContain('gateway/old/extra.ts');
  });

  it.each(['../escape.ts', '/abs.ts', 'a/./b.ts', 'a\\b.ts', '', manifestName])(
    'rejects the unsafe path %j',
    async (path) => {
      await expect(writeFiles(out, [{ path, content: '' }])).rejects.toThrow(/not a relative path/);
    },
  );

  it('rejects a path emitted twice', async () => {
    const file = { path: 'a.ts', content: '' };
    await expect(writeFiles(out, [file, file])).rejects.toThrow(/twice/);
  });

  it('refuses a folder whose manifest is not ours, unless forced', async () => {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, manifestName), '[1, 2]');
    expect(await writeFiles(out, first)).toMatchObject({ status: 'refused' });
    expect(done(await writeFiles(out, first, { force: true })).changed).toEqual([manifestName]);
  });

  it('refuses an output path that is a file', async () => {
    await mkdir(join(out, '..'), { recursive: true });
    await writeFile(out, 'a file\n');
    expect(await writeFiles(out, first)).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('is not a folder'),
    });
  });
});
