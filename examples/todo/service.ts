/**
 * The task service of the todo example, built on the handlers specgate generates from
 * specs/todo/asyncapi.yaml (generated/service/handlers.ts). Event sourced: a task's state is
 * its events on `task-events` folded in order (`taskAggregate`); each command checks the state,
 * emits one event, writes the task's snapshot to `task-snapshots` and answers, all in the
 * command's Kafka transaction.
 *
 * Undo: every change keeps the task as it was before it, so `UndoTask` can take back the last
 * change not yet taken back (a rename, a completion, the deletion, even the creation); its
 * `TaskUndone` event makes the fold drop that change again on every replay.
 */
import {
  preconditionFailed,
  type Command,
  type Service,
  type ServiceOptions,
  type TypedReply,
} from 'specgate/service';
import {
  startTaskCommandsService,
  type TaskCommandsEvent,
  type TaskCommandsHandlers,
  type TaskCommandsTypes,
} from './generated/service/handlers.ts';

/** How many changes of one task can be undone. */
export const undoDepth = 50;

type Task = TaskCommandsTypes['snapshots']['task-snapshots'];
type Change = 'TaskCreated' | 'TaskRenamed' | 'TaskCompleted' | 'TaskDeleted';

/** One task's state, folded from its events. */
export interface TaskState {
  /** The task now; null before its creation and after its deletion. */
  readonly task: Task | null;
  /** Every change so far, undone ones included: the task's version. */
  readonly version: number;
  /** The changes that can still be undone, latest last, each with the task before it. */
  readonly undoable: readonly { readonly change: Change; readonly before: Task | null }[];
}

const initial: TaskState = { task: null, version: 0, undoable: [] };

/** The fold of a task's events (`apply` must not mutate: a failed command's state is dropped). */
export function applyTaskEvent(state: TaskState, event: TaskCommandsEvent): TaskState {
  const version = state.version + 1;
  const { task } = state;
  switch (event.name) {
    case 'TaskCreated': {
      const { id, at, title } = event.value;
      const created = { id, title, done: false, createdAt: at, updatedAt: at, version };
      return changed(state, 'TaskCreated', created);
    }
    case 'TaskRenamed':
      if (task === null) return state;
      return changed(state, 'TaskRenamed', {
        ...task,
        title: event.value.title,
        updatedAt: event.value.at,
        version,
      });
    case 'TaskCompleted':
      if (task === null) return state;
      return changed(state, 'TaskCompleted', {
        ...task,
        done: event.value.done,
        updatedAt: event.value.at,
        version,
      });
    case 'TaskDeleted':
      return changed(state, 'TaskDeleted', null);
    case 'TaskUndone': {
      const last = state.undoable.at(-1);
      if (last === undefined) return state;
      const restored = last.before && { ...last.before, updatedAt: event.value.at, version };
      return { task: restored, version, undoable: state.undoable.slice(0, -1) };
    }
  }
}

function changed(state: TaskState, change: Change, task: Task | null): TaskState {
  const undoable = [...state.undoable, { change, before: state.task }].slice(-undoDepth);
  return { task, version: state.version + 1, undoable };
}

export const taskAggregate = {
  topic: 'task-events',
  initial,
  apply: applyTaskEvent,
} as const;

type Reply = TypedReply<TaskCommandsTypes['reply']>;
type Context = Parameters<TaskCommandsHandlers<TaskState>['RenameTask']>[1];

/** The record etag of a task version, as `If-Match` carries it back. */
export function etagOf(version: number): string {
  return `v${version}`;
}

function problem(status: number, title: string, detail: string): Reply {
  const body: TaskCommandsTypes['reply'] = { type: 'about:blank', title, status, detail };
  return { status, headers: { 'content-type': 'application/problem+json' }, body };
}

/** The current task, or the reply that stops the command: 404, or 412 on a stale If-Match. */
function existing(command: Command<unknown>, state: TaskState): Task | Reply {
  if (state.task === null) return problem(404, 'Not Found', `no task ${command.key}`);
  return preconditionFailed(command.headers['if-match'], etagOf(state.task.version)) ?? state.task;
}

function isTask(value: Task | Reply): value is Task {
  return 'id' in value;
}

/** Writes the task's snapshot (a tombstone when it is gone) and answers with it. */
function settle(ctx: Context, state: TaskState, status: number): Reply {
  const { task } = state;
  if (task === null) {
    ctx.snapshot('task-snapshots', null);
    return { status: 204 };
  }
  const etag = etagOf(task.version);
  ctx.snapshot('task-snapshots', task, { etag });
  const headers: Record<string, string> = { etag };
  if (status === 201) headers.location = `/tasks/${encodeURIComponent(task.id)}`;
  return { status, headers, body: task };
}

export const taskHandlers: TaskCommandsHandlers<TaskState> = {
  CreateTask(command, ctx) {
    if (ctx.state().task !== null) {
      return problem(409, 'Conflict', `task ${command.key} exists already`);
    }
    const at = new Date().toISOString();
    ctx.emit('task-events', 'TaskCreated', { id: command.key, at, title: command.body.title });
    return settle(ctx, ctx.state(), 201);
  },
  RenameTask(command, ctx) {
    const task = existing(command, ctx.state());
    if (!isTask(task)) return task;
    const at = new Date().toISOString();
    ctx.emit('task-events', 'TaskRenamed', { id: task.id, at, title: command.body.title });
    return settle(ctx, ctx.state(), 200);
  },
  CompleteTask(command, ctx) {
    const task = existing(command, ctx.state());
    if (!isTask(task)) return task;
    const at = new Date().toISOString();
    ctx.emit('task-events', 'TaskCompleted', { id: task.id, at, done: command.body.done });
    return settle(ctx, ctx.state(), 200);
  },
  DeleteTask(command, ctx) {
    const task = existing(command, ctx.state());
    if (!isTask(task)) return task;
    ctx.emit('task-events', 'TaskDeleted', { id: task.id, at: new Date().toISOString() });
    return settle(ctx, ctx.state(), 204);
  },
  UndoTask(command, ctx) {
    const state = ctx.state();
    if (state.version === 0) return problem(404, 'Not Found', `no task ${command.key}`);
    const current = state.task === null ? undefined : etagOf(state.task.version);
    const failed = preconditionFailed(command.headers['if-match'], current);
    if (failed !== undefined) return failed;
    const last = state.undoable.at(-1);
    if (last === undefined) {
      return problem(409, 'Conflict', `task ${command.key} has no change left to undo`);
    }
    const at = new Date().toISOString();
    ctx.emit('task-events', 'TaskUndone', { id: command.key, at, undid: last.change });
    return settle(ctx, ctx.state(), 200);
  },
};

export interface TodoServiceOptions {
  readonly brokers: readonly string[];
  /** Distinct per running service instance, stable across its restarts (default `0`). */
  readonly instanceId?: string;
  readonly sessionTimeoutMs?: number;
  /** TLS and SASL (runtime/kafka/security.ts); credentials from `KAFKA_SASL_*` by default. */
  readonly kafka?: ServiceOptions['kafka'];
  readonly kafkaEnv?: ServiceOptions['kafkaEnv'];
}

/** Starts the task service; `ready` resolves once it has read the events and joined its group. */
export function startTodoService(options: TodoServiceOptions): Service {
  return startTaskCommandsService({
    handlers: taskHandlers,
    aggregate: taskAggregate,
    brokers: options.brokers,
    groupId: 'todo-service',
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
    ...(options.sessionTimeoutMs === undefined
      ? {}
      : { sessionTimeoutMs: options.sessionTimeoutMs }),
    ...(options.kafka === undefined ? {} : { kafka: options.kafka }),
    ...(options.kafkaEnv === undefined ? {} : { kafkaEnv: options.kafkaEnv }),
  });
}
