import { describe, expect, it } from 'vitest';
import type { KeySource, Schema } from '../../ir/types.ts';
import { commandSpecLiteral } from './command-spec.ts';
import { recordHeaders } from './record-headers.ts';
import { apiWith, commandRoute, message, nowhere, operation, parameter } from './testing.ts';
import type { Literal } from './ts-literal.ts';

/** The literal as plain data (the printer's markers and `undefined` members dropped). */
function data(value: Literal): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('commandSpecLiteral', () => {
  it('turns a request-reply route into the runtime CommandRouteSpec', () => {
    const route = commandRoute({
      http: operation({
        method: 'put',
        path: '/tasks/{id}',
        operationId: 'renameTask',
        parameters: [parameter('id', 'path', { schema: { $ref: '#/$defs/TaskId' } })],
        requestBody: {
          required: true,
          source: nowhere,
          content: [
            { mediaType: 'text/plain', schema: { type: 'string' }, source: nowhere },
            { mediaType: 'application/json', schema: { $ref: '#/$defs/Rename' }, source: nowhere },
          ],
        },
      }),
      key: { kind: 'path', param: 'id' },
      messages: ['RenameTask'],
      reply: {
        channel: 'replies',
        address: 'task-replies',
        messages: [],
        correlationHeader: 'zilla:correlation-id',
        replyToHeader: 'zilla:reply-to',
      },
      successStatus: 200,
    });
    const api = apiWith(
      [route],
      [message('RenameTask', { payload: { $ref: '#/$defs/RenameTask2' } })],
    );
    expect(data(commandSpecLiteral(api, route))).toEqual({
      kind: 'command',
      operationId: 'renameTask',
      method: 'PUT',
      path: '/tasks/{id}',
      topic: { address: 'task-commands', params: {}, compacted: false },
      key: { kind: 'path', param: 'id' },
      headers: [],
      reply: {
        topic: 'task-replies',
        correlationHeader: 'zilla:correlation-id',
        replyToHeader: 'zilla:reply-to',
      },
      successStatus: 200,
      accepts202: true,
      tombstone: false,
      mediaTypes: ['application/json', 'text/plain'],
      schemas: {
        body: { $ref: 'specgate#/$defs/Rename' },
        params: {
          type: 'object',
          properties: { id: { $ref: 'specgate#/$defs/TaskId' } },
          required: ['id'],
        },
      },
      payloads: [{ $ref: 'specgate#/$defs/RenameTask2' }],
    });
  });

  it('builds params, querystring and headers schemas; header names lower-cased', () => {
    const route = commandRoute({
      http: operation({
        path: '/lights/{zone}/{id}',
        parameters: [
          parameter('zone', 'path'),
          parameter('id', 'path', { schema: { type: 'integer' } }),
          parameter('dry', 'query', { schema: { type: 'boolean' } }),
          parameter('Idempotency-Key', 'header', { required: true }),
          parameter('X-Trace', 'header'),
          parameter('session', 'cookie'),
        ],
      }),
      topic: {
        channel: 'lights',
        address: 'lights.{zone}',
        params: { zone: 'zone' },
        compacted: true,
      },
      tombstone: true,
      successStatus: 204,
      accepts202: false,
    });
    const spec = data(commandSpecLiteral(apiWith([route]), route));
    expect(spec).toMatchObject({
      topic: { address: 'lights.{zone}', params: { zone: 'zone' }, compacted: true },
      tombstone: true,
      successStatus: 204,
      accepts202: false,
      mediaTypes: [],
      payloads: [],
      schemas: {
        params: {
          type: 'object',
          properties: { id: { type: 'integer' }, zone: { type: 'string' } },
          required: ['id', 'zone'],
        },
        querystring: { type: 'object', properties: { dry: { type: 'boolean' } } },
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string' }, 'x-trace': { type: 'string' } },
          required: ['idempotency-key'],
        },
      },
    });
    expect(spec).not.toHaveProperty('reply');
    expect(spec).not.toHaveProperty('schemas.body');
  });

  it.each<[string, KeySource, unknown]>([
    ['the idempotency key', { kind: 'idempotency-key' }, { kind: 'idempotency-key' }],
    ['no key', { kind: 'none' }, { kind: 'none' }],
    ['a const', { kind: 'const', value: 'k' }, { kind: 'const', value: 'k' }],
    ['a path parameter', { kind: 'path', param: 'id' }, { kind: 'path', param: 'id' }],
    [
      'a template',
      {
        kind: 'template',
        template: '{tenant}-{id}/{idempotencyKey}{identity}',
        parts: [
          { kind: 'param', in: 'header', name: 'X-Tenant' },
          { kind: 'text', text: '-' },
          { kind: 'param', in: 'path', name: 'id' },
          { kind: 'text', text: '/' },
          { kind: 'idempotency-key' },
          { kind: 'identity' },
        ],
      },
      {
        kind: 'template',
        template: [
          { in: 'header', name: 'x-tenant' },
          { in: 'text', text: '-' },
          { in: 'path', name: 'id' },
          { in: 'text', text: '/' },
          { in: 'idempotency-key' },
          { in: 'identity' },
        ],
      },
    ],
  ])('maps a key from %s', (_, key, want) => {
    const route = commandRoute({ key });
    expect(data(commandSpecLiteral(apiWith([route]), route))).toMatchObject({ key: want });
  });
});

describe('recordHeaders', () => {
  const http = operation({
    path: '/tasks/{id}',
    parameters: [
      parameter('id', 'path'),
      parameter('region', 'query'),
      parameter('X-Tenant', 'header'),
      parameter('If-Match', 'header'),
      parameter('Idempotency-Key', 'header'),
    ],
  });
  const headers = {
    type: 'object',
    properties: {
      'command-type': { type: 'string', const: 'Rename' },
      version: { enum: [2] },
      kind: { $ref: '#/$defs/Kind' },
      'x-tenant': { type: 'string' },
      id: { type: 'string' },
      region: { type: 'string' },
      unfilled: { type: 'string' },
      'if-match': { type: 'string' },
      'idempotency-key': { type: 'string' },
      'my:correlation': { type: 'string' },
    },
  } as const;

  it('sets const tags, fills same-named request values, then applies overrides', () => {
    const route = commandRoute({
      http,
      messages: ['Rename'],
      overrides: { 'x-tenant': 'tenant-{X-Tenant}', 'x-origin': 'http' },
      reply: {
        channel: 'r',
        address: 'replies',
        messages: [],
        correlationHeader: 'my:correlation',
        replyToHeader: 'reply-to',
      },
    });
    const api = apiWith([route], [message('Rename', { headers: { $ref: '#/$defs/Headers' } })], {
      Headers: headers,
      Kind: { const: 'task' },
    });
    expect(recordHeaders(api, route)).toEqual([
      { name: 'command-type', value: [{ in: 'text', text: 'Rename' }] },
      { name: 'kind', value: [{ in: 'text', text: 'task' }] },
      { name: 'version', value: [{ in: 'text', text: '2' }] },
      { name: 'id', value: [{ in: 'path', name: 'id' }] },
      { name: 'region', value: [{ in: 'query', name: 'region' }] },
      // Overrides come last, sorted, and replace a filled header of the same name.
      { name: 'x-origin', value: [{ in: 'text', text: 'http' }] },
      {
        name: 'x-tenant',
        value: [
          { in: 'text', text: 'tenant-' },
          { in: 'header', name: 'x-tenant' },
        ],
      },
    ]);
  });

  it('sets only the tags every message of the route agrees on', () => {
    const route = commandRoute({ messages: ['A', 'B'] });
    const tagged = (type: string): Schema => ({
      type: 'object',
      properties: { type: { const: type }, source: { const: 'gateway' } },
    });
    const api = apiWith(
      [route],
      [message('A', { headers: tagged('A') }), message('B', { headers: tagged('B') })],
    );
    expect(recordHeaders(api, route)).toEqual([
      { name: 'source', value: [{ in: 'text', text: 'gateway' }] },
    ]);
  });
});
