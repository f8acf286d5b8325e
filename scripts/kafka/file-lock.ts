// A cross-process lock file, so parallel test runs on one machine fill the jar cache once.
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LockOptions {
  /** Checked while waiting: true means the work is already done and the lock is not needed. */
  readonly isDone: () => Promise<boolean>;
  /** Give up waiting for another holder after this long. */
  readonly timeoutMs: number;
  /** A lock older than this is taken to be left behind by a crashed holder. */
  readonly staleMs: number;
}

/** A held lock; `release` deletes the lock file. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the lock at `path` (created with O_EXCL), or returns undefined once `isDone()` says
 * another process finished the work. A lock whose holder process is gone (same host) or that is
 * older than `staleMs` is broken. Two waiters breaking the same stale lock at the same instant
 * can both proceed; callers stage their output in private directories so that stays harmless.
 */
export async function acquireLock(
  path: string,
  options: LockOptions,
): Promise<HeldLock | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n${hostname()}\n`);
      } finally {
        await handle.close();
      }
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    if (await options.isDone()) return undefined;
    if (await isStale(path, options.staleMs)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${options.timeoutMs} ms waiting for ${path}; if no other fetch is ` +
          `running, delete that file.`,
      );
    }
    await sleep(250);
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const [pidText, host] = content.split('\n');
    const pid = Number(pidText);
    if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
    return !isAlive(pid);
  } catch (error) {
    // The holder released it between our open() and here: not stale, just retry.
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
