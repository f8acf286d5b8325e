import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTopicName } from './channels.ts';
import { fixtures, parseFile, placeOf } from './testing.ts';

describe('channels', () => {
  const file = join(fixtures, 'kafka-v3.yaml');

  it('reads a compacted channel binding, keeping every topic setting but extensions', async () => {
    const { api } = await parseFile(file);
    const snapshots = api?.channels.find((c) => c.id === 'taskSnapshots');
    expect(snapshots).toMatchObject({
      address: 'task-snapshots',
      messages: ['task'],
      servers: ['broker'],
      isKafka: true,
      kafka: {
        partitions: 6,
        replicas: 3,
        cleanupPolicy: ['compact', 'delete'],
        compacted: true,
        config: { 'cleanup.policy': 'compact,delete', 'retention.ms': 604800000 },
      },
    });
    expect(snapshots?.kafka).not.toHaveProperty('topic');
    expect(snapshots?.kafka?.config).not.toHaveProperty('x-owner');
  });

  it('keeps a binding topic that differs from the address, and v3 parameters as string schemas', async () => {
    const { api } = await parseFile(file);
    const commands = api?.channels.find((c) => c.id === 'taskCommands');
    expect(commands?.kafka).toMatchObject({ topic: 'task-commands', compacted: false });
    expect(commands?.parameters).toEqual([
      {
        name: 'tenant',
        schema: {
          type: 'string',
          enum: ['acme', 'globex'],
          default: 'acme',
        },
        description: 'The tenant.',
        source: expect.objectContaining({ pointer: '/channels/taskCommands/parameters/tenant' }),
      },
    ]);
  });

  it('marks a channel on a non-Kafka server as not Kafka, and sorts channels by id', async () => {
    const { api } = await parseFile(file);
    expect(api?.channels.map((c) => [c.id, c.isKafka])).toEqual([
      ['amqpOnly', false],
      ['taskCommands', true],
      ['taskReplies', true],
      ['taskSnapshots', true],
    ]);
  });

  it('locates a channel at its key in the fixture text', async () => {
    const { api } = await parseFile(file);
    const source = api?.channels.find((c) => c.id === 'taskSnapshots')?.source;
    expect(source).toEqual({
      file,
      pointer: '/channels/taskSnapshots',
      ...placeOf(file, 'taskSnapshots:'),
    });
    expect(source).toMatchObject({ line: 19, column: 3 });
  });

  it('reads v2 channels: name = address = id, servers by name, messages of both operations', async () => {
    const v2 = join(fixtures, 'kafka-v2.yaml');
    const { api } = await parseFile(v2);
    expect(api?.channels.map((c) => [c.id, c.address, c.servers, c.isKafka, c.messages])).toEqual([
      ['live', 'live', ['socket'], false, ['liveFeedMessage']],
      ['orders', 'orders', ['plain'], true, ['legacyOrder', 'orderCancelled', 'orderPlaced']],
    ]);
    expect(api?.channels[1]?.kafka).toMatchObject({
      topic: 'orders.v1',
      partitions: 12,
      cleanupPolicy: ['compact'],
      compacted: true,
    });
    expect(api?.channels[1]?.source).toMatchObject(placeOf(v2, 'orders:'));
  });
});

describe('a non-Kafka document (HDI, amqp servers)', () => {
  it('parses into the IR with every channel marked non-Kafka', async () => {
    const { api, diagnostics } = await parseFile(join(fixtures, 'hdi-reindented.yaml'));
    expect(diagnostics).toEqual([]);
    expect(api?.servers.map((s) => [s.id, s.protocol, s.isKafka])).toEqual([
      ['box-apac', 'amqp', false],
      ['box-emea', 'amqp', false],
    ]);
    expect(api?.channels.map((c) => [c.id, c.servers, c.isKafka])).toEqual([
      ['claimDetails-emea', ['box-emea'], false],
      ['claimStatus-emea', ['box-emea'], false],
    ]);
  });
});

describe('isTopicName', () => {
  it.each([
    ['task-snapshots', true],
    ['smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured', true],
    ['{topic}', true],
    ['adeo-{env}-case-study-COSTING-REQUEST-{version}', true],
    ['/', false],
    ['https://namespace.servicebus.windows.net/topic/example/claimStatus', false],
    ['/rooms/{roomId}/{resource}', false],
    ['', false],
    ['a'.repeat(250), false],
  ])('%s → %s', (address, expected) => {
    expect(isTopicName(address)).toBe(expected);
  });
});
