/**
 * The generated todo client (test/golden/client/todo/), as a user sees it: its types, checked
 * by `tsc -p .` (`expectTypeOf`, and `@ts-expect-error` beside calls that must not compile),
 * and its calls, run against the real client runtime with a stand-in `fetch`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ApiResult, CommandOptions, EventStream, StreamEvent } from 'specgate/client';
import {
  createClient,
  type CreateTaskRequest,
  type ListTasksEvent,
  type TodoClient,
} from './client/todo/client/index.ts';
import type { CreateTask, Problem, Task, Task2, TaskHistoryEntry } from './client/todo/types.ts';

describe('the generated todo client: types', () => {
  it('types each request from its OpenAPI operation', () => {
    expectTypeOf<TodoClient['getTask']>()
      .parameter(0)
      .toEqualTypeOf<{ readonly params: { readonly id: string } }>();
    expectTypeOf<TodoClient['createTask']>().parameter(0).toEqualTypeOf<CreateTaskRequest>();
    expectTypeOf<CreateTaskRequest>().toEqualTypeOf<{ readonly body: CreateTask }>();
    expectTypeOf<TodoClient['renameTask']>().parameter(0).toEqualTypeOf<{
      readonly body: { readonly title: string };
      readonly headers?: { readonly 'If-Match'?: string };
      readonly params: { readonly id: string };
    }>();
    expectTypeOf<TodoClient['createTask']>()
      .parameter(1)
      .toEqualTypeOf<CommandOptions | undefined>();
    // listTasks takes no parameters the runtime does not set itself: only its options.
    expectTypeOf<TodoClient['listTasks']>()
      .parameters.toHaveProperty('length')
      .toEqualTypeOf<0 | 1>();
  });

  it('types answers as a result discriminated by `ok`', () => {
    expectTypeOf<ReturnType<TodoClient['getTask']>>().resolves.toEqualTypeOf<
      ApiResult<Task, Problem>
    >();
    expectTypeOf<ReturnType<TodoClient['getTaskHistory']>>().resolves.toEqualTypeOf<
      ApiResult<readonly TaskHistoryEntry[], Problem>
    >();
    async function narrows(client: TodoClient): Promise<void> {
      const result = await client.createTask({ body: { title: 'Write tests' } });
      if (result.ok) {
        // 201 with the task, or 202 (accepted, no body yet)
        expectTypeOf(result.data).toEqualTypeOf<Task | undefined>();
      } else {
        expectTypeOf(result.error).toEqualTypeOf<Problem>();
      }
      const deleted = await client.deleteTask({ params: { id: 'a' } });
      if (deleted.ok) expectTypeOf(deleted.data).toEqualTypeOf<undefined>();
    }
    expectTypeOf(narrows).toBeFunction();
  });

  it('types watches and streams', () => {
    expectTypeOf<ReturnType<TodoClient['watchGetTask']>>().toEqualTypeOf<EventStream<Task>>();
    expectTypeOf<ReturnType<TodoClient['watchListTasks']>>().toEqualTypeOf<
      EventStream<readonly Task[]>
    >();
    expectTypeOf<ReturnType<TodoClient['streamListTasks']>>().toEqualTypeOf<
      EventStream<StreamEvent<ListTasksEvent>>
    >();
    type Event = StreamEvent<ListTasksEvent>;
    // One message type on task-snapshots: its events are unnamed (`message`), deletes are `delete`.
    expectTypeOf<Event['event']>().toEqualTypeOf<'message' | 'delete'>();
    expectTypeOf<Extract<Event, { event: 'message' }>['data']>().toEqualTypeOf<Task2>();
    expectTypeOf<Extract<Event, { event: 'delete' }>>().toEqualTypeOf<{
      readonly event: 'delete';
      readonly id: string;
      readonly key: string;
    }>();
  });

  it('refuses calls that break the spec', () => {
    function mustNotCompile(client: TodoClient): void {
      // @ts-expect-error the `id` path parameter is required
      void client.getTask({ params: {} });
      // @ts-expect-error getTask has path parameters, so it needs a request
      void client.getTask();
      // @ts-expect-error `name` is not a field of CreateTask
      void client.createTask({ body: { name: 'Write tests' } });
      // @ts-expect-error createTask's body is required
      void client.createTask({});
      // @ts-expect-error `done` is a boolean
      void client.completeTask({ params: { id: 'a' }, body: { done: 'yes' } });
    }
    expectTypeOf(mustNotCompile).toBeFunction();
  });
});

describe('the generated todo client: calls', () => {
  const task: Task = {
    id: 'a',
    title: 'Write tests',
    done: false,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    version: 1,
  };

  function recordingClient(status: number, body: unknown) {
    const requests: Request[] = [];
    const client = createClient({
      baseUrl: 'http://todo.test/',
      retry: { retries: 0 },
      fetch: async (input, init) => {
        requests.push(new Request(input, init));
        return new Response(body === undefined ? null : JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json', etag: '"p/1"' },
        });
      },
    });
    return { client, requests };
  }

  it('has one method per operation, plus watch and stream methods', () => {
    const { client } = recordingClient(200, task);
    expect(Object.keys(client)).toEqual([
      'listTasks',
      'watchListTasks',
      'streamListTasks',
      'createTask',
      'deleteTask',
      'getTask',
      'watchGetTask',
      'renameTask',
      'completeTask',
      'getTaskHistory',
      'undoTask',
    ]);
  });

  it('sends a command with its path, headers and JSON body', async () => {
    const { client, requests } = recordingClient(200, task);
    const result = await client.renameTask(
      { params: { id: 'a/b' }, headers: { 'If-Match': 'p/1' }, body: { title: 'Renamed' } },
      { idempotencyKey: 'key-1' },
    );
    expect(result.ok && result.data).toEqual(task);
    const [request] = requests;
    expect(request?.method).toBe('PUT');
    expect(request?.url).toBe('http://todo.test/tasks/a%2Fb');
    expect(request?.headers.get('if-match')).toBe('p/1');
    expect(request?.headers.get('idempotency-key')).toBe('key-1');
    expect(await request?.json()).toEqual({ title: 'Renamed' });
  });

  it('answers a query, and a problem as a value', async () => {
    const found = recordingClient(200, task);
    const result = await found.client.getTask({ params: { id: 'a' } });
    expect(result).toMatchObject({ ok: true, status: 200, data: task });
    expect(found.requests[0]?.method).toBe('GET');

    const problem = { title: 'Not Found', status: 404 };
    const missing = recordingClient(404, problem);
    const absent = await missing.client.getTask({ params: { id: 'b' } });
    expect(absent).toMatchObject({ ok: false, status: 404, error: problem });
  });
});
