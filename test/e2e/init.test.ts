/**
 * A new user's first minutes (issue 11): `specgate init` in an empty folder, then `specgate
 * generate` there with no arguments, then the generated gateway served against the real broker —
 * a note written through it is read back through its view. And init never overwrites.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../runtime/index.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { repoRoot, startGenerated, testKafka } from './support.ts';

const dir = join(repoRoot, 'test/.tmp', `init-${randomUUID().slice(0, 8)}`);
let gateway: Gateway | undefined;
afterAll(async () => {
  await gateway?.close();
});

function specgate(...args: string[]): { code: number | null; out: string } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'bin/specgate.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: run.status, out: run.stdout + run.stderr };
}

describe('specgate init', () => {
  it('scaffolds a project that generates and serves at once', async () => {
    mkdirSync(dir, { recursive: true });
    const init = specgate('init');
    expect(init.code, init.out).toBe(0);
    expect(init.out).toContain('npx specgate generate');
    const generate = specgate('generate');
    expect(generate.code, generate.out).toBe(0);
    expect(generate.out).toContain('0 errors, 0 warnings');
    for (const file of ['gateway/server.ts', 'client/index.ts', 'types.ts']) {
      expect(existsSync(join(dir, 'generated', file)), file).toBe(true);
    }

    const kafka = testKafka(kafkaBrokers());
    await kafka.admin.ensureTopics([{ topic: 'notes', partitions: 3, compacted: true }]);
    await kafka.close();
    const started = await startGenerated(join(dir, 'generated'), { brokers: kafkaBrokers() });
    gateway = started.gateway;
    const id = `note-${randomUUID().slice(0, 8)}`;
    const put = await fetch(`${started.url}/notes/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(put.status).toBe(202);
    const read = await fetch(`${started.url}/notes/${id}`, {
      headers: { 'specgate-progress': put.headers.get('specgate-progress') ?? '' },
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ text: 'hello' });
  });

  it('never overwrites a project', () => {
    const before = readFileSync(join(dir, 'specgate.yaml'), 'utf8');
    const again = specgate('init');
    expect(again.code).toBe(1);
    expect(again.out).toContain(
      'already has specgate.yaml, specs/openapi.yaml, specs/asyncapi.yaml',
    );
    expect(readFileSync(join(dir, 'specgate.yaml'), 'utf8')).toBe(before);
  });
});
