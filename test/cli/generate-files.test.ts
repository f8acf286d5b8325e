/**
 * The write stage through the real CLI (issue 11, "Done when"): `--check` names a generated file
 * someone edited or deleted and passes again after regeneration; renaming an operation rewrites
 * the generated files and leaves hand-written files beside them alone; a file the generator no
 * longer emits is removed (and dropped from the manifest) unless someone edited it, in which
 * case it is kept and reported.
 *
 * specgate emits one file per target kind (types.ts, client/index.ts, gateway/*.ts,
 * service/handlers.ts), not one per operation, so a rename changes files; a file is removed
 * when its target goes (here: `service` dropped from the config's targets).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { manifestName } from '../../generator/write.ts';
import { copyTodoSpecs, runCli } from './run-cli.ts';

const temp = mkdtempSync(join(tmpdir(), 'specgate-files-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const allTargets = ['gateway', 'client', 'service'] as const;
/** Each test generates in full several times (emit, type-check): seconds each on a busy machine. */
const slow = 90_000;

let dir = '';
let out = '';
let config = '';
let projects = 0;
beforeEach(() => {
  dir = join(temp, `project-${++projects}`);
  out = join(dir, 'generated');
  config = join(dir, 'specgate.yaml');
  copyTodoSpecs(dir);
  writeConfig(allTargets);
});

function writeConfig(targets: readonly string[], extra = ''): void {
  writeFileSync(
    config,
    `openapi: openapi.yaml\nasyncapi: asyncapi.yaml\nout: generated\ntargets: [${targets.join(', ')}]\n${extra}`,
  );
}

async function generate(...extra: string[]) {
  return runCli(['generate', '--config', config, ...extra]);
}

/** The paths the manifest lists. */
function manifestFiles(): string[] {
  const manifest = JSON.parse(readFileSync(join(out, manifestName), 'utf8')) as {
    files: Record<string, string>;
  };
  return Object.keys(manifest.files);
}

const read = (path: string): string => readFileSync(join(out, path), 'utf8');

/** Hand-written files beside generated ones, as a user would keep them. */
const handWritten = {
  'client/my-wrapper.ts':
    "// Hand-written: not specgate's.\nimport { createClient } from './index.ts';\n\nexport const api = createClient({ baseUrl: '/api' });\n",
  'service/my-service.ts': "// Hand-written: not specgate's.\nexport const owner = 'tasks team';\n",
} as const;

function writeHandWritten(): void {
  for (const [path, text] of Object.entries(handWritten)) writeFileSync(join(out, path), text);
}

function expectHandWrittenUntouched(): void {
  for (const [path, text] of Object.entries(handWritten)) {
    expect(readFileSync(join(out, path), 'utf8'), path).toBe(text);
  }
}

describe('specgate generate --check', () => {
  it(
    'exits 1 naming a generated file that was edited or deleted, and 0 after regeneration',
    async () => {
      expect((await generate()).code).toBe(0);
      expect((await generate('--check')).code).toBe(0);

      const routes = read('gateway/routes.ts');
      const tampered = routes.replace("method: 'POST'", "method: 'PUT'");
      expect(tampered).not.toBe(routes);
      writeFileSync(join(out, 'gateway/routes.ts'), tampered);
      const edited = await generate('--check');
      expect(edited.code).toBe(1);
      expect(edited.stdout).toContain('is out of date');
      expect(edited.stdout).toMatch(/^ {2}changed +gateway\/routes\.ts$/m);
      // Only that file: nothing else is reported, and --check wrote nothing.
      expect(edited.stdout.match(/^ {2}(added|changed|removed) /gm)).toHaveLength(1);
      expect(read('gateway/routes.ts')).toBe(tampered);

      rmSync(join(out, 'client/index.ts'));
      const deleted = await generate('--check');
      expect(deleted.code).toBe(1);
      expect(deleted.stdout).toMatch(/^ {2}added +client\/index\.ts$/m);
      expect(deleted.stdout).toMatch(/^ {2}changed +gateway\/routes\.ts$/m);
      expect(existsSync(join(out, 'client/index.ts'))).toBe(false);

      const again = await generate();
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/Wrote 2 files/);
      expect(read('gateway/routes.ts')).toBe(routes);
      const clean = await generate('--check');
      expect(clean.code).toBe(0);
      expect(clean.stdout).toContain('is up to date');
    },
    slow,
  );
});

describe('renaming an operation', () => {
  it(
    'rewrites the generated files under the new name; hand-written files stay as they were',
    async () => {
      expect((await generate()).code).toBe(0);
      writeHandWritten();
      const generated = manifestFiles();
      const mentioning = (name: RegExp): string[] =>
        generated.filter((path) => name.test(read(path))).sort();
      const oldName = /\bcreateTask\b|\bCreateTask(Request|Result)\b/;
      const newName = /\baddTask\b/;
      // The name is in the client, the gateway's routes and spec (so the check below can fail).
      expect(mentioning(oldName)).toEqual(
        expect.arrayContaining(['client/index.ts', 'gateway/routes.ts', 'gateway/spec.ts']),
      );
      expect(mentioning(newName)).toEqual([]);

      // The OpenAPI operationId and the AsyncAPI operation of the same name (and their mentions).
      for (const spec of ['openapi.yaml', 'asyncapi.yaml']) {
        const path = join(dir, spec);
        const text = readFileSync(path, 'utf8');
        const renamed = text.replaceAll(/\bcreateTask\b/g, 'addTask');
        expect(renamed, spec).not.toBe(text);
        writeFileSync(path, renamed);
      }
      const renamed = await generate();
      expect(renamed.code, renamed.stdout + renamed.stderr).toBe(0);
      expect(renamed.stdout).toMatch(/, 0 removed\)/);
      expect(mentioning(oldName)).toEqual([]);
      expect(mentioning(newName)).toEqual(
        expect.arrayContaining(['client/index.ts', 'gateway/routes.ts', 'gateway/spec.ts']),
      );
      expect(read('client/index.ts')).toMatch(/\baddTask\(request: AddTaskRequest/);
      expect(manifestFiles()).toEqual(generated);
      expectHandWrittenUntouched();
      const check = await generate('--check');
      expect(check.code).toBe(0);
      expect(check.stdout).not.toContain('my-');
    },
    slow,
  );
});

describe('a file the generator no longer emits', () => {
  it(
    'is removed and leaves the manifest; a hand-written file in its folder stays',
    async () => {
      expect((await generate()).code).toBe(0);
      writeHandWritten();
      expect(manifestFiles()).toContain('service/handlers.ts');

      writeConfig(['gateway', 'client']);
      const check = await generate('--check');
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(/^ {2}removed +service\/handlers\.ts$/m);
      expect(existsSync(join(out, 'service/handlers.ts'))).toBe(true);

      const result = await generate();
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/\(\d+ unchanged, 1 removed\)/);
      expect(existsSync(join(out, 'service/handlers.ts'))).toBe(false);
      expect(manifestFiles().filter((path) => path.startsWith('service/'))).toEqual([]);
      expect(existsSync(join(out, 'service'))).toBe(true);
      expectHandWrittenUntouched();
      expect((await generate('--check')).code).toBe(0);
    },
    slow,
  );

  it(
    'is kept, and reported, when someone edited it since it was generated',
    async () => {
      expect((await generate()).code).toBe(0);
      const edited = `${read('service/handlers.ts')}\n// my fix, not yet upstream\n`;
      writeFileSync(join(out, 'service/handlers.ts'), edited);

      writeConfig(['gateway', 'client']);
      const result = await generate();
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/, 0 removed\)/);
      expect(result.stdout).toMatch(
        /^ {2}kept +service\/handlers\.ts \(no longer generated, but edited since\)$/m,
      );
      expect(read('service/handlers.ts')).toBe(edited);
      expect(manifestFiles()).not.toContain('service/handlers.ts');
      // The user's file now: --check passes, and generating it again would not overwrite it.
      expect((await generate('--check')).code).toBe(0);
      writeConfig(allTargets);
      const back = await generate();
      expect(back.code).not.toBe(0);
      expect(back.stdout + back.stderr).toContain('service/handlers.ts');
      expect(read('service/handlers.ts')).toBe(edited);
    },
    slow,
  );
});

describe('types: { dateTime: template } in the config', () => {
  it(
    'types every date-time of every target as the template, and switching back is drift',
    async () => {
      const template = '`${number}-${number}-${number}${string}`';
      writeConfig(allTargets, 'types:\n  dateTime: template\n');
      const result = await generate();
      // generate type-checks what it emits: the gateway, client and service compile with it.
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const types = read('types.ts');
      expect(types).toContain(`readonly createdAt: ${template};`);
      expect(types).not.toMatch(/At\??: string\b/);

      writeConfig(allTargets);
      const check = await generate('--check');
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(/^ {2}changed +types\.ts$/m);
      expect((await generate()).code).toBe(0);
      expect(read('types.ts')).toContain('readonly createdAt: string;');
    },
    slow,
  );
});
