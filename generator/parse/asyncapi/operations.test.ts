import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, parseFile, placeOf } from './testing.ts';

describe('operations', () => {
  const v3 = join(fixtures, 'kafka-v3.yaml');
  const v2 = join(fixtures, 'kafka-v2.yaml');

  it('reads a v3 reply: channel, dynamic address and the reply channel’s messages', async () => {
    const { api } = await parseFile(v3);
    const create = api?.operations.find((o) => o.id === 'createTask');
    expect(create).toMatchObject({
      action: 'send',
      channel: 'taskCommands',
      // Names no message: all of its channel's.
      messages: ['createTask'],
      reply: {
        channel: 'taskReplies',
        addressLocation: '$message.header#/replyTo',
        messages: ['taskCreated'],
        source: { pointer: '/operations/createTask/reply', ...placeOf(v3, 'reply:') },
      },
    });
  });

  it('applies v3 operation traits under the operation: it wins, bindings merge', async () => {
    const { api } = await parseFile(v3);
    const create = api?.operations.find((o) => o.id === 'createTask');
    expect(create?.summary).toBe('Create a task.');
    expect(create?.kafka).toEqual({
      groupId: { type: 'string', const: 'task-service' },
      clientId: { type: 'string', const: 'task-gateway' },
    });
  });

  it('locates an operation at its key in the fixture text', async () => {
    const { api } = await parseFile(v3);
    const source = api?.operations.find((o) => o.id === 'readSnapshots')?.source;
    expect(source).toEqual({
      file: v3,
      pointer: '/operations/readSnapshots',
      ...placeOf(v3, 'readSnapshots:'),
    });
  });

  it('maps v2 publish to receive and subscribe to send (the application’s view)', async () => {
    const { api } = await parseFile(v2);
    expect(api?.operations.map((o) => [o.id, o.action, o.channel, o.messages])).toEqual([
      ['liveFeed', 'receive', 'live', ['liveFeedMessage']],
      // No operationId: a stable id derived from the channel and the verb.
      ['orders.publish', 'receive', 'orders', ['legacyOrder']],
      ['placeOrder', 'send', 'orders', ['orderCancelled', 'orderPlaced']],
    ]);
  });

  it('applies v2 operation traits over the operation: the last trait wins', async () => {
    const { api } = await parseFile(v2);
    const place = api?.operations.find((o) => o.id === 'placeOrder');
    expect(place?.summary).toBe('From the second trait.');
    expect(place?.kafka).toEqual({
      groupId: { type: 'string', enum: ['first'] },
      clientId: { type: 'string', enum: ['second'] },
    });
    expect(place?.source).toMatchObject({
      pointer: '/channels/orders/subscribe',
      ...placeOf(v2, 'subscribe:'),
    });
  });
});
