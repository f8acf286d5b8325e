import http from 'node:http';
import https from 'node:https';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { corpus, countCodes, parseFile } from './testing.ts';

const root = resolve('/virtual/specs/asyncapi.yaml');

function v3(messages: string): string {
  return [
    'asyncapi: 3.0.0',
    'info:',
    '  title: t',
    "  version: '1'",
    'channels:',
    '  tasks:',
    '    address: tasks',
    '    messages:',
    messages,
  ].join('\n');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('validation by @asyncapi/parser', () => {
  it('never goes to the network for a remote ref', async () => {
    const calls = [
      vi.spyOn(http, 'request'),
      vi.spyOn(http, 'get'),
      vi.spyOn(https, 'request'),
      vi.spyOn(https, 'get'),
    ];
    const { diagnostics } = await parseFile(
      join(corpus, 'asyncapi/spec__adeo-kafka-request-reply-asyncapi.yml'),
    );
    expect(countCodes(diagnostics).SG_REF_REMOTE).toBe(3);
    for (const call of calls) expect(call).not.toHaveBeenCalled();
  });

  it('reports a remote ref in a JSON payload once, where it is written, and reads the rest', async () => {
    const text = v3(
      [
        '      task:',
        '        payload:',
        "          $ref: 'https://schemas.example.com/task.json'",
      ].join('\n'),
    );
    const { api, diagnostics } = await parseFile(root, new Map([[root, text]]));
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'SG_REF_REMOTE',
        message: expect.stringContaining('https://schemas.example.com/task.json'),
        location: expect.objectContaining({
          file: root,
          line: 10,
          pointer: '/channels/tasks/messages/task/payload',
        }),
      }),
    ]);
    expect(api?.messages.map((m) => m.id)).toEqual(['task']);
  });

  it('reads referred files through the DocumentSet, relative to the referring file', async () => {
    const message = resolve('/virtual/specs/messages/task.yaml');
    const schema = resolve('/virtual/specs/schemas/task.yaml');
    const texts = new Map([
      [root, v3("      task:\n        $ref: './messages/task.yaml'")],
      [message, "payload:\n  $ref: '../schemas/task.yaml'\n"],
      [schema, 'type: object\nproperties:\n  id:\n    type: string\n'],
    ]);
    const { api, diagnostics, schemas } = await parseFile(root, texts);
    expect(diagnostics).toEqual([]);
    expect(api?.messages).toEqual([
      expect.objectContaining({ id: 'task', payload: { $ref: '#/$defs/task' } }),
    ]);
    expect(schemas.task?.source).toMatchObject({ file: schema, line: 1 });
  });

  it('reports a missing file where it is referred to, once', async () => {
    const text = v3(
      [
        '      task:',
        '        payload:',
        "          $ref: './schemas/missing.yaml'",
        '      other:',
        '        payload:',
        "          $ref: './schemas/missing.yaml'",
      ].join('\n'),
    );
    const { diagnostics } = await parseFile(root, new Map([[root, text]]));
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'SG_LOAD_FILE_NOT_FOUND',
        location: expect.objectContaining({ file: root, line: 10 }),
      }),
    ]);
  });

  it('rejects an OpenAPI-format v3 payload that is not a schema, at the bad keyword', async () => {
    const text = v3(
      [
        '      task:',
        '        payload:',
        '          schemaFormat: application/vnd.oai.openapi;version=3.0.0',
        '          schema:',
        '            type: object',
        '            properties:',
        '              name:',
        '                type: nonexistent',
      ].join('\n'),
    );
    const { api, diagnostics } = await parseFile(root, new Map([[root, text]]));
    expect(api).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'SG_ASYNCAPI_INVALID',
        location: expect.objectContaining({ line: 16, column: 17 }),
      }),
    ]);
  });

  it('keeps a local ref that points at nothing as the parser reports it', async () => {
    const text = v3("      task:\n        $ref: '#/components/messages/nope'");
    const { api, diagnostics } = await parseFile(root, new Map([[root, text]]));
    expect(api).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'SG_ASYNCAPI_INVALID',
        location: expect.objectContaining({ line: 10 }),
      }),
    ]);
  });

  it('leaves documentation-only recommendations out, keeps warnings that matter', async () => {
    const text = [
      'asyncapi: 2.6.0',
      'info:',
      '  title: t',
      "  version: '1'",
      'channels:',
      '  tasks:',
      '    publish:',
      '      message:',
      '        payload:',
      '          type: string',
    ].join('\n');
    const { diagnostics } = await parseFile(root, new Map([[root, text]]));
    // No contact, licence, tags, id, … warnings; a missing operationId and servers remain.
    expect(diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['SG_ASYNCAPI_LAX', 1],
      ['SG_ASYNCAPI_LAX', 7],
    ]);
  });
});
