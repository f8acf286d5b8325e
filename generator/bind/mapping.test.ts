/** effectiveMapping: config > x-specgate > x-zilla-http-kafka, field by field, with places. */
import { describe, expect, it } from 'vitest';
import type { MappingOverrides } from '../ir/types.ts';
import { at, configFile, httpOp, openapiFile } from './fixtures/ir.ts';
import { effectiveMapping, type EffectiveMapping } from './mapping.ts';

const config = (mapping: Omit<MappingOverrides, 'source'>): MappingOverrides => ({
  ...mapping,
  source: at(configFile, '/routes/op'),
});
const specgateAt = at(openapiFile, '/paths/~1a/post/x-specgate');
const zillaAt = at(openapiFile, '/paths/~1a/post/x-zilla-http-kafka');
const configAt = at(configFile, '/routes/op');

describe('effectiveMapping', () => {
  it.each<[string, MappingOverrides | undefined, Parameters<typeof httpOp>[3], EffectiveMapping]>([
    [
      'nothing',
      undefined,
      {},
      { mapping: {}, mappedBy: 'operationId', source: undefined, setBy: {} },
    ],
    [
      'an empty config entry still counts as the config',
      config({}),
      {},
      { mapping: {}, mappedBy: 'config', source: configAt, setBy: {} },
    ],
    [
      'Zilla alone',
      undefined,
      { zilla: { key: '${params.id}', owner: 'zilla:identity' } },
      {
        mapping: { key: '${params.id}', owner: 'zilla:identity' },
        mappedBy: 'x-zilla-http-kafka',
        source: zillaAt,
        setBy: {
          key: { layer: 'x-zilla-http-kafka', source: zillaAt },
          owner: { layer: 'x-zilla-http-kafka', source: zillaAt },
        },
      },
    ],
    [
      'each field from the first layer that sets it',
      config({ operation: 'fromConfig' }),
      {
        specgate: { operation: 'fromSpecgate', kind: 'stream', key: '{id}' },
        zilla: {
          key: '${params.id}',
          overrides: { a: 'b' },
          filters: [{ param: 'p', on: 'header', name: 'h' }],
        },
      },
      {
        mapping: {
          operation: 'fromConfig',
          kind: 'stream',
          key: '{id}',
          overrides: { a: 'b' },
          filters: [{ param: 'p', on: 'header', name: 'h' }],
        },
        mappedBy: 'config',
        source: configAt,
        setBy: {
          operation: { layer: 'config', source: configAt },
          kind: { layer: 'x-specgate', source: specgateAt },
          key: { layer: 'x-specgate', source: specgateAt },
          overrides: { layer: 'x-zilla-http-kafka', source: zillaAt },
          filters: { layer: 'x-zilla-http-kafka', source: zillaAt },
        },
      },
    ],
    [
      'an empty filter list from a higher layer still wins',
      config({ filters: [] }),
      { specgate: { filters: [{ param: 'p', on: 'field', name: 'p' }] } },
      {
        mapping: { filters: [] },
        mappedBy: 'config',
        source: configAt,
        setBy: { filters: { layer: 'config', source: configAt } },
      },
    ],
  ])('%s', (_, configured, input, want) => {
    expect(effectiveMapping(httpOp('post', '/a', 'op', input), configured)).toEqual(want);
  });
});
