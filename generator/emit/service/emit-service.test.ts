import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Api, Channel, KafkaOperation, Message, Schema } from '../../ir/types.ts';
import type { GeneratedFile } from '../generated-file.ts';
import {
  channel,
  commandRoute,
  compactedBinding,
  exampleApi,
  kafkaOperation,
  message,
  nowhere,
  reversedKeys,
} from '../gateway/testing.ts';
import { checkTypeScript, emitTypes } from '../types/index.ts';
import { apiOf, formatWithPrettier } from '../types/testing.ts';
import { serviceCheckFiles } from './check-files.ts';
import { runtimeImportNames } from '../types/type-context.ts';
import { emitService, reachableSchemas, runtimeImports } from './emit-service.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

function tagged(id: string, header: string, payload?: Schema): Message {
  return message(id, {
    headers: { type: 'object', properties: { [header]: { type: 'string', const: id } } },
    ...(payload === undefined ? {} : { payload }),
  });
}

function kafkaApi(
  schemas: { readonly [id: string]: Schema },
  channels: readonly Channel[],
  messages: readonly Message[],
  operations: readonly KafkaOperation[],
): Api {
  const api = apiOf(schemas);
  return { ...api, kafka: { ...api.kafka, title: 'Shop', channels, messages, operations } };
}

function emit(api: Api): GeneratedFile[] {
  return [...emitTypes(api, { root: '/project' }), ...emitService(api, { root: '/project' })];
}

function handlers(files: readonly GeneratedFile[]): string {
  const found = files.find((f) => f.path === 'service/handlers.ts');
  if (found === undefined) throw new Error('service/handlers.ts was not emitted');
  return found.content;
}

/** Type-checks and formats as the project requires: the bar every emitted file must clear. */
async function expectClean(files: readonly GeneratedFile[]): Promise<void> {
  expect(checkTypeScript(files, { extraFiles: serviceCheckFiles() })).toEqual([]);
  for (const f of files) expect(f.content, f.path).toBe(await formatWithPrettier(f.content));
}

const ref = (id: string): Schema => ({ $ref: `#/$defs/${id}` });

/** Long names, a reply union and a snapshot union wider than a line, an inline payload. */
const wide = kafkaApi(
  {
    OrderManagementSubsystemPlaceOrder: {
      type: 'object',
      properties: { sku: { type: 'string' } },
      required: ['sku'],
    },
    OrderManagementSubsystemOrderAccepted: {
      type: 'object',
      properties: { id: { type: 'string' } },
    },
    OrderManagementSubsystemOrderRejected: {
      type: 'object',
      properties: { why: { type: 'string' } },
    },
    OrderManagementSubsystemOrderPending: {
      type: 'object',
      properties: { at: { type: 'string' } },
    },
    // Named like what the emitter would call its own declarations: they must not clash.
    OrderManagementSubsystemCommandsTypes: { type: 'string' },
    Unused: { type: 'number' },
  },
  [
    channel('orderManagementSubsystemCommands', ['PlaceOrder', 'CancelOrder']),
    channel('orderReplies', ['Accepted', 'Rejected', 'Pending']),
    channel('orderState', ['Accepted', 'Rejected', 'Pending'], { kafka: compactedBinding }),
  ],
  [
    tagged('PlaceOrder', 'command-type', ref('OrderManagementSubsystemPlaceOrder')),
    tagged('CancelOrder', 'command-type', {
      type: 'object',
      properties: {
        reason: { type: 'string' },
        kind: ref('OrderManagementSubsystemCommandsTypes'),
      },
      required: ['reason'],
    }),
    message('Accepted', { payload: ref('OrderManagementSubsystemOrderAccepted') }),
    message('Rejected', { payload: ref('OrderManagementSubsystemOrderRejected') }),
    message('Pending', { payload: ref('OrderManagementSubsystemOrderPending') }),
  ],
  [
    kafkaOperation(
      'place',
      'send',
      'orderManagementSubsystemCommands',
      ['PlaceOrder', 'CancelOrder'],
      {
        channel: 'orderReplies',
        messages: [],
        source: nowhere,
      },
    ),
    kafkaOperation('state', 'receive', 'orderState', ['Accepted', 'Rejected', 'Pending']),
  ],
);

describe('emitService', () => {
  it('emits code that compiles and is formatted as Prettier would, however wide', async () => {
    const files = emit(wide);
    await expectClean(files);
    const text = handlers(files);
    expect(text).toContain('export interface OrderManagementSubsystemCommandsTypes2 {');
    expect(text).toContain('export const orderManagementSubsystemCommandsSpec = {');
    expect(text).toContain('export function startOrderManagementSubsystemCommandsService<');
    expect(text).toContain('readonly events: Record<never, never>;');
    expect(text).toContain('readonly reason: string;');
  });

  it('types the reply as never when no command has one, and writes no event topic it lacks', async () => {
    const api = kafkaApi(
      { Ping: { type: 'object', properties: { n: { type: 'integer' } } } },
      [channel('pings', ['Ping']), channel('pongs', ['Pong'])],
      [message('Ping', { payload: ref('Ping') }), tagged('Pong', 'event-type')],
      [
        kafkaOperation('ping', 'send', 'pings', ['Ping']),
        kafkaOperation('pong', 'receive', 'pongs', ['Pong']),
      ],
    );
    const files = emit(api);
    await expectClean(files);
    const text = handlers(files);
    expect(text).toContain('readonly reply: never;');
    expect(text).toContain('readonly snapshots: Record<never, never>;');
    expect(text).not.toContain('dispatch:');
    expect(text).toContain(
      "outputs: [{ topic: 'pongs', kind: 'event', messages: ['Pong'], typeHeader: 'event-type' }],",
    );
  });

  it('declares the outputs once when several services share them (not services × outputs)', async () => {
    const commands = Array.from({ length: 3 }, (_, n) => `cmd${n}`);
    const outputs = Array.from({ length: 4 }, (_, n) => `out${n}`);
    const api = kafkaApi(
      { Item: { type: 'object', properties: { id: { type: 'string' } } } },
      [
        ...commands.map((c) => channel(c, [`${c}Message`])),
        ...outputs.map((o) => channel(o, [`${o}Message`], { kafka: compactedBinding })),
      ],
      [
        ...commands.map((c) => message(`${c}Message`, { payload: ref('Item') })),
        ...outputs.map((o) => message(`${o}Message`, { payload: ref('Item') })),
      ],
      [
        ...commands.map((c) => kafkaOperation(c, 'send', c, [`${c}Message`])),
        ...outputs.map((o) => kafkaOperation(o, 'receive', o, [`${o}Message`])),
      ],
    );
    const files = emit(api);
    await expectClean(files);
    const text = handlers(files);
    expect(text).toContain('export const serviceOutputs = [');
    expect(text).toContain('export interface ServiceOutputTypes {');
    expect(text.match(/outputs: serviceOutputs,/g)).toHaveLength(3);
    expect(text.match(/readonly events: ServiceOutputTypes\['events'\];/g)).toHaveLength(3);
    // Each output topic is named in the shared list and its type, and nowhere else.
    expect(text.match(/\bout3\b/g)).toHaveLength(2);
  });

  it('takes the reply headers from the bound route when there is one', () => {
    const api: Api = {
      ...wide,
      routes: [
        commandRoute({
          operation: {
            id: 'place',
            action: 'send',
            channel: 'orderManagementSubsystemCommands',
            messages: [],
            source: nowhere,
          },
          reply: {
            channel: 'orderReplies',
            address: 'orderReplies',
            messages: [],
            correlationHeader: 'x-correlation',
            replyToHeader: 'x-reply-to',
          },
        }),
      ],
    };
    const text = handlers(emitService(api, { root: '/project' }));
    expect(text).toContain("correlationHeader: 'x-correlation',");
    expect(text).toContain("replyToHeader: 'x-reply-to',");
  });

  it('puts only the schemas the command payloads reach into the spec', () => {
    expect(
      reachableSchemas(wide, [
        ref('OrderManagementSubsystemPlaceOrder'),
        { properties: { k: ref('OrderManagementSubsystemCommandsTypes') } },
      ]),
    ).toEqual(['OrderManagementSubsystemCommandsTypes', 'OrderManagementSubsystemPlaceOrder']);
  });

  it('reserves the names it imports from the runtime: no schema type takes them', () => {
    const names = runtimeImports.map((name) => name.replace('type ', ''));
    expect(runtimeImportNames).toEqual(expect.arrayContaining(names));
  });

  it('is the same whatever the order of the input keys', async () => {
    const api = await exampleApi('todo');
    expect(emitService(reversedKeys(api), { root: repo })).toEqual(
      emitService(api, { root: repo }),
    );
  });

  it('gives petstore no service: its gateway writes the read model directly', async () => {
    const api = await exampleApi('petstore');
    const files = emit(api);
    await expectClean(files);
    const text = handlers(files);
    expect(text).not.toContain('export ');
    expect(text).not.toContain('import ');
    expect(text).toContain('// No command topic has a service: nothing to handle.');
    expect(text).toContain(
      '// petstore: no service, the gateway reads this topic too (it writes it directly)',
    );
  });

  it('hands a command that is not JSON to its handler as a Buffer: no payload, no schema', async () => {
    const api = kafkaApi(
      {
        Rename: { type: 'object', properties: { to: ref('Name') } },
        Name: { type: 'string' },
        Upload: { type: 'object', properties: { name: ref('FileName') } },
        FileName: { type: 'string' },
      },
      [channel('files', ['Rename', 'Upload']), channel('notes', ['Note'])],
      [
        tagged('Rename', 'command-type', ref('Rename')),
        { ...tagged('Upload', 'command-type', ref('Upload')), contentType: 'multipart/form-data' },
        message('Note', { payload: { type: 'string' }, contentType: 'text/plain; charset=utf-8' }),
      ],
      [
        kafkaOperation('files', 'send', 'files', ['Rename', 'Upload']),
        kafkaOperation('notes', 'send', 'notes', ['Note']),
      ],
    );
    const files = emit(api);
    await expectClean(files);
    const text = handlers(files);
    expect(text).toContain("{ name: 'Upload', body: 'bytes' },");
    expect(text).toContain("commands: [{ name: 'Note', body: 'bytes' }],");
    expect(text).toContain('    readonly Rename: Rename;\n    readonly Upload: Buffer;\n');
    expect(text).toContain('readonly commands: { readonly Note: Buffer };');
    // The JSON command keeps its payload and the schemas it reaches; the bytes one reaches none.
    expect(text).toContain("{ name: 'Rename', payload: { $ref: 'specgate#/$defs/Rename' } },");
    expect(text).toContain('Name: {');
    expect(text).not.toContain('FileName');
    // A handler of a bytes command gets a Buffer, and cannot take it for its payload's type.
    const use = {
      path: 'service/use.ts',
      content: [
        "import { startFilesService } from './handlers.ts';",
        'startFilesService({',
        '  handlers: {',
        "    Rename: (command) => ({ headers: { to: command.body.to ?? '' } }),",
        '    Upload: (command) => {',
        '      const bytes: Uint8Array = command.body;',
        '      // @ts-expect-error: the bytes of a form, not its fields',
        '      const name: string = command.body.name;',
        '      return { headers: { length: String(bytes.length), name } };',
        '    },',
        '  },',
        '});',
        '',
      ].join('\n'),
    };
    expect(checkTypeScript([...files, use], { extraFiles: serviceCheckFiles() })).toEqual([]);
  });
});
