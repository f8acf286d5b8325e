/**
 * A new user's first minutes, as a new user has them (issue 11): specgate packed as npm would
 * publish it, installed into an empty project outside this repository (`npm init -y`, which
 * makes a CommonJS package), then `npx specgate init`, `npx specgate generate`, and the
 * generated gateway served with `npx tsx` as the init summary says, against the real broker: a
 * note written through it is read back. Nothing here can lean on the repository's own
 * package.json, node_modules or its self-reference to `specgate`.
 *
 * The install resolves the dependencies from npm's cache (`--prefer-offline`; `npm ci` filled
 * it), so it takes seconds, not minutes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeLoopbackPorts } from '../../scripts/kafka/ports.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { repoRoot, testKafka } from './support.ts';

const project = mkdtempSync(join(tmpdir(), 'specgate-new-user-'));
let server: ChildProcess | undefined;
let output = '';

afterAll(() => {
  // npx and tsx each start a child: end the whole process group, not just npx.
  if (server?.pid !== undefined) process.kill(-server.pid, 'SIGKILL');
  rmSync(project, { recursive: true, force: true });
});

/** A command in the user's project; its output, or the test fails with it. */
function run(command: string, ...args: string[]): string {
  return execFileSync(command, args, {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

it('installs from the packed package, inits, generates and serves in an empty project', async () => {
  run('npm', 'pack', '--pack-destination', project, repoRoot);
  const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  // npm pack run in the project names the repository; the tarball holds only the `files` list.
  const listing = run('tar', '-tzf', tarball ?? '');
  expect(listing).toContain('package/runtime/index.ts');
  expect(listing).not.toMatch(/\.test\.ts$/m);
  expect(listing).not.toContain('package/test/');

  run('npm', 'init', '-y');
  run('npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball ?? ''}`);
  expect(run('npx', 'specgate', 'init')).toContain('npx specgate generate');
  expect(run('npx', 'specgate', 'generate')).toContain('0 errors, 0 warnings');

  const kafka = testKafka(kafkaBrokers());
  await kafka.admin.ensureTopics([{ topic: 'notes', partitions: 3, compacted: true }]);
  await kafka.close();
  const [port] = await freeLoopbackPorts(1);
  const url = `http://127.0.0.1:${port}`;
  server = spawn('npx', ['tsx', 'generated/gateway/server.ts'], {
    cwd: project,
    env: {
      ...process.env,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    server?.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`))),
  );
  const ready = (async (): Promise<void> => {
    for (;;) {
      const status = (await fetch(`${url}/readyz`).catch(() => undefined))?.status;
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  await Promise.race([ready, exited]);

  const id = `note-${randomUUID().slice(0, 8)}`;
  const put = await fetch(`${url}/notes/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'hello' }),
  });
  expect(put.status).toBe(202);
  const read = await fetch(`${url}/notes/${id}`, {
    headers: { 'specgate-progress': put.headers.get('specgate-progress') ?? '' },
  });
  expect(read.status).toBe(200);
  expect(await read.json()).toEqual({ text: 'hello' });
}, 240_000);
