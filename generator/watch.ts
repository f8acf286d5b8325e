/**
 * `specgate generate --watch`: runs a generation, then again whenever one of its inputs (the
 * config, the specs and every file they `$ref`) changes, debounced, until stopped. A run with
 * errors prints them and writes nothing, so the last good output stays in place.
 *
 * It watches the folders that hold the inputs, not the files: editors save by replacing a file,
 * which ends a watch on the file itself.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface WatchOptions {
  /** Quiet time after the last change before running again. */
  readonly debounceMs?: number;
  readonly signal?: AbortSignal;
  /** Told before each wait, with the number of files watched. */
  readonly onWait?: (files: number) => void;
}

/** `run` generates and returns the absolute paths of its inputs. Resolves when `signal` aborts. */
export async function watchLoop(
  run: () => Promise<readonly string[]>,
  options: WatchOptions = {},
): Promise<void> {
  const debounceMs = options.debounceMs ?? 150;
  const { signal } = options;
  while (signal?.aborted !== true) {
    const inputs = new Set(await run());
    options.onWait?.(inputs.size);
    await new Promise<void>((resolve) => {
      const watchers: FSWatcher[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        clearTimeout(timer);
        for (const watcher of watchers) watcher.close();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      const folders = new Map<string, Set<string>>();
      for (const file of inputs) {
        const names = folders.get(dirname(file)) ?? new Set<string>();
        names.add(basename(file));
        folders.set(dirname(file), names);
      }
      for (const [folder, names] of folders) {
        try {
          const watcher = watch(folder, (_event, name) => {
            if (name !== null && !names.has(basename(name))) return;
            clearTimeout(timer);
            timer = setTimeout(done, debounceMs);
          });
          watcher.on('error', () => undefined);
          watchers.push(watcher);
        } catch {
          // A folder that is gone: its files come back through another folder's change, if ever.
        }
      }
    });
  }
}
