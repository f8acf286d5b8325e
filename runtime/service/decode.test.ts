import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeCommand } from './decode.ts';
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
  return {
    key: Buffer.from('k'),
    value: Buffer.from(JSON.stringify(value)),
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
});
