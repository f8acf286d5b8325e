/**
 * One row of the task list. A row is built once per task and updated in place when the task
 * changes, so a title being typed into its rename box (or the focus) survives a change that
 * arrives from another browser.
 */
import type { ListTasksEvent } from '../generated/client/index.ts';

/** A task as the list stream carries it. */
export type Task = ListTasksEvent['data'];

/** What a row asks the page to do; the page sends the command. */
export interface RowActions {
  complete(id: string, done: boolean): void;
  rename(id: string, title: string): Promise<boolean>;
  undo(id: string): void;
  remove(id: string): void;
  history(id: string): void;
}

export interface TaskRow {
  readonly item: HTMLLIElement;
  /** Shows `task`: title, done state, and labels that name the task. */
  update(task: Task): void;
}

export function createTaskRow(task: Task, actions: RowActions): TaskRow {
  const { id } = task;
  const item = document.createElement('li');
  item.dataset.testid = 'task';
  item.dataset.taskId = id;

  const done = document.createElement('input');
  done.type = 'checkbox';
  done.dataset.testid = 'done';
  done.addEventListener('change', () => actions.complete(id, done.checked));

  const title = document.createElement('span');
  title.className = 'title';
  title.dataset.testid = 'title';

  // A form of its own, so Enter in the box renames.
  const renameForm = document.createElement('form');
  renameForm.className = 'rename';
  const renameInput = document.createElement('input');
  renameInput.type = 'text';
  renameInput.required = true;
  renameInput.maxLength = 200;
  renameInput.placeholder = 'New title';
  renameInput.dataset.testid = 'rename-input';
  const renameButton = button('rename', 'Rename');
  renameButton.type = 'submit';
  renameForm.append(renameInput, renameButton);
  renameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = renameInput.value.trim();
    if (next === '') return;
    void actions.rename(id, next).then((renamed) => {
      if (renamed && renameInput.value.trim() === next) renameInput.value = '';
    });
  });

  const undo = button('undo', 'Undo', () => actions.undo(id));
  const history = button('history', 'History', () => actions.history(id));
  const remove = button('delete', 'Delete', () => actions.remove(id));
  item.append(done, title, renameForm, undo, history, remove);

  function update(next: Task): void {
    item.classList.toggle('done', next.done);
    done.checked = next.done;
    title.textContent = next.title;
    // Accessible names start with the visible label (WCAG 2.5.3) and say which task.
    const name = `“${next.title}”`;
    done.setAttribute('aria-label', `Done: ${name}`);
    renameInput.setAttribute('aria-label', `New title for ${name}`);
    renameButton.setAttribute('aria-label', `Rename ${name}`);
    undo.setAttribute('aria-label', `Undo the last change of ${name}`);
    history.setAttribute('aria-label', `History of ${name}`);
    remove.setAttribute('aria-label', `Delete ${name}`);
  }
  update(task);
  return { item, update };
}

function button(testId: string, label: string, onClick?: () => void): HTMLButtonElement {
  const made = document.createElement('button');
  made.type = 'button';
  made.dataset.testid = testId;
  made.textContent = label;
  if (onClick !== undefined) made.addEventListener('click', onClick);
  return made;
}
