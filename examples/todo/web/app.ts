/**
 * The todo page: plain DOM on the generated client. The list is the live stream of
 * `GET /tasks` (server-sent events: the state, then each change, resumed after a reconnect by
 * the client); commands go out with the client's automatic Idempotency-Key, and their effect
 * arrives through the stream like anyone else's. The history panel shows the selected task's
 * events and is read again whenever that task changes.
 */
import { ClientError } from 'specgate/client';
import { createClient } from '../generated/client/index.ts';
import type { Task2, TaskHistoryEntry } from '../generated/types.ts';

type Task = Task2;

const client = createClient({ baseUrl: window.location.origin });
const tasks = new Map<string, Task>();
let historyOf: string | undefined;

const list = element('tasks');
const empty = element('empty');
const status = element('status');
const form = element('new-task');
const newTitle = element('new-title');
const historyPanel = element('history-panel');
const historyEntries = element('history-entries');

function element(testId: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (found === null) throw new Error(`the page has no ${testId}`);
  return found;
}

function say(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

/** A failed call's problem, as one line. */
function problemText(status: number, error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { title, detail } = error as { title?: unknown; detail?: unknown };
    const parts = [title, detail].filter((part) => typeof part === 'string');
    if (parts.length > 0) return `${status}: ${parts.join(' — ')}`;
  }
  return `the request failed with ${status}`;
}

/** Runs a command and reports how it went; the list updates from the stream. */
async function run(
  what: string,
  call: () => Promise<{ ok: true } | { ok: false; status: number; error: unknown }>,
): Promise<void> {
  try {
    const result = await call();
    if (result.ok) say(`${what}: done`);
    else say(`${what}: ${problemText(result.status, result.error)}`, true);
  } catch (error) {
    say(`${what}: ${error instanceof Error ? error.message : String(error)}`, true);
  }
}

function render(): void {
  const sorted = [...tasks.values()].sort((a, b) =>
    a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt),
  );
  list.replaceChildren(...sorted.map(row));
  empty.hidden = sorted.length > 0;
}

function button(testId: string, label: string, onClick: () => void): HTMLButtonElement {
  const made = document.createElement('button');
  made.type = 'button';
  made.dataset.testid = testId;
  made.textContent = label;
  made.addEventListener('click', onClick);
  return made;
}

function row(task: Task): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.testid = 'task';
  item.dataset.taskId = task.id;
  item.classList.toggle('done', task.done);

  const done = document.createElement('input');
  done.type = 'checkbox';
  done.dataset.testid = 'done';
  done.checked = task.done;
  done.setAttribute('aria-label', `${task.title}: done`);
  done.addEventListener('change', () => {
    void run('complete', () =>
      client.completeTask({ params: { id: task.id }, body: { done: done.checked } }),
    );
  });

  const title = document.createElement('span');
  title.className = 'title';
  title.dataset.testid = 'title';
  title.textContent = task.title;

  const renameInput = document.createElement('input');
  renameInput.type = 'text';
  renameInput.dataset.testid = 'rename-input';
  renameInput.placeholder = 'New title';
  renameInput.setAttribute('aria-label', `Rename ${task.title}`);
  const rename = button('rename', 'Rename', () => {
    const next = renameInput.value.trim();
    if (next === '') return;
    void run('rename', () => client.renameTask({ params: { id: task.id }, body: { title: next } }));
  });

  item.append(
    done,
    title,
    renameInput,
    rename,
    button('undo', 'Undo', () => {
      void run('undo', () => client.undoTask({ params: { id: task.id } }));
    }),
    button('history', 'History', () => {
      historyOf = task.id;
      void showHistory();
    }),
    button('delete', 'Delete', () => {
      void run('delete', () => client.deleteTask({ params: { id: task.id } }));
    }),
  );
  return item;
}

function describe(entry: TaskHistoryEntry): string {
  switch (entry.event) {
    case 'TaskCreated':
      return `Created “${entry.data.title}”`;
    case 'TaskRenamed':
      return `Renamed to “${entry.data.title}”`;
    case 'TaskCompleted':
      return entry.data.done ? 'Marked done' : 'Marked not done';
    case 'TaskDeleted':
      return 'Deleted';
    case 'TaskUndone':
      return `Undid ${entry.data.undid.replace(/^Task/, '').toLowerCase()}`;
  }
}

async function showHistory(): Promise<void> {
  const id = historyOf;
  if (id === undefined) return;
  const result = await client.getTaskHistory({ params: { id } });
  if (historyOf !== id) return;
  if (!result.ok) {
    say(`history: ${problemText(result.status, result.error)}`, true);
    return;
  }
  historyEntries.replaceChildren(
    ...result.data.map((entry) => {
      const item = document.createElement('li');
      item.dataset.testid = 'history-entry';
      item.dataset.event = entry.event;
      const time = document.createElement('time');
      time.dateTime = entry.timestamp;
      time.textContent = new Date(entry.timestamp).toLocaleTimeString();
      item.append(time, describe(entry));
      return item;
    }),
  );
  historyPanel.dataset.taskId = id;
  historyPanel.hidden = false;
}

element('history-close').addEventListener('click', () => {
  historyOf = undefined;
  historyPanel.hidden = true;
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = newTitle as HTMLInputElement;
  const title = input.value.trim();
  if (title === '') return;
  input.value = '';
  void run('add', () => client.createTask({ body: { title } }));
});

/** Follows the list for as long as the page is open; the client reconnects and resumes. */
async function follow(): Promise<void> {
  for (;;) {
    try {
      say('Live');
      for await (const event of client.streamListTasks()) {
        const id = event.event === 'delete' ? event.key : event.data.id;
        if (event.event === 'delete') tasks.delete(id);
        else tasks.set(id, event.data);
        render();
        if (id === historyOf) void showHistory();
      }
    } catch (error) {
      const reason = error instanceof ClientError ? error.message : String(error);
      say(`Reconnecting (${reason})`, true);
    }
    // The stream ended or failed for good: start a new one after a pause, from the state.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    tasks.clear();
  }
}

render();
void follow();
