// The todo demo page in real headless Chromium, against the real demo (examples/todo/demo.ts:
// the generated gateway, the real task service, a real broker): one browser context adds a
// task, completes, renames, opens its history, undoes the rename and deletes the task; after
// each step both it and a second context show the change, the second without reloading (it
// arrives over server-sent events). The demo uses the fixed todo topics, which other test files
// use with a stand-in service, so this file runs on a broker of its own.
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

const timeout = 15_000;

function row(page: Page, id: string) {
  return page.locator(`[data-testid="task"][data-task-id="${id}"]`);
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

describe('the todo demo page', () => {
  it('shows every change live in two browser contexts, and the task history', async () => {
    if (demo === undefined || browser === undefined) throw new Error('the demo did not start');
    const pages: OpenedPage[] = [];
    try {
      const a = await openPage(browser, demo.url);
      const b = await openPage(browser, demo.url);
      pages.push(a, b);
      const both = [a.page, b.page];
      // The page's script runs and follows the list.
      for (const page of both) {
        await page.waitForFunction(
          () => document.querySelector('[data-testid="status"]')?.textContent === 'Live',
          undefined,
          { timeout },
        );
      }

      // Add: the task arrives in both lists.
      const title = `Buy milk ${crypto.randomUUID()}`;
      await a.page.getByTestId('new-title').fill(title);
      await a.page.getByTestId('add').click();
      const added = a.page.locator('[data-testid="task"]', { hasText: title });
      await added.waitFor({ timeout });
      const id = (await added.getAttribute('data-task-id')) ?? '';
      expect(id).not.toBe('');
      for (const page of both) await titleIs(page, id, title);

      // Complete.
      await row(a.page, id).getByTestId('done').check();
      for (const page of both) await doneIs(page, id, true);

      // Rename.
      const renamed = `Buy oat milk ${crypto.randomUUID()}`;
      await row(a.page, id).getByTestId('rename-input').fill(renamed);
      await row(a.page, id).getByTestId('rename').click();
      for (const page of both) await titleIs(page, id, renamed);

      // History, in A; B opens it too.
      await row(a.page, id).getByTestId('history').click();
      await row(b.page, id).getByTestId('history').click();
      for (const page of both)
        await historyIs(page, ['TaskCreated', 'TaskCompleted', 'TaskRenamed']);
      expect(await a.page.getByTestId('history-entry').allTextContents()).toEqual([
        expect.stringContaining(`Created “${title}”`),
        expect.stringContaining('Marked done'),
        expect.stringContaining(`Renamed to “${renamed}”`),
      ]);

      // Undo takes back the rename; the open history panels follow.
      await row(a.page, id).getByTestId('undo').click();
      for (const page of both) await titleIs(page, id, title);
      for (const page of both) {
        await historyIs(page, ['TaskCreated', 'TaskCompleted', 'TaskRenamed', 'TaskUndone']);
      }
      await doneIs(b.page, id, true);

      // Delete: gone from both lists.
      await row(a.page, id).getByTestId('delete').click();
      for (const page of both) await row(page, id).waitFor({ state: 'detached', timeout });

      expect([...a.problems, ...b.problems]).toEqual([]);
    } finally {
      for (const page of pages) await page.close();
    }
  }, 90_000);
});
