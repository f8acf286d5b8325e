import { describe, expect, it } from 'vitest';
import type { Api, HttpResponse, QueryRoute, Route, Schema, StreamRoute } from '../../ir/types.ts';
import type { GeneratedFile } from '../generated-file.ts';
import {
  apiWith,
  commandRoute,
  message,
  nowhere,
  operation,
  parameter,
} from '../gateway/testing.ts';
import { checkTypeScript, emitTypes } from '../types/index.ts';
import { formatWithPrettier } from '../types/testing.ts';
import { clientCheckFiles } from './check-files.ts';
import { runtimeImportNames } from '../types/type-context.ts';
import { clientFiles, emitClient, runtimeTypes } from './emit-client.ts';

function emit(api: Api, compat?: 'default' | 'zilla'): GeneratedFile[] {
  return [
    ...emitTypes(api, { root: '/project' }),
    ...emitClient(api, { root: '/project', ...(compat === undefined ? {} : { compat }) }),
  ];
}

function client(files: readonly GeneratedFile[]): string {
  const found = files.find((f) => f.path === clientFiles.index);
  if (found === undefined) throw new Error('client/index.ts was not emitted');
  return found.content;
}

/** Type-checks and formats as the project requires: the bar every emitted file must clear. */
async function expectClean(files: readonly GeneratedFile[]): Promise<void> {
  expect(checkTypeScript(files, { extraFiles: clientCheckFiles() })).toEqual([]);
  for (const f of files) expect(f.content, f.path).toBe(await formatWithPrettier(f.content));
}

function response(status: string, mediaType?: string, schema?: Schema): HttpResponse {
  return {
    status,
    description: '',
    headers: [],
    content: mediaType === undefined ? [] : [{ mediaType, schema, source: nowhere }],
    source: nowhere,
  };
}

const readBase = {
  operation: { id: 'x', action: 'receive', channel: 's', messages: [], source: nowhere },
  topic: { channel: 's', address: 'events', params: {}, compacted: false },
  key: { kind: 'none' },
  overrides: {},
  mappedBy: 'operationId',
  source: nowhere,
  filters: [],
} as const;

function streamRoute(messages: readonly string[], operationId = 'followEvents'): StreamRoute {
  return {
    ...readBase,
    kind: 'stream',
    http: operation({ method: 'get', operationId, path: '/events' }),
    messages,
  };
}

function queryRoute(overrides: Partial<QueryRoute> = {}): QueryRoute {
  return {
    ...readBase,
    kind: 'query',
    http: operation({
      method: 'get',
      operationId: 'listThings',
      path: '/things',
      responses: [response('200', 'application/json', { $ref: '#/$defs/Thing' })],
    }),
    mode: 'list',
    messages: [],
    alsoStream: false,
    ...overrides,
  };
}

const thing: Schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };

/** A message whose `event-type` header names it: the gateway can name its events. */
function typed(name: string) {
  return message(name, {
    payload: { $ref: `#/$defs/${name}` },
    headers: {
      type: 'object',
      properties: { 'event-type': { type: 'string', const: name } },
      required: ['event-type'],
    },
  });
}

describe('emitClient', () => {
  it('names the events of a stream after their messages when a header tells them apart', async () => {
    const api = apiWith(
      [streamRoute(['Created', 'Deleted'])],
      [typed('Created'), typed('Deleted')],
      { Created: thing, Deleted: thing },
    );
    const files = emit(api);
    expect(client(files)).toContain(
      [
        'export type FollowEventsEvent =',
        '  | {',
        '      readonly data: Created;',
        "      readonly event: 'Created';",
        '    }',
        '  | {',
        '      readonly data: Deleted;',
        "      readonly event: 'Deleted';",
        '    };',
      ].join('\n'),
    );
    expect(client(files)).toContain(
      '  followEvents(options?: StreamOptions): EventStream<StreamEvent<FollowEventsEvent>>;',
    );
    await expectClean(files);
  });

  it('types every event as an unnamed union of the payloads in the Zilla profile', async () => {
    const other: Schema = { type: 'object', properties: { n: { type: 'number' } } };
    const api = apiWith(
      [
        streamRoute(['Created', 'Deleted']),
        queryRoute({ alsoStream: true, messages: ['Created'] }),
      ],
      [typed('Created'), typed('Deleted')],
      { Created: thing, Deleted: other, Thing: thing },
    );
    // The same header names each message, but the gateway sends no `event:` in this profile.
    for (const compat of ['default', undefined] as const) {
      expect(client(emit(api, compat))).toContain("      readonly event: 'Created';");
    }
    const files = emit(api, 'zilla');
    const text = client(files);
    expect(text).toContain(
      "export interface FollowEventsEvent {\n  readonly data: Created | Deleted;\n  readonly event: 'message';\n}",
    );
    expect(text).toContain(
      "export interface ListThingsEvent {\n  readonly data: Created;\n  readonly event: 'message';\n}",
    );
    expect(text).not.toContain("readonly event: 'Created'");
    await expectClean(files);
  });

  it('sends several message types unnamed when no header names them', async () => {
    const api = apiWith(
      [streamRoute(['A', 'B'])],
      [message('A', { payload: { $ref: '#/$defs/A' } }), message('B')],
      { A: thing },
    );
    const files = emit(api);
    // B's payload is not JSON Schema (say Avro): its data is unknown.
    expect(client(files)).toContain(
      "export interface FollowEventsEvent {\n  readonly data: unknown;\n  readonly event: 'message';\n}",
    );
    await expectClean(files);
  });

  it('types answers: 2xx data (undefined without content), problem+json errors', async () => {
    const command = commandRoute({
      http: operation({
        operationId: 'makeThing',
        requestBody: {
          required: false,
          content: [{ mediaType: 'application/json', schema: thing, source: nowhere }],
          source: nowhere,
        },
        responses: [
          response('201', 'application/json', { $ref: '#/$defs/Thing' }),
          response('202'),
          response('400', 'application/problem+json', { $ref: '#/$defs/Problem' }),
          response('409', 'application/problem+json', { $ref: '#/$defs/Conflict' }),
          response('default', 'text/plain'),
        ],
      }),
    });
    const api = apiWith([command], [], { Thing: thing, Problem: thing, Conflict: thing });
    const text = client(emit(api));
    expect(text).toContain(
      'export type MakeThingResult = ApiResult<Thing | undefined, Problem | Conflict>;',
    );
    // An optional body makes the whole request optional.
    expect(text).toContain(
      'makeThing(request?: MakeThingRequest, options?: CommandOptions): Promise<MakeThingResult>;',
    );
    expect(text).toContain('core.command(makeThingOperation, request ?? {}, options)');
    await expectClean(emit(api));
  });

  it('leaves the headers the runtime sets, and cookies, out of the request', async () => {
    const http = operation({
      operationId: 'getThing',
      method: 'get',
      path: '/things/{id}',
      parameters: [
        parameter('id', 'path'),
        parameter('Idempotency-Key', 'header', { required: true }),
        parameter('prefer', 'header'),
        parameter('If-None-Match', 'header'),
        parameter('Last-Event-ID', 'header'),
        parameter('session', 'cookie'),
        parameter('X-Tenant', 'header', { required: true }),
        parameter('fields', 'query', { schema: { type: 'array', items: { type: 'string' } } }),
      ],
      responses: [response('200', 'application/json', { $ref: '#/$defs/Thing' })],
    });
    const api = apiWith([queryRoute({ http, mode: 'item' })], [], { Thing: thing });
    const files = emit(api);
    expect(client(files)).toContain(
      [
        'export interface GetThingRequest {',
        "  readonly headers: { readonly 'X-Tenant': string };",
        '  readonly params: { readonly id: string };',
        '  readonly query?: { readonly fields?: readonly string[] };',
        '}',
      ].join('\n'),
    );
    await expectClean(files);
  });

  it('breaks long names as prettier does', async () => {
    const long = 'listEveryThingThatWasEverCreatedInTheWholeSystemSinceTheBeginningOfTime';
    const http = operation({
      operationId: long,
      method: 'get',
      path: '/things',
      parameters: [parameter('limit', 'query', { schema: { type: 'integer' } })],
      responses: [
        response('200', 'application/json', {
          type: 'array',
          items: {
            anyOf: [{ $ref: '#/$defs/Thing' }, { $ref: '#/$defs/OtherThingWithALongName' }],
          },
        }),
        response('206', 'application/json', { $ref: '#/$defs/PartialListOfThingsWithALongName' }),
        response('400', 'application/problem+json', { $ref: '#/$defs/ProblemWithAVeryLongName' }),
      ],
    });
    const names = ['Thing', 'OtherThingWithALongName', 'PartialListOfThingsWithALongName'];
    const api = apiWith(
      [queryRoute({ http, alsoStream: true, messages: ['M'] })],
      [message('M', { payload: { $ref: '#/$defs/Thing' } })],
      Object.fromEntries([...names, 'ProblemWithAVeryLongName'].map((n) => [n, thing])),
    );
    await expectClean(emit(api));
    const short = operation({
      ...http,
      responses: [response('200', 'application/json', { $ref: '#/$defs/Thing' })],
    });
    await expectClean(emit({ ...api, routes: [queryRoute({ http: short })] }));
  });

  it('emits a client without methods when nothing is bound', async () => {
    const files = emit(apiWith([]));
    expect(client(files)).toContain('export interface TestClient {}');
    await expectClean(files);
  });

  it('resolves clashes: with schema names, and between methods', async () => {
    const own = queryRoute({
      http: operation({
        operationId: 'watchThings',
        method: 'get',
        path: '/w',
        responses: [response('200', 'application/json', { $ref: '#/$defs/Thing' })],
      }),
    });
    const things = queryRoute({
      http: operation({
        operationId: 'things',
        method: 'get',
        path: '/things',
        responses: [response('200', 'application/json', { $ref: '#/$defs/Thing' })],
      }),
    });
    const api = apiWith([own, things], [], { Thing: thing, TestClient: thing });
    const text = client(emit(api));
    expect(text).toContain('export interface TestClient2 {');
    // `watchThings` is an operation's own name; the watch of `things` gets the next one.
    expect(text).toContain('  watchThings(options?: QueryOptions): Promise<WatchThingsResult>;');
    expect(text).toContain('  watchThings2(options?: WatchOptions): EventStream<Thing>;');
    await expectClean(emit(api));
  });

  it('renames a schema called like a runtime import, in types.ts and the client alike', async () => {
    expect(runtimeImportNames).toEqual(
      expect.arrayContaining([...runtimeTypes, 'createClientCore']),
    );
    const route = queryRoute({
      http: operation({
        operationId: 'things',
        method: 'get',
        path: '/things',
        responses: [response('200', 'application/json', { $ref: '#/$defs/ApiResult' })],
      }),
    });
    const api = apiWith([route], [], { ApiResult: thing });
    const text = client(emit(api));
    expect(text).toContain('export type ThingsResult = ApiResult<ApiResult2, unknown>;');
    await expectClean(emit(api));
  });

  it('is deterministic', () => {
    const routes: Route[] = [queryRoute(), streamRoute(['A'])];
    const api = apiWith(routes, [message('A')], { Thing: thing });
    expect(emit(api)).toEqual(emit(api));
  });
});
