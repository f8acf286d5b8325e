import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupPolicyOf } from './bindings.ts';
import { parseFile } from './testing.ts';

describe('cleanup.policy', () => {
  it.each([
    [['compact'], ['compact']],
    [
      ['compact', 'delete'],
      ['compact', 'delete'],
    ],
    ['compact,delete', ['compact', 'delete']],
    [' Compact , delete ', ['compact', 'delete']],
    ['delete', ['delete']],
    ['', []],
    [42, []],
  ])('%j → %j', (written, policy) => {
    expect(cleanupPolicyOf(written)).toEqual(policy);
  });

  it('must be a list in a document: the kafka binding schema rejects a comma string, located', async () => {
    const file = resolve('/virtual/policy.yaml');
    const text = [
      'asyncapi: 3.0.0',
      'info:',
      '  title: t',
      "  version: '1'",
      'channels:',
      '  tasks:',
      '    address: tasks',
      '    bindings:',
      '      kafka:',
      '        topicConfiguration:',
      '          cleanup.policy: compact,delete',
    ].join('\n');
    const { api, diagnostics } = await parseFile(file, new Map([[file, text]]));
    expect(api).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'SG_ASYNCAPI_INVALID',
        location: expect.objectContaining({ line: 11, column: 11 }),
      }),
    ]);
  });
});
