import { describe, expect, it } from 'vitest';
import type { Api, Channel, KafkaOperation, Message, Schema } from '../../ir/types.ts';
import {
  apiWith,
  channel,
  compactedBinding,
  kafkaOperation,
  message,
  nowhere,
} from '../gateway/testing.ts';
import { emitService } from './emit-service.ts';
import { Diagnostics } from '../../diagnostics.ts';
import { checkServices } from './check-services.ts';
import { planServices, readsBytes } from './plan.ts';

function tagged(id: string, header: string, tag: string, payload?: Schema): Message {
  return message(id, {
    headers: { type: 'object', properties: { [header]: { type: 'string', const: tag } } },
    ...(payload === undefined ? {} : { payload }),
  });
}

function kafkaApi(
  channels: readonly Channel[],
  messages: readonly Message[],
  operations: readonly KafkaOperation[],
): Api {
  const api = apiWith([], messages);
  return { ...api, kafka: { ...api.kafka, channels, messages, operations } };
}

describe('planServices', () => {
  it('finds the command topic, its dispatch header, reply and outputs', () => {
    const api = kafkaApi(
      [
        channel('cmds', ['A', 'B']),
        channel('replies', ['R']),
        channel('events', ['E1', 'E2']),
        channel('state', ['S'], { kafka: compactedBinding }),
      ],
      [
        tagged('A', 'command-type', 'A'),
        tagged('B', 'command-type', 'B'),
        message('R', { payload: { type: 'string' } }),
        tagged('E1', 'event-type', 'E1'),
        tagged('E2', 'event-type', 'E2'),
        message('S'),
      ],
      [
        kafkaOperation('a', 'send', 'cmds', ['A'], {
          channel: 'replies',
          messages: ['R'],
          source: nowhere,
        }),
        kafkaOperation('b', 'send', 'cmds', ['B']),
        kafkaOperation('events', 'receive', 'events', ['E1', 'E2']),
        kafkaOperation('state', 'receive', 'state', ['S']),
      ],
    );
    const { services, notes } = planServices(api);
    expect(notes).toEqual([]);
    const [service] = services;
    expect(service?.topic).toBe('cmds');
    expect(service?.dispatch?.by).toEqual({ header: 'command-type' });
    expect(service?.replies.map((m) => m.id)).toEqual(['R']);
    expect(service?.correlationHeader).toBe('zilla:correlation-id');
    expect(
      service?.outputs.map((o) => [o.topic, o.kind, o.typeHeader, o.messages.map((m) => m.id)]),
    ).toEqual([
      ['events', 'event', 'event-type', ['E1', 'E2']],
      ['state', 'snapshot', undefined, ['S']],
    ]);
  });

  it('dispatches by a payload field when no header tells the commands apart, tags as written', () => {
    const kind = (tag: string): Schema => ({
      type: 'object',
      properties: { kind: { const: tag }, n: { type: 'number' } },
    });
    const api = kafkaApi(
      [channel('cmds', ['Add', 'Sub'])],
      [message('Add', { payload: kind('add') }), message('Sub', { payload: kind('sub') })],
      [kafkaOperation('add', 'send', 'cmds', ['Add', 'Sub'])],
    );
    const [service] = planServices(api).services;
    expect(service?.dispatch?.by).toEqual({ field: 'kind' });
    expect([...(service?.dispatch?.tags ?? [])]).toEqual([
      ['Add', 'add'],
      ['Sub', 'sub'],
    ]);
    const file = emitService(api, { root: '/' })[0]?.content ?? '';
    expect(file).toContain("name: 'Add',\n      tag: 'add',");
    expect(file).toContain("dispatch: { field: 'kind' },");
  });

  it('takes a one-value enum for a const', () => {
    const enumTagged = (id: string): Message =>
      message(id, {
        headers: { type: 'object', properties: { 'command-type': { enum: [id] } } },
      });
    const api = kafkaApi(
      [channel('cmds', ['A', 'B'])],
      [enumTagged('A'), enumTagged('B')],
      [kafkaOperation('ab', 'send', 'cmds', ['A', 'B'])],
    );
    expect(planServices(api).services[0]?.dispatch?.by).toEqual({ header: 'command-type' });
  });

  it('needs no dispatch for a single command type', () => {
    const api = kafkaApi(
      [channel('cmds', ['Only'])],
      [message('Only')],
      [kafkaOperation('only', 'send', 'cmds', ['Only'])],
    );
    expect(planServices(api).services.map((s) => [s.topic, s.dispatch])).toEqual([
      ['cmds', undefined],
    ]);
  });

  it('gives no service, and says why, where there is no topic to own or no way to dispatch', () => {
    const api = kafkaApi(
      [
        channel('direct', ['D'], { kafka: compactedBinding }),
        channel('lights', ['L'], { address: 'lights.{id}' }),
        channel('mixed', ['X', 'Y']),
      ],
      [message('D'), message('L'), message('X'), message('Y')],
      [
        kafkaOperation('write', 'send', 'direct', ['D']),
        kafkaOperation('read', 'receive', 'direct', ['D']),
        kafkaOperation('light', 'send', 'lights', ['L']),
        kafkaOperation('mixed', 'send', 'mixed', ['X', 'Y']),
      ],
    );
    const { services, notes } = planServices(api);
    expect(services).toEqual([]);
    expect(notes).toEqual([
      'direct: no service, the gateway reads this topic too (it writes it directly)',
      'lights.{id}: no service, its address has parameters (one topic per value)',
      'mixed: no service, its commands share no header or payload field with a distinct const each',
    ]);
  });

  describe('commands that are not JSON', () => {
    const kind = (tag: string): Schema => ({
      type: 'object',
      properties: { kind: { const: tag } },
    });
    const at = {
      file: 'asyncapi.yaml',
      pointer: '#/components/messages/Upload',
      line: 12,
      column: 7,
    };

    it.each([
      ['text/plain', true],
      ['application/octet-stream', true],
      ['application/x-www-form-urlencoded', true],
      ['application/xml', true],
      ['application/json', false],
      ['Application/JSON; charset=utf-8', false],
      ['application/vnd.shop.order+json', false],
    ])('%s is read as bytes: %s', (contentType, bytes) => {
      expect(readsBytes(message('M', { contentType }))).toBe(bytes);
    });

    it('refuses a field dispatch when a command is not JSON, with a problem at its message', () => {
      const api = kafkaApi(
        [channel('cmds', ['Rename', 'Upload'])],
        [
          message('Rename', { payload: kind('rename') }),
          message('Upload', {
            payload: kind('upload'),
            contentType: 'application/x-www-form-urlencoded',
            source: at,
          }),
        ],
        [kafkaOperation('cmds', 'send', 'cmds', ['Rename', 'Upload'])],
      );
      const { services, notes, problems } = planServices(api);
      expect(services).toEqual([]);
      expect(notes).toEqual([
        'cmds: no service, its commands differ only by the JSON field "kind" and Upload is application/x-www-form-urlencoded',
      ]);
      expect(problems).toEqual([
        {
          code: 'SG_SERVICE_RAW_FIELD_DISPATCH',
          message: expect.stringContaining(
            'the commands of cmds differ only by their payload field "kind", but Upload is application/x-www-form-urlencoded, not JSON',
          ),
          source: at,
        },
      ]);
      // As validation reports it: located, with its default severity.
      const diagnostics = new Diagnostics();
      checkServices(api, diagnostics);
      expect(diagnostics.items).toEqual([
        {
          code: 'SG_SERVICE_RAW_FIELD_DISPATCH',
          severity: 'warning',
          message: problems[0]?.message,
          location: at,
        },
      ]);
      // The same commands, all JSON: the field dispatches, nothing to report.
      const json = kafkaApi(
        [channel('cmds', ['Rename', 'Upload'])],
        [
          message('Rename', { payload: kind('rename') }),
          message('Upload', { payload: kind('upload') }),
        ],
        [kafkaOperation('cmds', 'send', 'cmds', ['Rename', 'Upload'])],
      );
      expect(planServices(json).services[0]?.dispatch?.by).toEqual({ field: 'kind' });
      expect(planServices(json).problems).toEqual([]);
    });

    it('dispatches JSON and bytes commands of one topic by a header', () => {
      const api = kafkaApi(
        [channel('cmds', ['Rename', 'Upload'])],
        [
          tagged('Rename', 'command-type', 'Rename', kind('rename')),
          {
            ...tagged('Upload', 'command-type', 'Upload', kind('upload')),
            contentType: 'text/plain',
          },
        ],
        [kafkaOperation('cmds', 'send', 'cmds', ['Rename', 'Upload'])],
      );
      const { services, problems } = planServices(api);
      expect(services[0]?.dispatch?.by).toEqual({ header: 'command-type' });
      expect(problems).toEqual([]);
    });
  });
});
