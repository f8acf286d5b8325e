import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { correlationHeader } from './messages.ts';
import { fixtures, parseFile, placeOf } from './testing.ts';

describe('messages', () => {
  const v3 = join(fixtures, 'kafka-v3.yaml');
  const v2 = join(fixtures, 'kafka-v2.yaml');

  it('reads a v3 command: correlation id header, key binding, traits under the message', async () => {
    const { api } = await parseFile(v3);
    const create = api?.messages.find((m) => m.id === 'createTask');
    expect(create).toEqual({
      id: 'createTask',
      // From the trait: the message writes no name or content type of its own.
      name: 'CreateTaskFromTrait',
      contentType: 'application/vnd.trait+json',
      payload: { $ref: '#/$defs/NewTask' },
      headers: { type: 'object', properties: { correlationId: { type: 'string' } } },
      correlationId: {
        location: '$message.header#/correlationId',
        header: 'correlationId',
        source: expect.objectContaining({ pointer: '/components/correlationIds/byHeader' }),
      },
      key: { type: 'string', format: 'uuid' },
      source: {
        file: v3,
        pointer: '/components/messages/createTask',
        ...placeOf(v3, 'createTask:', 90),
      },
    });
  });

  it('names an inline v3 message by its channel key; content type defaults to the document’s', async () => {
    const { api } = await parseFile(v3);
    expect(api?.messages.map((m) => [m.id, m.name, m.contentType])).toEqual([
      ['createTask', 'CreateTaskFromTrait', 'application/vnd.trait+json'],
      ['task', 'Task', 'application/json'],
      ['taskCreated', 'TaskCreated', 'application/vnd.tasks+json'],
    ]);
    const inline = api?.messages.find((m) => m.id === 'taskCreated');
    expect(inline?.source).toMatchObject({
      pointer: '/channels/taskReplies/messages/taskCreated',
      ...placeOf(v3, 'taskCreated:'),
    });
  });

  it('applies v2 message traits over the message, and names inline messages', async () => {
    const { api } = await parseFile(v2);
    expect(api?.messages.map((m) => [m.id, m.name, m.contentType])).toEqual([
      ['legacyOrder', 'legacyOrder', 'application/json'],
      ['liveFeedMessage', 'liveFeedMessage', 'application/json'],
      ['orderCancelled', 'orderCancelled', 'application/json'],
      // The trait's content type wins over the message's own in 2.x.
      ['orderPlaced', 'OrderPlaced', 'application/vnd.order+json'],
    ]);
    expect(api?.messages.find((m) => m.id === 'orderPlaced')?.key).toEqual({ type: 'string' });
  });

  it('gives a message written in another file an id from that file', async () => {
    const file = join(fixtures, 'multi-file/asyncapi.yaml');
    const { api } = await parseFile(file);
    const deleted = api?.messages.find((m) => m.name === 'taskDeleted');
    expect(deleted).toMatchObject({
      id: 'task-deleted',
      payload: { $ref: '#/$defs/task' },
      source: { file: join(fixtures, 'multi-file/messages/task-deleted.yaml'), line: 1 },
    });
  });
});

describe('correlationHeader', () => {
  it.each([
    ['$message.header#/correlationId', 'correlationId'],
    ['$message.header#/REQUEST_ID', 'REQUEST_ID'],
    ['$message.header#/zilla:correlation-id', 'zilla:correlation-id'],
    ['$message.header#/a~1b', 'a/b'],
    ['$message.header#/nested/name', undefined],
    ['$message.payload#/id', undefined],
    ['$message.header', undefined],
  ])('%s → %s', (location, header) => {
    expect(correlationHeader(location)).toBe(header);
  });
});
