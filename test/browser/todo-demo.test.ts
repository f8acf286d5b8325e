// The todo demo page in real headless Chromium, against the real demo (examples/todo/demo.ts:
// the generated gateway with the page registered, the real task service, a real broker). One
// browser context adds a task, completes, renames, opens its history, undoes the rename and
// deletes the task; after each step both it and a second context show the change, the second
// without reloading (it arrives over server-sent events). A second test sends two commands on
// the same version at once and sees the page report the refused one (412) and carry on.
//
// The demo answers the fixed todo topics (task-commands, …) with the real service, while other
// test files answer the same topics with the stand-in service of test/e2e/support.ts; on one
// broker both would answer every command. So this file runs on a broker of its own, and still
// finds its tasks by unique titles rather than assuming the list is empty.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../examples/todo/demo.ts';
import { startBroker, type Broker } from '../../scripts/kafka/broker.ts';
import { launchChromium, openPage, type OpenedPage } from './chromium.ts';

let broker: Broker | undefined;
let demo: Demo | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  broker = await startBroker();
  demo = await startDemo({ brokers: [broker.brokers] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await broker?.stop();
});

/** How long a change may take to show: a command, Kafka, the service, the stream. */
const timeout = 15_000;

function row(page: Page, id: string) {
  return page.locator(`[data-testid="task"][data-task-id="${id}"]`);
}

/** Two pages on the demo, each following the list live. */
async function openTwo(demo: Demo, browser: Browser): Promise<[OpenedPage, OpenedPage]> {
  const a = await openPage(browser, demo.url);
  const b = await openPage(browser, demo.url);
  for (const { page } of [a, b]) {
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout });
  }
  return [a, b];
}

/** A TCP proxy in front of `target` whose connections the test can cut, as a network would. */
async function startProxy(target: URL): Promise<{
  readonly url: string;
  cut(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('close', () => sockets.delete(from));
      from.on('error', () => to.destroy());
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}/`,
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        cut();
      }),
  };
}

/** Adds a task in `page` and waits for its row; returns its id. */
async function addTask(page: Page, title: string): Promise<string> {
  await page.getByTestId('new-title').fill(title);
  await page.getByTestId('add').click();
  const added = page.locator('[data-testid="task"]', {
    has: page.getByTestId('title').getByText(title, { exact: true }),
  });
  await added.waitFor({ timeout });
  const id = (await added.getAttribute('data-task-id')) ?? '';
  expect(id).not.toBe('');
  return id;
}

async function titleIs(page: Page, id: string, title: string): Promise<void> {
  await page.waitForFunction(
    ([taskId, want]) =>
      document.querySelector(`[data-task-id="${taskId}"] [data-testid="title"]`)?.textContent ===
      want,
    [id, title] as const,
    { timeout },
  );
}

async function doneIs(page: Page, id: string, done: boolean): Promise<void> {
  await page.waitForFunction(
    ([taskId, want]) =>
      document.querySelector<HTMLInputElement>(`[data-task-id="${taskId}"] [data-testid="done"]`)
        ?.checked === want,
    [id, done] as const,
    { timeout },
  );
}

/** The open history panel lists exactly these events, oldest first. */
async function historyIs(page: Page, events: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (want) =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="history-entry"]')]
        .map((entry) => entry.dataset.event)
        .join(',') === want.join(','),
    events,
    { timeout },
  );
}

async function statusOf(page: Page): Promise<{ text: string; error: boolean }> {
  const status = page.getByTestId('status');
  return {
    text: (await status.textContent()) ?? '',
    error: ((await status.getAttribute('class')) ?? '').split(' ').includes('error'),
  };
}

describe('the todo demo page', () => {
  it('shows every change live in two browser contexts, and the task history', async () => {
    if (demo === undefined || browser === undefined) throw new Error('the demo did not start');
    const pages: OpenedPage[] = [];
    try {
      const [a, b] = await openTwo(demo, browser);
      pages.push(a, b);
      const both = [a.page, b.page];

      // Add: the task arrives in both lists.
      const title = `Buy milk ${crypto.randomUUID()}`;
      const id = await addTask(a.page, title);
      for (const page of both) await titleIs(page, id, title);
      expect(await statusOf(a.page)).toEqual({ text: `Added “${title}”.`, error: false });

      // Complete. A title being typed in B survives the change arriving there.
      await row(b.page, id).getByTestId('rename-input').fill('half-typed');
      await row(a.page, id).getByTestId('done').check();
      for (const page of both) await doneIs(page, id, true);
      expect(await row(b.page, id).getByTestId('rename-input').inputValue()).toBe('half-typed');

      // Rename (with Enter in the box).
      const renamed = `Buy oat milk ${crypto.randomUUID()}`;
      await row(a.page, id).getByTestId('rename-input').fill(renamed);
      await row(a.page, id).getByTestId('rename-input').press('Enter');
      for (const page of both) await titleIs(page, id, renamed);
      await expect
        .poll(() => row(a.page, id).getByTestId('rename-input').inputValue(), { timeout })
        .toBe('');

      // History, in A; B opens it too.
      for (const page of both) await row(page, id).getByTestId('history').click();
      for (const page of both) {
        await historyIs(page, ['TaskCreated', 'TaskCompleted', 'TaskRenamed']);
      }
      expect(await a.page.getByTestId('history-title').textContent()).toBe(
        `History of “${renamed}”`,
      );
      expect(await a.page.getByTestId('history-entry').allTextContents()).toEqual([
        expect.stringMatching(new RegExp(`\\d.* Created “${title}”$`)),
        expect.stringMatching(/\d.* Marked done$/),
        expect.stringMatching(new RegExp(`\\d.* Renamed to “${renamed}”$`)),
      ]);

      // Undo takes back the rename (the task stays done); the open history panels follow.
      await row(a.page, id).getByTestId('undo').click();
      for (const page of both) await titleIs(page, id, title);
      for (const page of both) {
        await historyIs(page, ['TaskCreated', 'TaskCompleted', 'TaskRenamed', 'TaskUndone']);
      }
      expect(await b.page.getByTestId('history-entry').last().textContent()).toMatch(
        /Undid the rename$/,
      );
      await expect
        .poll(() => b.page.getByTestId('history-title').textContent(), { timeout })
        .toBe(`History of “${title}”`);
      await doneIs(b.page, id, true);

      // Delete: gone from both lists; the panels show the deletion.
      await row(a.page, id).getByTestId('delete').click();
      for (const page of both) await row(page, id).waitFor({ state: 'detached', timeout });
      for (const page of both) {
        await historyIs(page, [
          'TaskCreated',
          'TaskCompleted',
          'TaskRenamed',
          'TaskUndone',
          'TaskDeleted',
        ]);
      }

      expect(await statusOf(a.page)).toEqual({ text: `Deleted “${title}”.`, error: false });
      expect([...a.problems, ...b.problems]).toEqual([]);
    } finally {
      for (const page of pages) await page.close();
    }
  }, 90_000);

  it('reports a command refused for a stale version (412) and keeps working', async () => {
    if (demo === undefined || browser === undefined) throw new Error('the demo did not start');
    const pages: OpenedPage[] = [];
    try {
      const [a, b] = await openTwo(demo, browser);
      pages.push(a, b);
      const title = `Water plants ${crypto.randomUUID()}`;
      const id = await addTask(a.page, title);
      await titleIs(b.page, id, title);

      // Every status line A shows from now on.
      await a.page.evaluate(() => {
        const status = document.querySelector('[data-testid="status"]');
        const seen: string[] = [];
        Object.assign(window, { statuses: seen });
        if (status === null) return;
        new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      });
      // Two commands in one go, both with If-Match on the version shown: the service applies
      // the first it reads and refuses the other, which was made against an older version.
      const renamed = `Water the plants ${crypto.randomUUID()}`;
      await a.page.evaluate(
        ([taskId, next]) => {
          const task = document.querySelector(`[data-task-id="${taskId}"]`);
          const input = task?.querySelector<HTMLInputElement>('[data-testid="rename-input"]');
          if (task === null || input == null) throw new Error(`no row for ${taskId}`);
          task.querySelector<HTMLElement>('[data-testid="done"]')?.click();
          input.value = next;
          task.querySelector<HTMLElement>('[data-testid="rename"]')?.click();
        },
        [id, renamed] as const,
      );
      await a.page.waitForFunction(
        () =>
          (window as unknown as { statuses: string[] }).statuses.some((line) =>
            /: Precondition Failed: .*\(412\)\. It changed meanwhile/.test(line),
          ),
        undefined,
        { timeout },
      );

      // Exactly one change took effect, and both pages show it (A's refused click, if it was
      // the checkbox, flipped back).
      const outcome = await a.page.waitForFunction(
        ([taskId, before, after]) => {
          const task = document.querySelector(`[data-task-id="${taskId}"]`);
          const shownTitle = task?.querySelector('[data-testid="title"]')?.textContent;
          const done = task?.querySelector<HTMLInputElement>('[data-testid="done"]')?.checked;
          if (shownTitle === before && done === true) return 'completed';
          if (shownTitle === after && done === false) return 'renamed';
          return false;
        },
        [id, title, renamed] as const,
        { timeout },
      );
      const completed = (await outcome.jsonValue()) === 'completed';
      await titleIs(b.page, id, completed ? title : renamed);
      await doneIs(b.page, id, completed);

      // The page carries on: the next command, on the new version, goes through.
      await row(a.page, id).getByTestId('delete').click();
      for (const page of [a.page, b.page]) {
        await row(page, id).waitFor({ state: 'detached', timeout });
      }
      expect((await statusOf(a.page)).error).toBe(false);
      // Chromium logs every 4xx answer to a fetch; the refused command's is the only one.
      expect([...a.problems, ...b.problems]).toEqual([
        'console.error: Failed to load resource: the server responded with a status of 412 ' +
          '(Precondition Failed)',
      ]);
    } finally {
      for (const page of pages) await page.close();
    }
  }, 90_000);

  it('reconnects by itself when the connection drops, and shows what changed meanwhile', async () => {
    if (demo === undefined || browser === undefined) throw new Error('the demo did not start');
    const proxy = await startProxy(new URL(demo.url));
    const pages: OpenedPage[] = [];
    try {
      const a = await openPage(browser, demo.url);
      const b = await openPage(browser, proxy.url);
      pages.push(a, b);
      for (const { page } of [a, b]) {
        await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout });
      }
      const title = `Call mum ${crypto.randomUUID()}`;
      const id = await addTask(a.page, title);
      await titleIs(b.page, id, title);

      // B loses its connections; while it is away, A renames the task.
      await b.page.evaluate(() => Object.assign(window, { notReloaded: true }));
      proxy.cut();
      await b.page.locator('[data-testid="connection"][data-state="lost"]').waitFor({ timeout });
      const renamed = `Call mum back ${crypto.randomUUID()}`;
      await row(a.page, id).getByTestId('rename-input').fill(renamed);
      await row(a.page, id).getByTestId('rename').click();
      await titleIs(a.page, id, renamed);

      // B reconnects on its own, resumes the stream and shows the rename, on the same page.
      await titleIs(b.page, id, renamed);
      await b.page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout });
      expect(await b.page.evaluate(() => 'notReloaded' in window)).toBe(true);
      expect(await row(b.page, id).count()).toBe(1);

      await row(a.page, id).getByTestId('delete').click();
      await row(b.page, id).waitFor({ state: 'detached', timeout });
      expect(a.problems).toEqual([]);
      // The cut broke B's stream mid-body; Chromium reports that, and nothing else went wrong.
      for (const problem of b.problems) expect(problem).toMatch(/ERR_INCOMPLETE_CHUNKED_ENCODING/);
    } finally {
      for (const page of pages) await page.close();
      await proxy.close();
    }
  }, 90_000);
});
