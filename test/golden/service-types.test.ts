/**
 * The generated todo service handlers (test/golden/service/todo/), as a service author sees
 * them: their types, checked by `tsc -p .` (`expectTypeOf`, and `@ts-expect-error` beside what
 * must not compile), and the spec the runner gets.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Command, ServiceContext, TypedReply } from 'specgate/service';
import {
  taskCommandsSpec,
  type TaskCommandsEvent,
  type TaskCommandsHandlers,
  type TaskCommandsTypes,
} from './service/todo/service/handlers.ts';
import type { CreateTask2, Problem2, Task2, TaskRenamed2 } from './service/todo/types.ts';

type Context = ServiceContext<TaskCommandsTypes, number>;
const at = '2026-01-01T00:00:00Z';

describe('the generated todo service: types', () => {
  it('types each handler by its command, and its reply', () => {
    type Create = TaskCommandsHandlers<number>['CreateTask'];
    expectTypeOf<Parameters<Create>[0]>().toEqualTypeOf<Command<CreateTask2>>();
    expectTypeOf<Parameters<TaskCommandsHandlers['DeleteTask']>[0]>().toEqualTypeOf<
      Command<undefined>
    >();
    expectTypeOf<ReturnType<Create>>().toEqualTypeOf<
      TypedReply<Task2 | Problem2> | Promise<TypedReply<Task2 | Problem2>>
    >();
    expectTypeOf<Parameters<Create>[1]['state']>().returns.toEqualTypeOf<number>();
  });

  it('lets a handler write only declared topics, messages and payloads', () => {
    const check = (ctx: Context): void => {
      ctx.emit('task-events', 'TaskRenamed', { id: 'a', at, title: 'New' });
      ctx.snapshot('task-snapshots', null);
      // @ts-expect-error: not a message of task-events
      ctx.emit('task-events', 'TaskExploded', { id: 'a', at });
      // @ts-expect-error: not an event topic of the service
      ctx.emit('task-snapshots', 'Task', {});
      // @ts-expect-error: the payload lacks `title`
      ctx.emit('task-events', 'TaskRenamed', { id: 'a', at });
      // @ts-expect-error: a snapshot of an event topic
      ctx.snapshot('task-events', null);
      // @ts-expect-error: not a Task
      ctx.snapshot('task-snapshots', { id: 'a' });
    };
    expect(typeof check).toBe('function');
  });

  it('wants a handler for every command', () => {
    const reply = { status: 204 } as const;
    const complete: TaskCommandsHandlers = {
      CompleteTask: () => reply,
      CreateTask: () => reply,
      DeleteTask: () => reply,
      RenameTask: () => reply,
      UndoTask: () => reply,
    };
    // @ts-expect-error: UndoTask has no handler
    const missing: TaskCommandsHandlers = {
      CompleteTask: () => reply,
      CreateTask: () => reply,
      DeleteTask: () => reply,
      RenameTask: () => reply,
    };
    expect(Object.keys(complete)).toHaveLength(5);
    expect(Object.keys(missing)).toHaveLength(4);
  });

  it('narrows an aggregate event by its name', () => {
    const title = (event: TaskCommandsEvent): string | undefined => {
      if (event.name === 'TaskRenamed') {
        expectTypeOf(event.value).toEqualTypeOf<TaskRenamed2>();
        return event.value.title;
      }
      return undefined;
    };
    expect(
      title({
        topic: 'task-events',
        name: 'TaskRenamed',
        value: { id: 'a', at, title: 'X' },
        key: 'a',
        timestamp: 0,
      }),
    ).toBe('X');
  });
});

describe('the generated todo service: spec', () => {
  it('dispatches by command-type and writes task-events and task-snapshots', () => {
    expect(taskCommandsSpec.dispatch).toEqual({ header: 'command-type' });
    expect(taskCommandsSpec.commands.map((c) => c.name)).toEqual([
      'CompleteTask',
      'CreateTask',
      'DeleteTask',
      'RenameTask',
      'UndoTask',
    ]);
    expect(taskCommandsSpec.outputs).toEqual([
      {
        topic: 'task-events',
        kind: 'event',
        messages: ['TaskCompleted', 'TaskCreated', 'TaskDeleted', 'TaskRenamed', 'TaskUndone'],
        typeHeader: 'event-type',
      },
      { topic: 'task-snapshots', kind: 'snapshot', messages: ['Task'] },
    ]);
    expect(Object.keys(taskCommandsSpec.schemas)).toEqual([
      'CompleteTask2',
      'CreateTask2',
      'RenameTask2',
      'Title2',
    ]);
  });
});
