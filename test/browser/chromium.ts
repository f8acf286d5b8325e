// Real Chromium for browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven by
// playwright-core, never a browser playwright downloads. Without Chromium a browser test fails
// with what is missing and how to install it; it never skips.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const defaultChromiumPath = '/usr/bin/chromium';

/** `CHROMIUM_PATH` when set, else Debian's path. */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH?.trim();
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaultChromiumPath;
}

/**
 * A headless Chromium. Without its sandbox (`--no-sandbox`): tests run as root, and Chromium
 * refuses to start sandboxed as root.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    const from = executablePath === defaultChromiumPath ? 'the default path' : 'CHROMIUM_PATH';
    throw new Error(
      `No Chromium for the browser tests: ${executablePath} (${from}) is missing or not ` +
        'executable. Install it with `apt-get update && apt-get install -y ' +
        '--no-install-recommends chromium` (Debian; .ci/run does this), or set CHROMIUM_PATH ' +
        'to a Chromium or Chrome binary.',
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    // playwright-core turns this into `--no-sandbox`.
    chromiumSandbox: false,
    timeout: 15_000,
  });
}

/** A page in its own browser context, with what went wrong in it so far. */
export interface OpenedPage {
  readonly page: Page;
  /**
   * Console errors and warnings, uncaught page errors and failed requests, in order: what a
   * failing assertion should show.
   */
  readonly problems: readonly string[];
  close(): Promise<void>;
}

/** Opens `url` in a fresh context and waits for its `load` event. */
export async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const context: BrowserContext = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  await page.goto(url, { waitUntil: 'load', timeout: 10_000 });
  return { page, problems, close: () => context.close() };
}
