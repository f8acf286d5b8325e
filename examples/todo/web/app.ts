/**
 * The todo page: plain DOM on the generated client. The list is the live stream of `GET /tasks`
 * (server-sent events: the current state, then each change; the client reconnects and resumes
 * after the last event by itself). Commands go out with the client's automatic Idempotency-Key
 * and with `If-Match` set to the version the row shows, so a change made meanwhile in another
 * browser is refused (412) rather than overwritten or undone unseen; their effect arrives
 * through the stream like anyone else's. Failures are a line in the status bar, never a broken
 * page.
 */
import type { StreamEvent } from 'specgate/client';
import { createClient, type ListTasksEvent } from '../generated/client/index.ts';
import { connectionFetch, type ConnectionState } from './connection-fetch.ts';
import { createHistoryPanel } from './history-panel.ts';
import { createTaskRow, type RowActions, type Task, type TaskRow } from './task-row.ts';

const list = element('tasks');
const empty = element('empty');
const status = element('status');
const connection = element('connection');
const form = element('new-task');
const newTitle = element('new-title') as HTMLInputElement;

/** A task on the page: what the stream said last, and its row. */
interface Shown {
  task: Task;
  /** The ETag for `If-Match`, from the event that brought this version. */
  etag: string | undefined;
  readonly row: TaskRow;
}

const shown = new Map<string, Shown>();
const client = createClient({ baseUrl: window.location.origin });

const history = createHistoryPanel({
  panel: element('history-panel'),
  heading: element('history-title'),
  entries: element('history-entries'),
  closeButton: element('history-close'),
  async read(id) {
    try {
      const result = await client.getTaskHistory({ params: { id } });
      return result.ok ? result.data : `History: ${problemText(result.status, result.error)}`;
    } catch (error) {
      return `History: ${errorText(error)}`;
    }
  },
  onError: (message) => say(message, true),
});

function element(testId: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (found === null) throw new Error(`the page has no ${testId}`);
  return found;
}

function say(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

/** An `application/problem+json` answer as one line: its title, detail and status. */
function problemText(statusCode: number, problem: unknown): string {
  if (typeof problem === 'object' && problem !== null) {
    const { title, detail } = problem as { title?: unknown; detail?: unknown };
    const parts = [title, detail].filter((part) => typeof part === 'string' && part !== '');
    if (parts.length > 0) return `${parts.join(': ')} (${statusCode})`;
  }
  return `the server answered ${statusCode}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `If-Match` for the version of the task the page shows, when the stream gave its ETag. */
function ifMatch(id: string): { 'If-Match'?: string } {
  const etag = shown.get(id)?.etag;
  return etag === undefined ? {} : { 'If-Match': etag };
}

function titleOf(id: string): string {
  return `“${shown.get(id)?.task.title ?? id}”`;
}

/**
 * Sends a command and says how it went. Its effect arrives through the stream; when it failed,
 * the row goes back to the task as the stream has it (a refused checkbox click flips back).
 */
async function send(
  failure: string,
  success: string,
  id: string | undefined,
  call: () => Promise<{ ok: true } | { ok: false; status: number; error: unknown }>,
): Promise<boolean> {
  try {
    const result = await call();
    if (result.ok) {
      say(success);
      return true;
    }
    const stale =
      result.status === 412 ? ' It changed meanwhile: the list shows it as it is now.' : '';
    say(`${failure}: ${problemText(result.status, result.error)}.${stale}`, true);
  } catch (error) {
    say(`${failure}: ${errorText(error)}.`, true);
  }
  const current = id === undefined ? undefined : shown.get(id);
  current?.row.update(current.task);
  return false;
}

const actions: RowActions = {
  complete(id, done) {
    const name = titleOf(id);
    void send(`Could not update ${name}`, `${name} marked ${done ? '' : 'not '}done.`, id, () =>
      client.completeTask({ params: { id }, body: { done }, headers: ifMatch(id) }),
    );
  },
  rename(id, title) {
    const name = titleOf(id);
    return send(`Could not rename ${name}`, `Renamed ${name} to “${title}”.`, id, () =>
      client.renameTask({ params: { id }, body: { title }, headers: ifMatch(id) }),
    );
  },
  undo(id) {
    const name = titleOf(id);
    void send(`Could not undo ${name}`, `Undid the last change of ${name}.`, id, () =>
      client.undoTask({ params: { id }, headers: ifMatch(id) }),
    );
  },
  remove(id) {
    const name = titleOf(id);
    void send(`Could not delete ${name}`, `Deleted ${name}.`, id, () =>
      client.deleteTask({ params: { id }, headers: ifMatch(id) }),
    );
  },
  history(id) {
    history.open(id, shown.get(id)?.task.title ?? id);
  },
};

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const title = newTitle.value.trim();
  if (title === '') return;
  newTitle.value = '';
  void send(`Could not add “${title}”`, `Added “${title}”.`, undefined, () =>
    client.createTask({ body: { title } }),
  );
});

/**
 * design.md §6: an event id is Zilla's `["<key>","<progress>[/<etag>]"]`; when it has the record
 * etag, its second part is an ETag the gateway takes in `If-Match`.
 */
function etagOfEventId(id: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(id);
    const position: unknown = Array.isArray(parsed) ? parsed[1] : undefined;
    return typeof position === 'string' && position.includes('/') ? `"${position}"` : undefined;
  } catch {
    return undefined;
  }
}

function apply(event: StreamEvent<ListTasksEvent>): void {
  if (event.event === 'delete') {
    shown.get(event.key)?.row.item.remove();
    shown.delete(event.key);
    if (event.key === history.taskId) history.refresh();
  } else {
    const task = event.data;
    const etag = etagOfEventId(event.id);
    const current = shown.get(task.id);
    if (current === undefined) {
      const row = createTaskRow(task, actions);
      shown.set(task.id, { task, etag, row });
      place(task, row);
    } else {
      current.task = task;
      current.etag = etag;
      current.row.update(task);
    }
    if (task.id === history.taskId) history.refresh(task.title);
  }
  empty.hidden = shown.size > 0;
}

/** Oldest first; ties by id. A row never moves once placed (createdAt does not change). */
function comesBefore(a: Task, b: Task): boolean {
  return a.createdAt === b.createdAt ? a.id < b.id : a.createdAt < b.createdAt;
}

function place(task: Task, row: TaskRow): void {
  let next: Shown | undefined;
  for (const entry of shown.values()) {
    if (entry.row === row || !comesBefore(task, entry.task)) continue;
    if (next === undefined || comesBefore(entry.task, next.task)) next = entry;
  }
  list.insertBefore(row.item, next?.row.item ?? null);
}

function clear(): void {
  for (const entry of shown.values()) entry.row.item.remove();
  shown.clear();
  empty.hidden = false;
}

/** The list has its own client, whose requests drive the connection badge. */
const live = createClient({
  baseUrl: window.location.origin,
  fetch: connectionFetch(showConnection),
});

function showConnection(state: ConnectionState): void {
  connection.textContent = state === 'live' ? 'Live' : 'Reconnecting…';
  connection.dataset.state = state;
}

/** Follows the list for as long as the page is open. */
async function follow(): Promise<void> {
  for (;;) {
    try {
      for await (const event of live.streamListTasks()) apply(event);
    } catch (error) {
      // The client resumes by itself after network failures; this is a refusal (a 4xx) or an
      // unreadable event. Start over from the state after a pause.
      say(`The live list failed (${errorText(error)}); starting it again.`, true);
    }
    showConnection('lost');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // A fresh stream sends the whole state again, without the tasks deleted meanwhile.
    clear();
  }
}

void follow();
