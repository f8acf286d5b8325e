// The aggregate state: its layers alone, then a service folding its events against the real
// broker, across a restart and with an event another writer committed.
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, kafkaClient } from '../../test/kafka/brokers.ts';
import type { KafkaRecord } from '../kafka/types.ts';
import { AggregateState, StateLayer } from './aggregate-state.ts';
import { startService, type AggregateEvent, type Service, type ServiceSpec } from './index.ts';
import {
  correlationHeader,
  createTestTopics,
  header,
  json,
  produceCommands,
  replyToHeader,
  waitForRecords,
} from './test-support.ts';

const sum = {
  topic: 'events',
  initial: 0,
  apply: (state: unknown, event: AggregateEvent) =>
    (state as number) + (event.value as { n: number }).n,
};

function record(partition: number, offset: string, key: string, n: number): KafkaRecord {
  return {
    topic: 'events',
    partition,
    offset,
    key: Buffer.from(key),
    value: Buffer.from(JSON.stringify({ n })),
    headers: { 'event-type': 'Added' },
    headerEntries: [['event-type', 'Added']],
    timestamp: 0,
  };
}

function added(key: string, n: number): AggregateEvent {
  return { topic: 'events', name: 'Added', value: { n }, key, timestamp: 0 };
}

describe('AggregateState', () => {
  it('folds what the reader delivers, per key, over initial', () => {
    const state = new AggregateState(sum, 'event-type', () => undefined);
    expect(state.current('a')).toBe(0);
    state.onRecords([record(0, '0', 'a', 2), record(0, '1', 'b', 5), record(0, '2', 'a', 3)]);
    expect(state.current('a')).toBe(5);
    expect(state.current('b')).toBe(5);
  });

  it('folds an own event once, whether the commit or the reader sees it first', () => {
    const state = new AggregateState(sum, 'event-type', () => undefined);
    const first = [{ partition: 0, offset: '7', event: added('a', 1) }];
    state.written(first);
    state.committed(first);
    state.onRecords([record(0, '7', 'a', 1)]);
    expect(state.current('a')).toBe(1);

    const second = [{ partition: 0, offset: '9', event: added('a', 10) }];
    state.written(second);
    state.onRecords([record(0, '9', 'a', 10)]);
    state.committed(second);
    expect(state.current('a')).toBe(11);
  });

  it('drops an aborted run, and a failed handler, from what later commands see', () => {
    const state = new AggregateState(sum, 'event-type', () => undefined);
    const run = new StateLayer(state, state);
    const ok = run.child();
    ok.emitted('events', 'a', 'Added', { n: 4 });
    run.absorb(ok);
    const failed = run.child();
    failed.emitted('events', 'a', 'Added', { n: 100 });
    expect(failed.current('a')).toBe(104);
    // The failed handler's layer is not absorbed.
    expect(run.current('a')).toBe(4);
    expect(state.current('a')).toBe(0);
    state.aborted([{ partition: 0, offset: '1', event: added('a', 4) }]);
    expect(state.current('a')).toBe(0);
  });

  it('ignores events of other topics and skips values that are not JSON', () => {
    const skipped: string[] = [];
    const state = new AggregateState(sum, 'event-type', (_, reason) => skipped.push(reason));
    const layer = new StateLayer(state, state);
    layer.emitted('other', 'a', 'Added', { n: 1 });
    expect(layer.current('a')).toBe(0);
    state.onRecords([{ ...record(0, '0', 'a', 1), value: Buffer.from('{') }]);
    expect(skipped).toEqual(['the value is not JSON']);
  });
});

describe('a service with an aggregate (real broker)', () => {
  const services: Service[] = [];
  afterAll(async () => {
    await Promise.all(services.map((service) => service.close()));
  });

  it('sees earlier commands of its transaction, survives a restart, and folds foreign events', async () => {
    const topics = await createTestTopics('agg');
    const spec: ServiceSpec = {
      title: 'Counter',
      commandTopic: topics.commands,
      dispatch: { header: 'command-type' },
      commands: [{ name: 'Add' }, { name: 'Fail' }],
      outputs: [{ topic: topics.events, kind: 'event', messages: ['Added'], typeHeader: 'et' }],
      schemas: {},
      correlationHeader,
      replyToHeader,
    };
    const start = (): Service => {
      const service = startService({
        spec,
        brokers: kafkaBrokers(),
        groupId: topics.groupId,
        sessionTimeoutMs: 6000,
        log: () => undefined,
        aggregate: { ...sum, topic: topics.events },
        handlers: {
          Add: (command, ctx) => {
            const { n } = command.body as { n: number };
            ctx.emit(topics.events, 'Added', { n });
            return { status: 200, body: { total: ctx.state() } };
          },
          Fail: (_command, ctx) => {
            ctx.emit(topics.events, 'Added', { n: 1000 });
            throw new Error(`${String(ctx.state())} is not allowed`);
          },
        },
      });
      services.push(service);
      return service;
    };
    const send = async (ids: readonly string[], commands: readonly (string | number)[]) => {
      await produceCommands(
        topics.commands,
        commands.map((command, index) => ({
          key: 'counter',
          value: typeof command === 'number' ? { n: command } : undefined,
          headers: {
            'command-type': typeof command === 'number' ? 'Add' : command,
            [correlationHeader]: ids[index] ?? '',
            [replyToHeader]: topics.replies,
          },
        })),
      );
    };
    const totals = async (ids: readonly string[]): Promise<unknown[]> => {
      const replies = await waitForRecords(topics.replies, (records) =>
        ids.every((id) => records.some((r) => header(r, correlationHeader) === id)),
      );
      return ids.map((id) => {
        const reply = replies.find((r) => header(r, correlationHeader) === id);
        return reply === undefined ? undefined : (json(reply) as { total?: number }).total;
      });
    };

    const first = start();
    await first.ready;
    // One produce request: the commands arrive together and share a transaction.
    await send(['a', 'b', 'c', 'd'], [1, 2, 'Fail', 3]);
    expect(await totals(['a', 'b', 'c', 'd'])).toEqual([1, 3, undefined, 6]);
    await first.close();

    // Another writer's event, committed while no service runs.
    const producer = kafkaClient('agg-foreign').producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: topics.events,
      acks: -1,
      messages: [{ key: 'counter', value: JSON.stringify({ n: 100 }), headers: { et: 'Added' } }],
    });
    await producer.disconnect();

    const second = start();
    await second.ready;
    await send(['e'], [4]);
    expect(await totals(['e'])).toEqual([110]);
  });
});
