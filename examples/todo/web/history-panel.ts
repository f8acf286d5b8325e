/**
 * The history panel: the events of one task (`GET /tasks/{id}/history`), each with its time and
 * a sentence. The page calls `refresh` whenever that task changes, so an open panel follows it
 * (a deleted task's panel stays open and shows the deletion).
 */
import type { TaskHistoryEntry } from '../generated/types.ts';

export interface HistoryPanel {
  /** The task shown, if the panel is open. */
  readonly taskId: string | undefined;
  open(id: string, title: string): void;
  /** Reads the shown task's history again (if the panel is open), with its new title if any. */
  refresh(title?: string): void;
  close(): void;
}

export interface HistoryPanelOptions {
  readonly panel: HTMLElement;
  readonly heading: HTMLElement;
  readonly entries: HTMLElement;
  readonly closeButton: HTMLElement;
  /** Reads a task's history: its entries, or a line that says why not. */
  readonly read: (id: string) => Promise<readonly TaskHistoryEntry[] | string>;
  readonly onError: (message: string) => void;
}

export function createHistoryPanel(options: HistoryPanelOptions): HistoryPanel {
  const { panel, heading, entries } = options;
  let taskId: string | undefined;
  // Only the answer to the latest read is shown: reads may answer out of order.
  let reads = 0;

  async function refresh(): Promise<void> {
    const id = taskId;
    if (id === undefined) return;
    const read = ++reads;
    const answer = await options.read(id);
    if (read !== reads || taskId !== id) return;
    if (typeof answer === 'string') {
      options.onError(answer);
      return;
    }
    entries.replaceChildren(...answer.map(entryItem));
  }

  const shown: HistoryPanel = {
    get taskId() {
      return taskId;
    },
    open(id, title) {
      if (taskId !== id) entries.replaceChildren();
      taskId = id;
      panel.dataset.taskId = id;
      panel.hidden = false;
      shown.refresh(title);
    },
    refresh(title) {
      if (taskId === undefined) return;
      if (title !== undefined) heading.textContent = `History of “${title}”`;
      void refresh();
    },
    close() {
      taskId = undefined;
      delete panel.dataset.taskId;
      panel.hidden = true;
    },
  };
  options.closeButton.addEventListener('click', () => shown.close());
  return shown;
}

function entryItem(entry: TaskHistoryEntry): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.testid = 'history-entry';
  item.dataset.event = entry.event;
  const time = document.createElement('time');
  time.dateTime = entry.timestamp;
  time.textContent = new Date(entry.timestamp).toLocaleTimeString();
  const by = entry.identity === undefined ? '' : ` (by ${entry.identity})`;
  item.append(time, ` ${describe(entry)}${by}`);
  return item;
}

/** An event as a sentence. */
export function describe(entry: TaskHistoryEntry): string {
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
      return `Undid the ${undone[entry.data.undid]}`;
  }
}

const undone = {
  TaskCreated: 'creation',
  TaskRenamed: 'rename',
  TaskCompleted: 'completion',
  TaskDeleted: 'deletion',
} as const;
