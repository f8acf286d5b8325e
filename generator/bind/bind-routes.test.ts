/**
 * bindRoutes on small in-memory IR objects: route-kind decisions, key precedence, reply and
 * correlation defaults, mapping precedence, ordering, and where each diagnostic points.
 * Realistic spec pairs run through validateSpecs in bind-specs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CommandRoute, HttpOperation, KeySource, Route } from '../ir/types.ts';
import {
  bind,
  channel,
  httpOp,
  json,
  jsonArray,
  kafkaOp,
  message,
  named,
  only,
  opPointer,
  param,
  pathParam,
  response,
  server,
  sse,
  where,
  type ReplyInput,
  type World,
} from './fixtures/ir.ts';

/** A world with one HTTP operation bound by operationId to `action` on the channel `topic`. */
function pair(
  http: HttpOperation,
  action: 'send' | 'receive',
  topic: Parameters<typeof channel>[1] = {},
  extra: Partial<World> & { readonly reply?: ReplyInput } = {},
): World {
  const { reply, channels = [], messages = [], ...rest } = extra;
  return {
    ...rest,
    http: [http],
    operations: [
      kafkaOp(http.operationId, action, 'topic', {
        messages: messages.map((m) => m.id),
        ...(reply === undefined ? {} : { reply }),
      }),
    ],
    channels: [channel('topic', topic), ...channels],
    messages,
  };
}

function command(route: Route): CommandRoute {
  if (route.kind !== 'command') throw new Error(`want a command, got ${route.kind}`);
  return route;
}

describe('route kind', () => {
  it.each<[string, World, Record<string, unknown>]>([
    [
      'POST → send without reply: one-way command, first non-202 2xx',
      pair(httpOp('post', '/a', 'op', { responses: [response('201'), response('202')] }), 'send'),
      { kind: 'command', successStatus: 201, accepts202: true, tombstone: false },
    ],
    [
      'POST → send, only 202 declared: answers 202',
      pair(httpOp('post', '/a', 'op', { responses: [response('202'), response('400')] }), 'send'),
      { kind: 'command', successStatus: 202, accepts202: true },
    ],
    [
      'POST → send, no 2xx: one-way defaults to 202',
      pair(httpOp('post', '/a', 'op', { responses: [response('400')] }), 'send'),
      { kind: 'command', successStatus: 202, accepts202: false },
    ],
    [
      'POST → send, no 2xx, request-reply: defaults to 200',
      pair(
        httpOp('post', '/a', 'op', { responses: [response('400')] }),
        'send',
        {},
        {
          channels: [channel('replies')],
          reply: { channel: 'replies' },
        },
      ),
      { kind: 'command', successStatus: 200, accepts202: false },
    ],
    [
      'PATCH → send: command',
      pair(httpOp('patch', '/a/{id}', 'op', { responses: [response('204')] }), 'send'),
      { kind: 'command', successStatus: 204, accepts202: false },
    ],
    [
      'body-less DELETE on a compacted topic without reply: tombstone',
      pair(httpOp('delete', '/a/{id}', 'op', { responses: [response('204')] }), 'send', {
        compacted: true,
      }),
      { kind: 'command', tombstone: true, successStatus: 204 },
    ],
    [
      'body-less DELETE on a compacted topic with a reply: no tombstone',
      pair(
        httpOp('delete', '/a/{id}', 'op', { responses: [response('204')] }),
        'send',
        { compacted: true },
        { channels: [channel('replies')], reply: { channel: 'replies' } },
      ),
      { kind: 'command', tombstone: false },
    ],
    [
      'body-less DELETE on a non-compacted topic: no tombstone',
      pair(httpOp('delete', '/a/{id}', 'op', { responses: [response('204')] }), 'send'),
      { kind: 'command', tombstone: false },
    ],
    [
      'DELETE with a body on a compacted topic: no tombstone',
      pair(
        httpOp('delete', '/a/{id}', 'op', {
          body: { type: 'object' },
          responses: [response('204')],
        }),
        'send',
        { compacted: true },
      ),
      { kind: 'command', tombstone: false },
    ],
    [
      'GET JSON on a compacted topic, no path param: list query',
      pair(httpOp('get', '/a', 'op'), 'receive', { compacted: true }),
      { kind: 'query', mode: 'list', alsoStream: false, filters: [] },
    ],
    [
      'GET JSON on a compacted topic, path param: item query',
      pair(httpOp('get', '/a/{id}', 'op'), 'receive', { compacted: true }),
      { kind: 'query', mode: 'item', alsoStream: false },
    ],
    [
      'GET JSON + SSE on a compacted topic: query that also streams',
      pair(
        httpOp('get', '/a', 'op', { responses: [response('200', { ...jsonArray, ...sse })] }),
        'receive',
        { compacted: true },
      ),
      { kind: 'query', mode: 'list', alsoStream: true },
    ],
    [
      'GET SSE only: stream (compacted topic)',
      pair(httpOp('get', '/a', 'op', { responses: [response('200', sse)] }), 'receive', {
        compacted: true,
      }),
      { kind: 'stream', filters: [] },
    ],
    [
      'GET SSE only: stream (event topic)',
      pair(httpOp('get', '/a', 'op', { responses: [response('200', sse)] }), 'receive'),
      { kind: 'stream' },
    ],
    [
      'GET JSON array on an event topic with a key param: history',
      pair(
        httpOp('get', '/a/{id}/history', 'op', { responses: [response('200', jsonArray)] }),
        'receive',
      ),
      { kind: 'history', keyParam: 'id', key: { kind: 'path', param: 'id' } },
    ],
    [
      'history through a $ref to an array schema',
      pair(
        httpOp('get', '/a/{id}/history', 'op', {
          responses: [response('200', json({ $ref: '#/$defs/Events' }))],
        }),
        'receive',
        {},
        { schemas: [named('Events', { type: ['array', 'null'], items: {} })] },
      ),
      { kind: 'history', keyParam: 'id' },
    ],
    [
      'history keys on the last path parameter',
      pair(
        httpOp('get', '/a/{tenant}/{id}/history', 'op', {
          responses: [response('200', jsonArray)],
        }),
        'receive',
      ),
      { kind: 'history', keyParam: 'id' },
    ],
    [
      'kind: stream in x-specgate on a query-able op with SSE',
      pair(
        httpOp('get', '/a', 'op', {
          responses: [response('200', { ...jsonArray, ...sse })],
          specgate: { kind: 'stream' },
        }),
        'receive',
        { compacted: true },
      ),
      { kind: 'stream', mappedBy: 'x-specgate' },
    ],
  ])('%s', (_, world, want) => {
    const bound = bind(world);
    expect(bound.diagnostics).toEqual([]);
    expect(only(bound)).toMatchObject(want);
  });

  it('fills the route from both sides', () => {
    const route = only(
      bind(
        pair(
          httpOp('get', '/a/{id}', 'op'),
          'receive',
          { compacted: true, partitions: 3 },
          {
            messages: [message('Item')],
          },
        ),
      ),
    );
    expect(route).toMatchObject({
      operation: { id: 'op' },
      topic: { channel: 'topic', address: 'topic', params: {}, compacted: true, partitions: 3 },
      messages: ['Item'],
      overrides: {},
      mappedBy: 'operationId',
      source: { pointer: opPointer('get', '/a/{id}') },
    });
    expect(route).not.toHaveProperty('owner');
    expect(route).not.toHaveProperty('reply');
  });

  it('takes the topic from the kafka binding, and channel parameters from path parameters', () => {
    const route = only(
      bind(
        pair(httpOp('post', '/tenants/{tenant}/orders', 'op'), 'send', {
          address: 'orders.{tenant}',
          topic: 'orders.{tenant}.v1',
        }),
      ),
    );
    expect(route.topic).toEqual({
      channel: 'topic',
      address: 'orders.{tenant}.v1',
      params: { tenant: 'tenant' },
      compacted: false,
    });
  });
});

describe('record key: template → message key const → last path param → idempotency key → none', () => {
  const keyed = message('Keyed', { key: { type: 'string', const: 'singleton' } });
  const typed = message('Typed', { key: { type: 'string' } });
  it.each<[string, World, KeySource]>([
    [
      'a template wins over everything',
      pair(
        httpOp('put', '/a/{id}', 'op', { specgate: { key: 'x-{id}' } }),
        'send',
        {},
        {
          messages: [keyed],
        },
      ),
      {
        kind: 'template',
        template: 'x-{id}',
        parts: [
          { kind: 'text', text: 'x-' },
          { kind: 'param', in: 'path', name: 'id' },
        ],
      },
    ],
    [
      'a message key binding const wins over the path',
      pair(httpOp('put', '/a/{id}', 'op'), 'send', {}, { messages: [keyed] }),
      { kind: 'const', value: 'singleton' },
    ],
    [
      'a key binding without const says nothing about the value',
      pair(httpOp('put', '/a/{id}', 'op'), 'send', {}, { messages: [typed] }),
      { kind: 'path', param: 'id' },
    ],
    [
      'a numeric const is kept as text',
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        {
          messages: [message('N', { key: { const: 7 } })],
        },
      ),
      { kind: 'const', value: '7' },
    ],
    [
      'the last path parameter',
      pair(httpOp('post', '/a/{tenant}/b/{id}', 'op'), 'send'),
      { kind: 'path', param: 'id' },
    ],
    [
      'a command without a path parameter: the idempotency key',
      pair(httpOp('post', '/a', 'op'), 'send', {}, { messages: [typed] }),
      { kind: 'idempotency-key' },
    ],
    [
      'a read without a path parameter: none',
      pair(httpOp('get', '/a', 'op'), 'receive', { compacted: true }),
      { kind: 'none' },
    ],
    [
      'a read item: the path parameter',
      pair(httpOp('get', '/a/{id}', 'op'), 'receive', { compacted: true }),
      { kind: 'path', param: 'id' },
    ],
  ])('%s', (_, world, key) => {
    const bound = bind(world);
    expect(bound.diagnostics).toEqual([]);
    expect(only(bound).key).toEqual(key);
  });
});

describe('key and override templates', () => {
  const op = (key: string) =>
    httpOp('post', '/a/{id}', 'op', {
      parameters: [pathParam('id'), param('region', 'query'), param('X-Tenant', 'header')],
      specgate: { key, overrides: { 'x-by': '{identity}' } },
    });
  it.each<[string, string[]]>([
    ['{id}', []],
    ['${params.id}', []],
    ['{idempotencyKey}', []],
    ['${idempotencyKey}', []],
    ["${guarded['jwt'].identity}", []],
    ['{region}-{headers.x-tenant}', []],
    ['{missing}', ['SG_BIND_KEY_PARAM_UNKNOWN openapi.yaml#/paths/~1a~1{id}/post/x-specgate']],
    [
      '${query.id}-{nope}',
      [
        'SG_BIND_KEY_PARAM_UNKNOWN openapi.yaml#/paths/~1a~1{id}/post/x-specgate',
        'SG_BIND_KEY_PARAM_UNKNOWN openapi.yaml#/paths/~1a~1{id}/post/x-specgate',
      ],
    ],
  ])('key %s', (key, want) => {
    const bound = bind(pair(op(key), 'send'));
    expect(where(bound.diagnostics)).toEqual(want);
    // A bad template is reported; the route is still built.
    expect(only(bound).key.kind).toBe('template');
  });

  it('an override naming an unknown parameter points at the layer that set the overrides', () => {
    const bound = bind({
      ...pair(httpOp('post', '/a', 'op', { zilla: { key: '{idempotencyKey}' } }), 'send'),
      routes: { op: { overrides: { 'x-user': '{user}', 'x-fixed': 'literal' } } },
    });
    expect(where(bound.diagnostics)).toEqual([
      'SG_BIND_KEY_PARAM_UNKNOWN specgate.yaml#/routes/op',
    ]);
    expect(only(bound).overrides).toEqual({ 'x-user': '{user}', 'x-fixed': 'literal' });
  });

  it('a key template from the config is reported at the config, not at the extension', () => {
    const bound = bind({
      ...pair(httpOp('post', '/a', 'op', { specgate: { owner: 'x-user' } }), 'send'),
      routes: { op: { key: '{nope}' } },
    });
    expect(where(bound.diagnostics)).toEqual([
      'SG_BIND_KEY_PARAM_UNKNOWN specgate.yaml#/routes/op',
    ]);
  });
});

describe('request-reply', () => {
  const replies = channel('replies', { address: 'replies.v1', messages: ['Reply', 'Other'] });
  it.each<[string, World, Partial<NonNullable<CommandRoute['reply']>>]>([
    [
      "Zilla's defaults",
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        {
          channels: [replies],
          reply: { channel: 'replies', messages: ['Reply'] },
        },
      ),
      {
        channel: 'replies',
        address: 'replies.v1',
        messages: ['Reply'],
        correlationHeader: 'zilla:correlation-id',
        replyToHeader: 'zilla:reply-to',
      },
    ],
    [
      "the reply channel's messages when the reply names none",
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        {
          channels: [replies],
          reply: { channel: 'replies' },
        },
      ),
      { messages: ['Reply', 'Other'] },
    ],
    [
      'the correlation header from correlationId.location',
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        {
          channels: [replies],
          messages: [message('Cmd', { correlation: '$message.header#/x-correlation' })],
          reply: { channel: 'replies' },
        },
      ),
      { correlationHeader: 'x-correlation', replyToHeader: 'zilla:reply-to' },
    ],
    [
      'the reply-to header from a dynamic address.location',
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        {
          channels: [replies],
          reply: { channel: 'replies', addressLocation: '$message.header#/x-reply-to' },
        },
      ),
      { replyToHeader: 'x-reply-to', correlationHeader: 'zilla:correlation-id' },
    ],
    [
      "the reply channel's kafka topic",
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        {
          channels: [channel('replies', { address: 'r', topic: 'real-replies' })],
          reply: { channel: 'replies' },
        },
      ),
      { address: 'real-replies' },
    ],
  ])('%s', (_, world, reply) => {
    const bound = bind(world);
    expect(bound.diagnostics).toEqual([]);
    expect(command(only(bound)).reply).toMatchObject(reply);
  });
});

describe('mapping precedence: config > x-specgate > x-zilla-http-kafka, field by field', () => {
  it.each<[string, World, Partial<Route>]>([
    [
      'by operationId when nothing maps it',
      pair(httpOp('post', '/a', 'op'), 'send'),
      { mappedBy: 'operationId', operation: kafkaOp('op', 'send', 'topic') },
    ],
    [
      'x-specgate maps to another operation',
      {
        http: [httpOp('post', '/a', 'create', { specgate: { operation: 'produce' } })],
        operations: [kafkaOp('produce', 'send', 'topic')],
        channels: [channel('topic')],
      },
      { mappedBy: 'x-specgate', operation: kafkaOp('produce', 'send', 'topic') },
    ],
    [
      'config beats x-specgate on operation (the one x-specgate names is never looked up); x-specgate still sets the key',
      {
        http: [
          httpOp('post', '/a', 'create', {
            specgate: { operation: 'nope', key: '{idempotencyKey}' },
          }),
        ],
        operations: [kafkaOp('produce', 'send', 'topic')],
        channels: [channel('topic')],
        routes: { create: { operation: 'produce' } },
      },
      {
        mappedBy: 'config',
        operation: kafkaOp('produce', 'send', 'topic'),
        key: {
          kind: 'template',
          template: '{idempotencyKey}',
          parts: [{ kind: 'idempotency-key' }],
        },
      },
    ],
    [
      'x-specgate beats Zilla on key; Zilla still sets overrides and owner',
      pair(
        httpOp('post', '/a', 'op', {
          specgate: { key: '{idempotencyKey}' },
          zilla: { key: '${params.nope}', overrides: { 'x-a': 'b' }, owner: 'zilla:identity' },
        }),
        'send',
      ),
      {
        mappedBy: 'x-specgate',
        key: {
          kind: 'template',
          template: '{idempotencyKey}',
          parts: [{ kind: 'idempotency-key' }],
        },
        overrides: { 'x-a': 'b' },
        owner: 'zilla:identity',
      },
    ],
    [
      'overrides are taken whole from one layer, not merged per header',
      {
        ...pair(
          httpOp('post', '/a', 'op', { specgate: { overrides: { 'x-a': '1', 'x-b': '2' } } }),
          'send',
        ),
        routes: { op: { overrides: { 'x-a': '3' } } },
      },
      { mappedBy: 'config', overrides: { 'x-a': '3' } },
    ],
    [
      'Zilla alone',
      pair(httpOp('post', '/a', 'op', { zilla: { key: '${idempotencyKey}' } }), 'send'),
      {
        mappedBy: 'x-zilla-http-kafka',
        key: {
          kind: 'template',
          template: '${idempotencyKey}',
          parts: [{ kind: 'idempotency-key' }],
        },
      },
    ],
    [
      'config filters replace x-specgate filters',
      {
        ...pair(
          httpOp('get', '/a', 'op', {
            parameters: [param('status', 'query'), param('owner', 'query')],
            specgate: { filters: [{ param: 'owner', on: 'header', name: 'x-owner' }] },
          }),
          'receive',
          { compacted: true },
        ),
        routes: { op: { filters: [{ param: 'status', on: 'field', name: 'status' }] } },
      },
      { filters: [{ param: 'status', on: 'field', name: 'status' }] } as Partial<Route>,
    ],
  ])('%s', (_, world, want) => {
    const bound = bind(world);
    expect(bound.diagnostics).toEqual([]);
    expect(only(bound)).toMatchObject(want);
  });

  it('an operationId named like an Object.prototype member is not a config entry', () => {
    const ops = [httpOp('post', '/a', 'constructor'), httpOp('post', '/b', 'toString')];
    const bound = bind({
      http: ops,
      operations: ops.map((op) => kafkaOp(op.operationId, 'send', 'topic')),
      channels: [channel('topic')],
    });
    expect(bound.diagnostics).toEqual([]);
    expect(bound.routes.map((r) => r.mappedBy)).toEqual(['operationId', 'operationId']);
  });
});

describe('diagnostics, each with where it points', () => {
  const post = opPointer('post', '/a');
  const get = opPointer('get', '/a');
  it.each<[string, World, string[], number]>([
    [
      'HTTP operation with no Kafka counterpart, and the reverse',
      {
        http: [httpOp('post', '/a', 'lonely')],
        operations: [kafkaOp('unused', 'send', 'topic')],
        channels: [channel('topic')],
      },
      [
        `SG_BIND_HTTP_UNMAPPED openapi.yaml#${post}`,
        'SG_BIND_KAFKA_UNMAPPED asyncapi.yaml#/operations/unused',
      ],
      0,
    ],
    [
      'a derived operationId never binds by accident',
      {
        http: [httpOp('post', '/a', 'postA', { hasOperationId: false })],
        operations: [kafkaOp('postA', 'send', 'topic')],
        channels: [channel('topic')],
      },
      [
        `SG_BIND_HTTP_UNMAPPED openapi.yaml#${post}`,
        'SG_BIND_KAFKA_UNMAPPED asyncapi.yaml#/operations/postA',
      ],
      0,
    ],
    [
      'x-specgate names a missing AsyncAPI operation',
      {
        http: [httpOp('post', '/a', 'op', { specgate: { operation: 'nope' } })],
        operations: [kafkaOp('op', 'send', 'topic')],
        channels: [channel('topic')],
      },
      [
        `SG_BIND_OPERATION_NOT_FOUND openapi.yaml#${post}/x-specgate`,
        'SG_BIND_KAFKA_UNMAPPED asyncapi.yaml#/operations/op',
      ],
      0,
    ],
    [
      'x-specgate names a missing operation while the config only sets a key: points at x-specgate',
      {
        http: [httpOp('post', '/a', 'op', { specgate: { operation: 'nope' } })],
        operations: [kafkaOp('op', 'send', 'topic')],
        channels: [channel('topic')],
        routes: { op: { key: '{idempotencyKey}' } },
      },
      [
        `SG_BIND_OPERATION_NOT_FOUND openapi.yaml#${post}/x-specgate`,
        'SG_BIND_KAFKA_UNMAPPED asyncapi.yaml#/operations/op',
      ],
      0,
    ],
    [
      'the config maps an HTTP operation that does not exist',
      { ...pair(httpOp('post', '/a', 'op'), 'send'), routes: { crateTask: { key: '{id}' } } },
      ['SG_BIND_OPERATION_NOT_FOUND specgate.yaml#/routes/crateTask'],
      1,
    ],
    [
      'GET → send',
      pair(httpOp('get', '/a', 'op'), 'send'),
      [`SG_BIND_KIND_MISMATCH openapi.yaml#${get}`],
      0,
    ],
    [
      'POST → receive',
      pair(httpOp('post', '/a', 'op'), 'receive', { compacted: true }),
      [`SG_BIND_KIND_MISMATCH openapi.yaml#${post}`],
      0,
    ],
    [
      'OPTIONS never makes a route',
      pair(httpOp('options', '/a', 'op'), 'send'),
      [`SG_BIND_KIND_MISMATCH openapi.yaml#${opPointer('options', '/a')}`],
      0,
    ],
    [
      'a GET mapped as a command',
      pair(httpOp('get', '/a', 'op', { specgate: { kind: 'command' } }), 'receive', {
        compacted: true,
      }),
      [`SG_BIND_KIND_MISMATCH openapi.yaml#${get}/x-specgate`],
      0,
    ],
    [
      'a POST mapped as a query',
      { ...pair(httpOp('post', '/a', 'op'), 'send'), routes: { op: { kind: 'query' } } },
      ['SG_BIND_KIND_MISMATCH specgate.yaml#/routes/op'],
      0,
    ],
    [
      'a POST mapped as a command is fine',
      { ...pair(httpOp('post', '/a', 'op'), 'send'), routes: { op: { kind: 'command' } } },
      [],
      1,
    ],
    [
      'a channel parameter no path parameter fills',
      pair(httpOp('post', '/a', 'op'), 'send', { address: 'orders.{tenant}' }),
      [`SG_BIND_CHANNEL_PARAM_UNFILLED openapi.yaml#${post}`],
      1,
    ],
    [
      'a list query on an event topic',
      pair(httpOp('get', '/a', 'op'), 'receive'),
      [`SG_BIND_QUERY_NOT_COMPACTED openapi.yaml#${get}`],
      0,
    ],
    [
      'a non-array GET with a key param on an event topic is no history',
      pair(httpOp('get', '/a/{id}', 'op'), 'receive'),
      [`SG_BIND_QUERY_NOT_COMPACTED openapi.yaml#${opPointer('get', '/a/{id}')}`],
      0,
    ],
    [
      'an array GET without a key param on an event topic is no history',
      pair(httpOp('get', '/a', 'op', { responses: [response('200', jsonArray)] }), 'receive'),
      [`SG_BIND_QUERY_NOT_COMPACTED openapi.yaml#${get}`],
      0,
    ],
    [
      'kind: query forced on an event topic',
      pair(
        httpOp('get', '/a/{id}/h', 'op', {
          responses: [response('200', jsonArray)],
          specgate: { kind: 'query' },
        }),
        'receive',
      ),
      [`SG_BIND_QUERY_NOT_COMPACTED openapi.yaml#${opPointer('get', '/a/{id}/h')}`],
      0,
    ],
    [
      'kind: stream without a text/event-stream response',
      pair(httpOp('get', '/a', 'op', { specgate: { kind: 'stream' } }), 'receive', {
        compacted: true,
      }),
      [`SG_BIND_STREAM_NO_SSE openapi.yaml#${get}`],
      0,
    ],
    [
      'a reply without a channel',
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        { reply: { addressLocation: '$message.header#/r' } },
      ),
      ['SG_BIND_REPLY_CHANNEL_MISSING asyncapi.yaml#/operations/op/reply'],
      1,
    ],
    [
      'a reply on an undefined channel',
      pair(httpOp('post', '/a', 'op'), 'send', {}, { reply: { channel: 'gone' } }),
      ['SG_BIND_REPLY_CHANNEL_MISSING asyncapi.yaml#/operations/op/reply'],
      1,
    ],
    [
      'a correlationId in the payload',
      pair(
        httpOp('post', '/a', 'op'),
        'send',
        {},
        {
          channels: [channel('replies')],
          messages: [message('Cmd', { correlation: '$message.payload#/id' })],
          reply: { channel: 'replies' },
        },
      ),
      ['SG_BIND_CORRELATION_NOT_HEADER asyncapi.yaml#/components/messages/Cmd/correlationId'],
      1,
    ],
    [
      'a filter on an undeclared query parameter',
      pair(
        httpOp('get', '/a', 'op', {
          parameters: [param('status', 'query'), param('x-status', 'header')],
          specgate: {
            filters: [
              { param: 'status', on: 'field', name: 'status' },
              { param: 'x-status', on: 'header', name: 'status' },
            ],
          },
        }),
        'receive',
        { compacted: true },
      ),
      [`SG_BIND_FILTER_UNKNOWN openapi.yaml#${get}/x-specgate`],
      1,
    ],
    [
      'a non-Kafka server and channel: notices; an operation on that channel is skipped quietly',
      {
        http: [httpOp('post', '/a', 'op')],
        operations: [kafkaOp('op', 'send', 'ws'), kafkaOp('push', 'send', 'ws')],
        channels: [channel('ws', { isKafka: false })],
        servers: [server('broker', 'kafka'), server('socket', 'ws')],
      },
      [
        'SG_BIND_NON_KAFKA asyncapi.yaml#/servers/socket',
        'SG_BIND_NON_KAFKA asyncapi.yaml#/channels/ws',
      ],
      0,
    ],
  ])('%s', (_, world, want, routes) => {
    const bound = bind(world);
    expect(where(bound.diagnostics).sort()).toEqual([...want].sort());
    expect(bound.routes).toHaveLength(routes);
  });

  it('reports with the default severity of each code', () => {
    const bound = bind({
      http: [httpOp('post', '/a', 'lonely')],
      operations: [kafkaOp('unused', 'send', 'topic')],
      channels: [channel('topic'), channel('ws', { isKafka: false })],
    });
    expect(bound.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['SG_BIND_KAFKA_UNMAPPED', 'warning'],
      ['SG_BIND_NON_KAFKA', 'notice'],
      ['SG_BIND_HTTP_UNMAPPED', 'warning'],
    ]);
  });
});

describe('payload cross-check on commands', () => {
  const world = (body: object, payload: object, extra: Partial<World> = {}) =>
    pair(
      httpOp('post', '/a', 'op', { body }),
      'send',
      {},
      {
        messages: [message('Cmd', { payload })],
        ...extra,
      },
    );
  const body = `openapi.yaml#${opPointer('post', '/a')}/requestBody/content/application~1json`;
  it.each<[string, World, string[]]>([
    [
      'agreeing schemas',
      world(
        { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
        { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
      ),
      [],
    ],
    [
      'required on the payload, missing from the body',
      world(
        { type: 'object', properties: {} },
        { type: 'object', required: ['n'], properties: { n: {} } },
      ),
      [`SG_BIND_PAYLOAD_REQUIRED_MISSING ${body}`],
    ],
    [
      'required on the body, missing from the payload',
      world(
        { type: 'object', required: ['n', 'm'], properties: { n: {}, m: {} } },
        { type: 'object', properties: { n: {} } },
      ),
      [`SG_BIND_PAYLOAD_REQUIRED_MISSING ${body}`],
    ],
    [
      'a nested type clash',
      world(
        {
          type: 'object',
          properties: { a: { type: 'object', properties: { b: { type: 'string' } } } },
        },
        {
          type: 'object',
          properties: { a: { type: 'object', properties: { b: { type: 'boolean' } } } },
        },
      ),
      [`SG_BIND_PAYLOAD_TYPE_CLASH ${body}`],
    ],
    [
      'several message types on one operation: not compared',
      pair(
        httpOp('post', '/a', 'op', { body: { type: 'string' } }),
        'send',
        {},
        {
          messages: [
            message('A', { payload: { type: 'object' } }),
            message('B', { payload: { type: 'array' } }),
          ],
        },
      ),
      [],
    ],
    [
      'a message without payload (a tombstone-like message): not compared',
      pair(
        httpOp('post', '/a', 'op', { body: { type: 'string' } }),
        'send',
        {},
        {
          messages: [message('A')],
        },
      ),
      [],
    ],
  ])('%s', (_, given, want) => {
    const bound = bind(given);
    expect(where(bound.diagnostics)).toEqual(want);
    expect(bound.routes).toHaveLength(1);
  });
});

describe('ordering', () => {
  it('sorts routes by path, then method (code-unit order)', () => {
    const ops = [
      httpOp('put', '/b/{id}', 'putB'),
      httpOp('get', '/b', 'getB'),
      httpOp('delete', '/b/{id}', 'deleteB'),
      httpOp('post', '/B', 'postUpperB'),
      httpOp('post', '/b', 'postB'),
      httpOp('get', '/b/{id}', 'getBItem'),
    ];
    const bound = bind({
      http: ops,
      operations: ops.map((op) =>
        kafkaOp(op.operationId, op.method === 'get' ? 'receive' : 'send', 'topic'),
      ),
      channels: [channel('topic', { compacted: true })],
    });
    expect(bound.diagnostics).toEqual([]);
    expect(bound.routes.map((r) => `${r.http.method} ${r.http.path}`)).toEqual([
      'post /B',
      'get /b',
      'post /b',
      'delete /b/{id}',
      'get /b/{id}',
      'put /b/{id}',
    ]);
  });
});
