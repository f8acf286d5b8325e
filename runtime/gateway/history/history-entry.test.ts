import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../kafka/types.ts';
import type { StreamMessagesSpec } from '../streams/stream-spec.ts';
import { eventNameOf, historyEntryJson, historyJson } from './history-entry.ts';

const several: StreamMessagesSpec = {
  names: ['TaskCreated', 'TaskRenamed'],
  eventNameHeader: 'type',
};
const one: StreamMessagesSpec = { names: ['TaskCreated'] };

function record(overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    topic: 't',
    partition: 1,
    offset: '42',
    key: Buffer.from('task-1'),
    value: Buffer.from('{"id":"task-1"}'),
    headers: { type: 'TaskCreated' },
    headerEntries: [],
    timestamp: Date.UTC(2024, 4, 6, 7, 8, 9, 123),
    ...overrides,
  };
}

describe('eventNameOf', () => {
  it.each([
    ['one name, no header', one, {}, 'TaskCreated'],
    ['one name, another type in the header', one, { type: 'TaskRenamed' }, 'TaskCreated'],
    ['several, a listed name', several, { type: 'TaskRenamed' }, 'TaskRenamed'],
    ['several, an unlisted name', several, { type: 'Bogus' }, undefined],
    ['several, no header', several, {}, undefined],
    ['several, no header declared', { names: ['A', 'B'] }, { type: 'A' }, undefined],
    ['no names', { names: [] }, { type: 'A' }, undefined],
  ] as const)('%s', (_case, messages, headers, want) => {
    expect(eventNameOf(messages, headers)).toBe(want);
  });
});

describe('historyEntryJson', () => {
  it('has event, ISO timestamp, offset string, identity and the value as data', () => {
    const json = historyEntryJson(
      record({ headers: { type: 'TaskRenamed', 'specgate-identity': 'alice' } }),
      several,
    );
    expect(JSON.parse(json ?? 'null')).toEqual({
      event: 'TaskRenamed',
      timestamp: '2024-05-06T07:08:09.123Z',
      offset: '42',
      identity: 'alice',
      data: { id: 'task-1' },
    });
  });

  it('has no identity without the header', () => {
    expect(JSON.parse(historyEntryJson(record(), several) ?? 'null')).not.toHaveProperty(
      'identity',
    );
  });

  it('keeps the digits of numbers beyond 2^53', () => {
    const json = historyEntryJson(record({ value: Buffer.from('{"n":9007199254740993}') }), one);
    expect(json).toContain('"data":{"n":9007199254740993}');
  });

  it.each([
    ['a tombstone', record({ value: null }), several],
    ['an empty value', record({ value: Buffer.alloc(0) }), several],
    ['a value that is not JSON', record({ value: Buffer.from('{"id":') }), several],
    ['an unknown message type', record({ headers: { type: 'Bogus' } }), several],
    ['an unrepresentable timestamp', record({ timestamp: 9e15 }), several],
  ])('is undefined for %s', (_case, given, messages) => {
    expect(historyEntryJson(given, messages)).toBeUndefined();
  });

  it('escapes names and identities', () => {
    const json = historyEntryJson(
      record({ headers: { 'specgate-identity': 'a "quoted"\nname' } }),
      { names: ['Odd"Name'] },
    );
    expect(JSON.parse(json ?? 'null')).toMatchObject({
      event: 'Odd"Name',
      identity: 'a "quoted"\nname',
    });
  });
});

describe('historyJson', () => {
  it.each([
    [[], []],
    [['{"a":1}'], [{ a: 1 }]],
    [
      ['{"a":1}', '{"a":2}'],
      [{ a: 1 }, { a: 2 }],
    ],
  ])('joins %j', (entries, want) => {
    expect(JSON.parse(historyJson(entries))).toEqual(want);
  });
});
