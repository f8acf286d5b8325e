import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, operation, parse, positionOf, withoutSource, type Parsed } from './testing.ts';

const file = fixture('todo.yaml');
const text = readFileSync(file, 'utf8');
let todo: Parsed;

beforeAll(async () => {
  todo = await parse(file);
});

describe('operations of todo.yaml', () => {
  it('are sorted by path, then method, with derived ids where none is declared', () => {
    expect(
      todo.api?.operations.map((o) => [o.method, o.path, o.operationId, o.hasOperationId]),
    ).toEqual([
      ['get', '/tasks', 'listTasks', true],
      ['post', '/tasks', 'postTasks', false],
      ['delete', '/tasks/{id}', 'deleteTasksId', false],
      ['get', '/tasks/{id}', 'getTasksId', false],
      ['put', '/tasks/{id}', 'updateTask', true],
    ]);
  });

  it('carries summary, tags and deprecated', () => {
    expect(operation(todo.api, 'get', '/tasks')).toMatchObject({
      summary: 'List tasks',
      tags: ['tasks'],
      deprecated: false,
    });
    expect(operation(todo.api, 'put', '/tasks/{id}').deprecated).toBe(true);
  });

  it('merges path-level and operation-level parameters, the operation winning', () => {
    const put = operation(todo.api, 'put', '/tasks/{id}');
    expect(put.parameters.map((p) => [p.in, p.name, p.style, p.explode, p.required])).toEqual([
      ['path', 'id', 'simple', false, true],
      ['header', 'If-Match', 'simple', false, false],
      ['query', 'dryRun', 'deepObject', false, false],
    ]);
    expect(put.parameters[0]).toMatchObject({
      description: 'overridden at the operation',
      schema: { type: 'string', format: 'uuid' },
    });
    // GET keeps the path-level one, read through its $ref
    expect(operation(todo.api, 'get', '/tasks/{id}').parameters[0]).toMatchObject({
      name: 'id',
      schema: { type: 'string' },
      source: { pointer: '/components/parameters/TaskId' },
    });
  });

  it('applies style defaults and drops the Authorization header parameter', () => {
    expect(
      operation(todo.api, 'get', '/tasks').parameters.map((p) => [p.name, p.style, p.explode]),
    ).toEqual([
      ['status', 'form', true],
      ['X-Request-Id', 'simple', false],
    ]);
  });

  it('applies the global security unless the operation declares its own', () => {
    expect(operation(todo.api, 'get', '/tasks').security).toEqual([
      { schemes: [{ scheme: 'bearer', scopes: [] }] },
    ]);
    expect(operation(todo.api, 'post', '/tasks').security).toEqual([]);
    expect(operation(todo.api, 'put', '/tasks/{id}').security).toEqual([
      {
        schemes: [
          { scheme: 'apiKey', scopes: [] },
          { scheme: 'oauth', scopes: ['tasks:write'] },
        ],
      },
      { schemes: [{ scheme: 'bearer', scopes: [] }] },
    ]);
  });

  it('sorts responses and reads referenced ones', () => {
    const post = operation(todo.api, 'post', '/tasks');
    expect(post.responses.map((r) => [r.status, r.description])).toEqual([
      ['202', 'Queued'],
      ['204', 'Accepted'],
      ['4XX', 'A problem'],
      ['default', 'A problem'],
    ]);
    expect(post.responses[2]?.content.map((c) => c.mediaType)).toEqual([
      'application/problem+json',
    ]);
    expect(post.responses[0]?.headers.map((h) => h.name)).toEqual(['location']);
  });

  it('lower-cases response header names and ignores Content-Type', () => {
    const ok = operation(todo.api, 'get', '/tasks').responses[0];
    expect(ok?.headers).toEqual([
      expect.objectContaining({ name: 'etag', required: true, schema: { type: 'string' } }),
    ]);
    expect(ok?.content.map((c) => [c.mediaType, c.schema])).toEqual([
      ['application/json', { type: 'array', items: { $ref: '#/$defs/Task' } }],
      ['text/event-stream', { $ref: '#/$defs/Task' }],
    ]);
  });

  it('reads a referenced request body', () => {
    expect(operation(todo.api, 'put', '/tasks/{id}').requestBody).toMatchObject({
      required: true,
      content: [{ mediaType: 'application/json', schema: { $ref: '#/$defs/Task' } }],
      source: { pointer: '/components/requestBodies/TaskBody' },
    });
  });

  it('reads the security schemes, sorted', () => {
    expect(todo.api?.securitySchemes.map(withoutSource)).toEqual([
      { name: 'apiKey', type: 'apiKey', in: 'header', parameterName: 'X-Api-Key', scopes: [] },
      { name: 'bearer', type: 'http', scheme: 'bearer', bearerFormat: 'JWT', scopes: [] },
      { name: 'oauth', type: 'oauth2', scopes: ['admin', 'tasks:read', 'tasks:write'] },
    ]);
  });

  it('says where an operation, a parameter and a response are written', () => {
    const put = operation(todo.api, 'put', '/tasks/{id}');
    const putAt = positionOf(text, '    put:');
    const cases = [
      {
        node: put.source,
        want: { pointer: '/paths/~1tasks~1{id}/put', line: putAt.line, column: 5 },
        starts: 'put:',
      },
      {
        node: put.parameters[2]?.source,
        want: {
          pointer: '/paths/~1tasks~1{id}/put/parameters/1',
          line: positionOf(text, '- name: dryRun').line,
          column: 11,
        },
        starts: 'name: dryRun',
      },
      {
        node: put.responses[0]?.source,
        want: {
          pointer: '/paths/~1tasks~1{id}/put/responses/204',
          line: positionOf(text, "'204':", putAt.line).line,
          column: 9,
        },
        starts: "'204':",
      },
    ];
    for (const { node, want, starts } of cases) {
      expect(node).toEqual({ file, ...want });
      const line = text.split('\n')[want.line - 1] ?? '';
      expect(line.slice(want.column - 1).startsWith(starts)).toBe(true);
    }
  });
});

describe('mapping extensions of todo.yaml', () => {
  it('narrows x-specgate', () => {
    const specgate = operation(todo.api, 'post', '/tasks').specgate;
    expect(withoutSource(specgate)).toEqual({
      operation: 'createTaskCommand',
      kind: 'command',
      key: '{idempotencyKey}',
      overrides: { 'zilla:domain-model': 'CreateTaskCommand' },
    });
    expect(specgate?.source).toEqual({
      file,
      pointer: '/paths/~1tasks/post/x-specgate',
      ...positionOf(text, 'x-specgate:'),
    });
  });

  it("reads Zilla's x-zilla-http-kafka, keeping its templates", () => {
    expect(withoutSource(operation(todo.api, 'put', '/tasks/{id}').zilla)).toEqual({
      key: '${params.id}',
      overrides: { 'zilla:identity': '{identity}' },
    });
    expect(withoutSource(operation(todo.api, 'get', '/tasks/{id}').zilla)).toEqual({
      key: '${params.id}',
      owner: 'zilla:identity',
      filters: [{ param: 'tenant', on: 'header', name: 'tenant' }],
    });
  });

  it('reports a malformed x-specgate where it is written, and nothing else', () => {
    const deleteAt = positionOf(text, '    delete:').line;
    expect(
      todo.diagnostics.map((d) => [d.code, d.severity, d.location?.pointer, d.location?.line]),
    ).toEqual([
      ['SG_CONFIG_INVALID', 'error', '/paths/~1tasks~1{id}/delete/x-specgate/kind', deleteAt + 2],
      ['SG_CONFIG_INVALID', 'error', '/paths/~1tasks~1{id}/delete/x-specgate/key', deleteAt + 3],
      ['SG_CONFIG_INVALID', 'error', '/paths/~1tasks~1{id}/delete/x-specgate/colour', deleteAt + 4],
    ]);
    expect(operation(todo.api, 'delete', '/tasks/{id}').specgate).toEqual({
      source: expect.objectContaining({ pointer: '/paths/~1tasks~1{id}/delete/x-specgate' }),
    });
  });
});
