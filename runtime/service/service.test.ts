// The runner against the real broker: one service, a mix of commands, and what it committed.
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaBrokers } from '../../test/kafka/brokers.ts';
import { readTopic, type TopicRecord } from '../../test/kafka/read-topic.ts';
import { parseTopicProgress, progressHeader } from '../gateway/progress.ts';
import { partitionForKey } from '../kafka/partitioner.ts';
import { startService, type Service, type ServiceLogEntry, type ServiceSpec } from './index.ts';
import {
  correlationHeader,
  createTestTopics,
  header,
  json,
  produceCommands,
  replyToHeader,
  waitForRecords,
  type TestCommand,
  type TestTopics,
} from './test-support.ts';

interface Running {
  readonly topics: TestTopics;
  readonly service: Service;
  readonly logs: ServiceLogEntry[];
}

let shared: Promise<Running> | undefined;

/** One service for the file, started by the first test (a failing beforeAll would skip them). */
function running(): Promise<Running> {
  shared ??= (async () => {
    const topics = await createTestTopics('svc');
    const spec: ServiceSpec = {
      title: 'Task Service',
      commandTopic: topics.commands,
      dispatch: { header: 'command-type' },
      commands: [
        { name: 'CreateTask', payload: { $ref: 'specgate#/$defs/NewTask' } },
        { name: 'Explode' },
        { name: 'Rogue' },
        { name: 'RogueMessage' },
        { name: 'Unhandled' },
      ],
      outputs: [
        {
          topic: topics.events,
          kind: 'event',
          messages: ['TaskCreated'],
          typeHeader: 'event-type',
        },
        { topic: topics.snapshots, kind: 'snapshot', messages: ['Task'] },
      ],
      schemas: {
        NewTask: {
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string' } },
          additionalProperties: false,
        },
      },
      correlationHeader,
      replyToHeader,
    };
    const logs: ServiceLogEntry[] = [];
    const service = startService({
      spec,
      brokers: kafkaBrokers(),
      groupId: topics.groupId,
      sessionTimeoutMs: 6000,
      log: (entry) => logs.push(entry),
      handlers: {
        CreateTask: (command, ctx) => {
          const { title } = command.body as { title: string };
          ctx.emit(topics.events, 'TaskCreated', { id: command.key, title });
          ctx.snapshot(topics.snapshots, { id: command.key, title }, { etag: 'v1' });
          return {
            status: 201,
            headers: { Location: `/tasks/${command.key}` },
            body: { id: command.key, title },
          };
        },
        Explode: (command, ctx) => {
          ctx.emit(topics.events, 'TaskCreated', { id: command.key, exploded: true });
          throw new Error('boom');
        },
        Rogue: (command, ctx) => {
          ctx.emit(`${topics.events}-undeclared`, 'TaskCreated', { id: command.key });
          return { status: 204 };
        },
        RogueMessage: (command, ctx) => {
          ctx.emit(topics.events, 'TaskRenamed', { id: command.key });
          return { status: 204 };
        },
      },
    });
    await service.ready;
    return { topics, service, logs };
  })();
  return shared;
}

afterAll(async () => {
  const run = await shared?.catch(() => undefined);
  await run?.service.close();
});

/** Sends commands that ask for replies, and waits for all of their replies (read_committed). */
async function exchange(
  commands: readonly (TestCommand & { readonly id: string })[],
): Promise<Map<string, TopicRecord>> {
  const { topics } = await running();
  await produceCommands(
    topics.commands,
    commands.map(({ id, headers, ...command }) => ({
      ...command,
      headers: { [correlationHeader]: id, [replyToHeader]: topics.replies, ...headers },
    })),
  );
  const ids = new Set(commands.map((command) => command.id));
  const records = await waitForRecords(topics.replies, (records) => {
    const seen = new Set(records.map((record) => header(record, correlationHeader)));
    return [...ids].every((id) => seen.has(id));
  });
  return new Map(
    records
      .filter((record) => ids.has(header(record, correlationHeader) ?? ''))
      .map((record) => [header(record, correlationHeader) ?? '', record]),
  );
}

function replyOf(replies: ReadonlyMap<string, TopicRecord>, id: string): TopicRecord {
  const reply = replies.get(id);
  if (reply === undefined) throw new Error(`no reply ${id}`);
  return reply;
}

describe('startService against the broker', () => {
  it('writes events, a snapshot and a reply with the progress of what it wrote', async () => {
    const { topics, service } = await running();
    const replies = await exchange([
      {
        id: 'happy-1',
        key: 'task-1',
        value: { title: 'Write tests' },
        headers: {
          'command-type': 'CreateTask',
          'specgate-identity': 'alice',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      },
    ]);
    const reply = replyOf(replies, 'happy-1');
    expect(header(reply, ':status')).toBe('201');
    expect(header(reply, 'content-type')).toBe('application/json');
    expect(header(reply, 'location')).toBe('/tasks/task-1');
    expect(json(reply)).toEqual({ id: 'task-1', title: 'Write tests' });

    const events = await readTopic(topics.events);
    const event = events.find((record) => record.key?.toString() === 'task-1');
    expect(event).toBeDefined();
    if (event === undefined) return;
    expect(json(event)).toEqual({ id: 'task-1', title: 'Write tests' });
    expect(event.partition).toBe(partitionForKey(Buffer.from('task-1'), 3));
    expect(header(event, 'event-type')).toBe('TaskCreated');
    expect(header(event, 'specgate-identity')).toBe('alice');
    expect(header(event, 'traceparent')).toMatch(/^00-0af7/);

    const snapshots = await readTopic(topics.snapshots);
    const snapshot = snapshots.find((record) => record.key?.toString() === 'task-1');
    expect(snapshot).toBeDefined();
    if (snapshot === undefined) return;
    expect(header(snapshot, 'etag')).toBe('v1');
    expect(header(snapshot, 'specgate-identity')).toBe('alice');

    // The progress names the offsets just past the event and the snapshot.
    const progress = parseTopicProgress(header(reply, progressHeader) ?? '');
    expect(progress).toEqual(
      new Map([
        [topics.events, { [event.partition]: String(BigInt(event.offset) + 1n) }],
        [topics.snapshots, { [snapshot.partition]: String(BigInt(snapshot.offset) + 1n) }],
      ]),
    );
    expect(service.stats().byStatus[201]).toBeGreaterThanOrEqual(1);
  });

  it('answers 400 to commands it cannot read and goes on with the next', async () => {
    const { service } = await running();
    const type = { 'command-type': 'CreateTask' };
    const replies = await exchange([
      { id: 'bad-json', key: 'task-2', value: '{not json', headers: type },
      { id: 'bad-schema', key: 'task-2', value: { title: 42 }, headers: type },
      { id: 'bad-name', key: 'task-2', value: {}, headers: { 'command-type': 'Nope' } },
      { id: 'no-name', key: 'task-2', value: {} },
      { id: 'after', key: 'task-2', value: { title: 'still here' }, headers: type },
    ]);
    for (const [id, detail] of [
      ['bad-json', /not JSON/],
      ['bad-schema', /\/body\/title must be string/],
      ['bad-name', /"Nope" is not a command/],
      ['no-name', /no "command-type" header/],
    ] as const) {
      const reply = replyOf(replies, id);
      expect(header(reply, ':status'), id).toBe('400');
      expect(header(reply, 'content-type'), id).toBe('application/problem+json');
      expect(json(reply), id).toEqual({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: expect.stringMatching(detail),
      });
    }
    expect(header(replyOf(replies, 'after'), ':status')).toBe('201');
    expect(service.stats().byStatus[400]).toBeGreaterThanOrEqual(4);
  });

  it('answers 500 when a handler throws, and what it emitted is not committed', async () => {
    const { topics, logs } = await running();
    const replies = await exchange([
      { id: 'explode', key: 'task-3', value: {}, headers: { 'command-type': 'Explode' } },
      {
        id: 'after-explode',
        key: 'task-3',
        value: { title: 'ok' },
        headers: { 'command-type': 'CreateTask' },
      },
    ]);
    const reply = replyOf(replies, 'explode');
    expect(header(reply, ':status')).toBe('500');
    expect(json(reply)).toMatchObject({ title: 'Internal Server Error', status: 500 });
    expect(header(reply, progressHeader)).toBeUndefined();
    expect(header(replyOf(replies, 'after-explode'), ':status')).toBe('201');
    // The next command's event is committed; the failed one's is nowhere.
    const events = (await readTopic(topics.events, { isolation: 'read_uncommitted' })).map(json);
    expect(events).toContainEqual({ id: 'task-3', title: 'ok' });
    expect(events).not.toContainEqual({ id: 'task-3', exploded: true });
    expect(
      logs.some((entry) => entry.level === 'error' && /Explode.*boom/.test(entry.message)),
    ).toBe(true);
  });

  it('answers 500 when a handler writes to an undeclared topic or message', async () => {
    const replies = await exchange([
      { id: 'rogue', key: 'task-4', value: {}, headers: { 'command-type': 'Rogue' } },
      { id: 'rogue-msg', key: 'task-4', value: {}, headers: { 'command-type': 'RogueMessage' } },
    ]);
    expect(header(replyOf(replies, 'rogue'), ':status')).toBe('500');
    expect(header(replyOf(replies, 'rogue-msg'), ':status')).toBe('500');
  });

  it('answers 501 to a declared command without a handler', async () => {
    const replies = await exchange([
      { id: 'unhandled', key: 'task-5', value: {}, headers: { 'command-type': 'Unhandled' } },
    ]);
    const reply = replyOf(replies, 'unhandled');
    expect(header(reply, ':status')).toBe('501');
    expect(json(reply)).toMatchObject({ title: 'Not Implemented', status: 501 });
  });
});
