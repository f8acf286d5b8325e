import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeCommand } from './decode.ts';
import { compilePayloadChecks } from './validation.ts';
import type { ServiceSpec } from './types.ts';

const base: ServiceSpec = {
  title: 'T',
  commandTopic: 'cmds',
  commands: [{ name: 'Add', tag: 'add' }, { name: 'Sub' }],
  outputs: [],
  schemas: {},
  correlationHeader: 'zilla:correlation-id',
  replyToHeader: 'zilla:reply-to',
};

function record(value: unknown, headers: Record<string, string> = {}): KafkaMessage {
  return bytes(Buffer.from(JSON.stringify(value)), headers);
}

function bytes(value: Buffer | null, headers: Record<string, string> = {}): KafkaMessage {
  return {
    key: Buffer.from('k'),
    value,
    headers,
    offset: '3',
    timestamp: '0',
    attributes: 0,
  } as KafkaMessage;
}

describe('decodeCommand', () => {
  it('selects a command by its tag, or by its name when it has none', () => {
    const spec = { ...base, dispatch: { field: 'kind' } };
    const add = decodeCommand(spec, new Map(), 0, record({ kind: 'add' }));
    expect(add.ok && add.command.name).toBe('Add');
    const sub = decodeCommand(spec, new Map(), 0, record({ kind: 'Sub' }));
    expect(sub.ok && sub.command.name).toBe('Sub');
    // The name of a tagged command is not its tag.
    expect(decodeCommand(spec, new Map(), 0, record({ kind: 'Add' }))).toMatchObject({
      ok: false,
      detail: '"Add" is not a command of cmds',
    });
  });

  it('takes every record for the one command of a topic without dispatch', () => {
    const spec = { ...base, commands: [{ name: 'Only' }] };
    const only = decodeCommand(spec, new Map(), 0, record({ any: 1 }, { 'command-type': 'X' }));
    expect(only.ok && only.command.name).toBe('Only');
  });

  describe('a bytes command (a message that is not JSON)', () => {
    const spec: ServiceSpec = {
      ...base,
      dispatch: { header: 'command-type' },
      commands: [
        { name: 'Upload', body: 'bytes', payload: { type: 'object' } },
        { name: 'Rename', payload: { type: 'object' } },
      ],
    };
    const checks = compilePayloadChecks(spec);

    it.each([
      ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc0, 0xaf])],
      ['text that is valid JSON of another type', Buffer.from('"a string, not an object"')],
      ['Latin-1 text', Buffer.from('Grüße', 'latin1')],
      ['an empty value', Buffer.alloc(0)],
    ])('gets %s as they came, unparsed and unchecked', (_what, value) => {
      const headers = { 'command-type': 'Upload', 'content-type': 'text/plain; charset=latin1' };
      const decoded = decodeCommand(spec, checks, 2, bytes(value, headers));
      if (!decoded.ok) throw new Error(decoded.detail);
      expect(Buffer.isBuffer(decoded.command.body)).toBe(true);
      expect((decoded.command.body as Buffer).equals(value)).toBe(true);
      expect(decoded.command).toMatchObject({ name: 'Upload', key: 'k', partition: 2 });
      // The charset is the handler's to read.
      expect(decoded.command.headers['content-type']).toBe('text/plain; charset=latin1');
    });

    it('gets an empty Buffer for a null value', () => {
      const decoded = decodeCommand(spec, checks, 0, bytes(null, { 'command-type': 'Upload' }));
      expect(decoded.ok && Buffer.isBuffer(decoded.command.body)).toBe(true);
      expect(decoded.ok && (decoded.command.body as Buffer).length).toBe(0);
    });

    it('leaves the JSON commands of its topic parsed and checked', () => {
      const ok = decodeCommand(spec, checks, 0, record({ to: 'x' }, { 'command-type': 'Rename' }));
      expect(ok.ok && ok.command.body).toEqual({ to: 'x' });
      expect(
        decodeCommand(spec, checks, 0, record('x', { 'command-type': 'Rename' })),
      ).toMatchObject({ ok: false, detail: 'the Rename command is invalid: /body must be object' });
    });

    it('is the only command of a topic without dispatch', () => {
      const only = { ...base, commands: [{ name: 'Note', body: 'bytes' as const }] };
      const value = Buffer.from('{not JSON');
      const decoded = decodeCommand(only, new Map(), 0, bytes(value));
      expect(decoded.ok && (decoded.command.body as Buffer).equals(value)).toBe(true);
    });
  });

  it('names a non-JSON content-type when a JSON command value does not parse', () => {
    const spec = { ...base, commands: [{ name: 'Doc' }] };
    const xml = Buffer.from('<doc/>');
    expect(
      decodeCommand(spec, new Map(), 0, bytes(xml, { 'content-type': 'application/xml' })),
    ).toMatchObject({ ok: false, detail: 'the command value is application/xml, not JSON' });
    expect(decodeCommand(spec, new Map(), 0, bytes(xml))).toMatchObject({
      ok: false,
      detail: 'the command value is not JSON',
    });
    const json = { 'content-type': 'application/vnd.doc+json' };
    expect(decodeCommand(spec, new Map(), 0, bytes(xml, json))).toMatchObject({
      ok: false,
      detail: 'the command value is not JSON',
    });
  });
});
