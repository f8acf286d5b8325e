/**
 * `specgate validate` as a user runs it: the real binary once (it must work straight after
 * `npm ci`, with no build step), then `main()` in-process with stdout and stderr captured, on the
 * todo specs and on broken copies of them written to a temp folder. Each broken copy must be
 * answered with the file and line of the break, and a code frame whose `>` line is that line.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';
import { diagnosticCodes } from '../../generator/diagnostic-codes.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const todo = {
  openapi: join(repo, 'specs/todo/openapi.yaml'),
  asyncapi: join(repo, 'specs/todo/asyncapi.yaml'),
};
const temp = mkdtempSync(join(tmpdir(), 'specgate-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The route table of the todo specs, as rows of cells (specs/README.md). */
const todoRoutes = [
  ['METHOD', 'PATH', 'KIND', 'TOPIC', 'KEY', 'REPLY'],
  ['GET', '/tasks', 'query (list) + stream', 'task-snapshots', '-', '-'],
  ['POST', '/tasks', 'command (request-reply)', 'task-commands', 'Idempotency-Key', 'task-replies'],
  ['DELETE', '/tasks/{id}', 'command (request-reply)', 'task-commands', '{id}', 'task-replies'],
  ['GET', '/tasks/{id}', 'query (item)', 'task-snapshots', '{id}', '-'],
  ['PUT', '/tasks/{id}', 'command (request-reply)', 'task-commands', '{id}', 'task-replies'],
  [
    'POST',
    '/tasks/{id}/complete',
    'command (request-reply)',
    'task-commands',
    '{id}',
    'task-replies',
  ],
  ['GET', '/tasks/{id}/history', 'history', 'task-events', '{id}', '-'],
  ['POST', '/tasks/{id}/undo', 'command (request-reply)', 'task-commands', '{id}', 'task-replies'],
];

/** Runs `main(argv)` in this process, capturing what it writes. */
const run = runCli;

/**
 * A copy of the todo specs in a fresh temp folder, with `edit` applied to one file's lines
 * (1-based line → new text). Returns the folder's two spec paths.
 */
function brokenTodo(
  name: string,
  which: 'openapi' | 'asyncapi',
  edits: Readonly<Record<number, { readonly from: string; readonly to: string }>>,
): { openapi: string; asyncapi: string } {
  const dir = join(temp, name);
  mkdirSync(dir);
  const copy = { openapi: join(dir, 'openapi.yaml'), asyncapi: join(dir, 'asyncapi.yaml') };
  copyFileSync(todo.openapi, copy.openapi);
  copyFileSync(todo.asyncapi, copy.asyncapi);
  const lines = readFileSync(copy[which], 'utf8').split('\n');
  for (const [line, { from, to }] of Object.entries(edits)) {
    const index = Number(line) - 1;
    // Guard against the fixture drifting: the edit must hit the text it means to change.
    expect(lines[index]).toBe(from);
    lines[index] = to;
  }
  writeFileSync(copy[which], lines.join('\n'));
  return copy;
}

/** `path:line:col` as the human format prints it (relative to the cwd). */
function at(file: string, line: number, column: number): string {
  return `${relative(process.cwd(), file)}:${line}:${column}`;
}

/** The rows of the route table at the end of the human output, split into cells. */
function routeTable(stdout: string): string[][] {
  const start = stdout.indexOf('METHOD  ');
  expect(start).toBeGreaterThan(-1);
  return stdout
    .slice(start)
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}

/** The code frame's marked line, `> N | text`, of the first frame in `stdout`. */
function markedLine(stdout: string): string | undefined {
  return stdout.split('\n').find((line) => line.startsWith('> '));
}

describe('specgate validate, the real binary', () => {
  it('checks the todo specs after npm ci: 0 errors and the route table', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/specgate.js', 'validate', 'specs/todo/openapi.yaml', 'specs/todo/asyncapi.yaml'],
      { cwd: repo, timeout: 20_000 },
    );
    // execFile rejects on a non-zero exit, so reaching here means exit 0.
    expect(stdout.startsWith('0 errors, 0 warnings, 0 notices\n')).toBe(true);
    expect(routeTable(stdout)).toEqual(todoRoutes);
  });

  it('exits 1 on an error and writes it to stdout', async () => {
    const broken = brokenTodo('binary-exit', 'asyncapi', {
      36: { from: '    address: task-commands', to: "    address: 'task-commands" },
    });
    const failure = await promisify(execFile)(
      process.execPath,
      ['bin/specgate.js', 'validate', broken.openapi, broken.asyncapi],
      { cwd: repo, timeout: 20_000 },
    ).then(
      () => undefined,
      (error: unknown) => error as { code?: unknown; stdout?: unknown },
    );
    expect(failure?.code).toBe(1);
    expect(String(failure?.stdout)).toContain(
      `${at(broken.asyncapi, 36, 28)}  error  SG_LOAD_SYNTAX`,
    );
  });
});

describe('specgate validate, in-process', () => {
  it('prints "0 errors" and the todo route table', async () => {
    const { code, stdout, stderr } = await run(['validate', todo.openapi, todo.asyncapi]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('0 errors, 0 warnings, 0 notices');
    expect(routeTable(stdout)).toEqual(todoRoutes);
  });

  it('prints no diagnostics as JSON, SARIF and GitHub for the clean todo specs', async () => {
    const json = await run(['validate', '--format', 'json', todo.openapi, todo.asyncapi]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ diagnostics: [] });
    const sarif = await run(['validate', '--format', 'sarif', todo.openapi, todo.asyncapi]);
    expect(sarif.code).toBe(0);
    expect(JSON.parse(sarif.stdout)).toMatchObject({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'specgate', rules: [] } }, results: [] }],
    });
    const github = await run(['validate', '--format', 'github', todo.openapi, todo.asyncapi]);
    expect(github).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  describe('a reply channel $ref to a channel that does not exist', () => {
    const broken = brokenTodo('reply-channel', 'asyncapi', {
      136: {
        from: "        $ref: '#/channels/taskReplies'",
        to: "        $ref: '#/channels/taskRepliez'",
      },
    });
    const args = [broken.openapi, broken.asyncapi];

    it('is located at the $ref, with a code frame (human)', async () => {
      const { code, stdout } = await run(['validate', ...args]);
      expect(code).toBe(1);
      expect(stdout).toContain(
        `${at(broken.asyncapi, 136, 9)}  error  SG_ASYNCAPI_INVALID  '#/channels/taskRepliez' does not exist`,
      );
      expect(stdout).toContain('(#/operations/createTask/reply/channel/$ref)');
      expect(markedLine(stdout)).toBe("> 136 |         $ref: '#/channels/taskRepliez'");
      // The caret sits under column 9.
      expect(stdout).toContain(`\n      | ${' '.repeat(8)}^\n`);
      expect(stdout).toContain('1 error, 0 warnings, 0 notices');
      // No IR, so no route table.
      expect(stdout).not.toContain('METHOD');
    });

    it('is valid JSON with file, line, column and pointer', async () => {
      const { code, stdout } = await run(['validate', '--format', 'json', ...args]);
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual({
        diagnostics: [
          {
            code: 'SG_ASYNCAPI_INVALID',
            severity: 'error',
            message: "'#/channels/taskRepliez' does not exist (invalid-ref)",
            file: relative(process.cwd(), broken.asyncapi),
            line: 136,
            column: 9,
            pointer: '#/operations/createTask/reply/channel/$ref',
          },
        ],
      });
    });

    it('is a SARIF 2.1.0 log with one located result and its rule', async () => {
      const { code, stdout } = await run(['validate', '--format', 'sarif', ...args]);
      expect(code).toBe(1);
      const log: unknown = JSON.parse(stdout);
      expectSarifShape(log);
      expect(log).toMatchObject({
        runs: [
          {
            tool: { driver: { rules: [{ id: 'SG_ASYNCAPI_INVALID' }] } },
            results: [
              {
                ruleId: 'SG_ASYNCAPI_INVALID',
                ruleIndex: 0,
                level: 'error',
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: relative(process.cwd(), broken.asyncapi) },
                      region: { startLine: 136, startColumn: 9 },
                    },
                  },
                ],
              },
            ],
          },
        ],
      });
    });

    it('is one ::error workflow command with file and line', async () => {
      const { code, stdout } = await run(['validate', '--format', 'github', ...args]);
      expect(code).toBe(1);
      expect(stdout).toBe(
        `::error file=${relative(process.cwd(), broken.asyncapi)},line=136,col=9,title=SG_ASYNCAPI_INVALID::'#/channels/taskRepliez' does not exist (invalid-ref)\n`,
      );
    });
  });

  /** Two syntax breaks: the line to change, its new text, and where the error must be. */
  const syntaxBreaks = [
    {
      name: 'an unclosed quote',
      dir: 'yaml-quote',
      line: 36,
      from: '    address: task-commands',
      to: "    address: 'task-commands",
      at: [36, 28],
      message: "Missing closing 'quote",
      marked: "> 36 |     address: 'task-commands",
    },
    {
      name: 'a duplicate key',
      dir: 'yaml-duplicate',
      line: 61,
      from: '    address: task-replies',
      to: '    address: task-replies\n    address: again',
      at: [62, 5],
      message: 'Map keys must be unique',
      marked: '> 62 |     address: again',
    },
  ] as const;

  describe.each(syntaxBreaks)('broken YAML syntax: $name', (broken) => {
    const copy = brokenTodo(broken.dir, 'asyncapi', {
      [broken.line]: { from: broken.from, to: broken.to },
    });
    const [line, column] = broken.at;

    it('is located at the broken line, in human and GitHub formats', async () => {
      const { code, stdout } = await run(['validate', copy.openapi, copy.asyncapi]);
      expect(code).toBe(1);
      expect(stdout).toContain(
        `${at(copy.asyncapi, line, column)}  error  SG_LOAD_SYNTAX  ${broken.message}`,
      );
      expect(stdout).toContain('1 error, 0 warnings, 0 notices');
      const github = await run(['validate', '--format', 'github', copy.openapi, copy.asyncapi]);
      expect(github.stdout).toBe(
        `::error file=${relative(process.cwd(), copy.asyncapi)},line=${line},col=${column},title=SG_LOAD_SYNTAX::${broken.message}\n`,
      );
    });

    it('shows a code frame marking the broken line', async () => {
      const { stdout } = await run(['validate', copy.openapi, copy.asyncapi]);
      expect(markedLine(stdout)).toBe(broken.marked);
    });
  });

  it('reports a payload property whose type disagrees with the request body', async () => {
    // CompleteTask.done: boolean in the request body, string in the message payload.
    const broken = brokenTodo('payload-type', 'asyncapi', {
      522: { from: '          type: boolean', to: '          type: string' },
    });
    const { code, stdout } = await run(['validate', broken.openapi, broken.asyncapi]);
    expect(code).toBe(1);
    // Located at the route's request body (the OpenAPI side), naming the property and both types.
    expect(stdout).toContain(
      `${at(broken.openapi, 255, 11)}  error  SG_BIND_PAYLOAD_TYPE_CLASH  POST /tasks/{id}/complete (completeTask) → message "CompleteTask": the request body has type boolean at /done where the message payload has string`,
    );
    expect(markedLine(stdout)).toBe('> 255 |           application/json:');
    expect(stdout).toContain('1 error, 0 warnings, 0 notices');
    // Bind errors leave the IR in place: the table is still printed.
    expect(routeTable(stdout)).toEqual(todoRoutes);

    const json = await run(['validate', '--format', 'json', broken.openapi, broken.asyncapi]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      diagnostics: [{ code: 'SG_BIND_PAYLOAD_TYPE_CLASH', line: 255, column: 11 }],
    });
  });

  describe('warnings only (an AsyncAPI operation renamed, so neither side binds)', () => {
    const broken = brokenTodo('renamed', 'asyncapi', {
      205: { from: '  getTaskHistory:', to: '  taskHistory:' },
    });
    const args = [broken.openapi, broken.asyncapi];

    it('exits 0 and prints both warnings, located', async () => {
      const { code, stdout } = await run(['validate', ...args]);
      expect(code).toBe(0);
      expect(stdout).toContain(`${at(broken.asyncapi, 205, 3)}  warning  SG_BIND_KAFKA_UNMAPPED`);
      expect(stdout).toContain(`${at(broken.openapi, 279, 5)}  warning  SG_BIND_HTTP_UNMAPPED`);
      expect(stdout).toContain('0 errors, 2 warnings, 0 notices');
      expect(routeTable(stdout)).toEqual(todoRoutes.filter((row) => row[2] !== 'history'));
    });

    it('exits 1 with --strict, in every format', async () => {
      for (const format of ['human', 'json', 'sarif', 'github']) {
        expect((await run(['validate', '--strict', '--format', format, ...args])).code).toBe(1);
      }
      const github = await run(['validate', '--strict', '--format', 'github', ...args]);
      expect(github.stdout.split('\n').filter(Boolean)).toEqual([
        expect.stringMatching(
          /^::warning file=[^,]+asyncapi\.yaml,line=205,col=3,title=SG_BIND_KAFKA_UNMAPPED::/,
        ),
        expect.stringMatching(
          /^::warning file=[^,]+openapi\.yaml,line=279,col=5,title=SG_BIND_HTTP_UNMAPPED::/,
        ),
      ]);
      const sarif: unknown = JSON.parse(
        (await run(['validate', '--format', 'sarif', ...args])).stdout,
      );
      expectSarifShape(sarif);
      expect(sarif).toMatchObject({
        runs: [{ results: [{ level: 'warning' }, { level: 'warning' }] }],
      });
    });

    it('binds again when a --config file maps the operation explicitly', async () => {
      const config = join(temp, 'renamed', 'specgate.yaml');
      writeFileSync(
        config,
        [
          'openapi: openapi.yaml',
          'asyncapi: asyncapi.yaml',
          'routes:',
          '  getTaskHistory:',
          '    operation: taskHistory',
          '',
        ].join('\n'),
      );
      const { code, stdout } = await run(['validate', '--strict', '--config', config]);
      expect(code).toBe(0);
      expect(stdout.split('\n')[0]).toBe('0 errors, 0 warnings, 0 notices');
      expect(routeTable(stdout)).toEqual(todoRoutes);
    });
  });

  it('locates a config error (an unknown key) at its line', async () => {
    const dir = join(temp, 'bad-config');
    mkdirSync(dir);
    const config = join(dir, 'specgate.yaml');
    writeFileSync(
      config,
      [
        `openapi: ${todo.openapi}`,
        `asyncapi: ${todo.asyncapi}`,
        '# "targets" is the key; "target" is a typo',
        'target: [gateway]',
        '',
      ].join('\n'),
    );
    const { code, stdout } = await run(['validate', '--config', config]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      `${at(config, 4, 1)}  error  SG_CONFIG_INVALID  unknown config key "target" (known: $schema, openapi, asyncapi, out, targets, compat, routes, runtime, types, auth, http)  (#/target)`,
    );
    expect(markedLine(stdout)).toBe('> 4 | target: [gateway]');
    expect(stdout).toContain('1 error, 0 warnings, 0 notices');
  });

  it('reports a missing config file as an error, exit 1', async () => {
    const { code, stdout } = await run(['validate', '--config', join(temp, 'nowhere.yaml')]);
    expect(code).toBe(1);
    expect(stdout).toContain('SG_LOAD_FILE_NOT_FOUND');
  });

  it.each([
    [
      'an unknown format',
      ['validate', '--format', 'xml', todo.openapi, todo.asyncapi],
      /--format must be one of human, json, sarif, github/,
    ],
    [
      'one spec path',
      ['validate', todo.openapi],
      /give --config FILE, or the OpenAPI and AsyncAPI paths/,
    ],
    [
      'three spec paths',
      ['validate', todo.openapi, todo.asyncapi, todo.asyncapi],
      /give --config FILE/,
    ],
    [
      'an unknown option',
      ['validate', '--bogus', todo.openapi, todo.asyncapi],
      /Unknown option '--bogus'/,
    ],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 on bad usage: %s', async (_, argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('prints usage for help, exit 0', async () => {
    const { code, stdout } = await run(['help']);
    expect(code).toBe(0);
    expect(stdout).toContain('specgate validate [--config specgate.yaml | <openapi> <asyncapi>]');
  });
});

/** What every SARIF 2.1.0 consumer relies on: version, one run, rules, located results. */
function expectSarifShape(log: unknown): void {
  expect(log).toMatchObject({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'specgate', rules: expect.any(Array) } },
        results: expect.any(Array),
      },
    ],
  });
  const run = (log as { runs: { tool: { driver: { rules: unknown[] } }; results: unknown[] }[] })
    .runs[0];
  const rules = (run?.tool.driver.rules ?? []) as {
    id: string;
    shortDescription: { text: string };
  }[];
  for (const rule of rules) {
    expect(Object.keys(diagnosticCodes)).toContain(rule.id);
    expect(rule.shortDescription.text).not.toBe('');
  }
  for (const result of (run?.results ?? []) as {
    ruleId: string;
    ruleIndex: number;
    level: string;
    message: { text: string };
    locations?: { physicalLocation: { region: { startLine: number; startColumn: number } } }[];
  }[]) {
    expect(rules[result.ruleIndex]?.id).toBe(result.ruleId);
    expect(['error', 'warning', 'note']).toContain(result.level);
    expect(result.message.text).not.toBe('');
    for (const location of result.locations ?? []) {
      expect(location.physicalLocation.region.startLine).toBeGreaterThan(0);
      expect(location.physicalLocation.region.startColumn).toBeGreaterThan(0);
    }
  }
}
