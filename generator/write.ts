/**
 * The write stage (design §2 step 5), the only output I/O of the generator: writes the emitted
 * files, deletes the files an earlier run generated and this one does not, and with `check`
 * only compares. A manifest (`.specgate-manifest.json`: every generated path with the SHA-256
 * of its content) says which files are ours, so a file the generator did not write is never
 * touched, and a stale generated file that someone edited since is left alone.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix } from 'node:path';
import type { GeneratedFile } from './emit/generated-file.ts';

export const manifestName = '.specgate-manifest.json';

export interface WriteOptions {
  /** Compare only: write and delete nothing, report what would change. */
  readonly check?: boolean;
  /** Write into a non-empty folder without a manifest, and over files the manifest does not list. */
  readonly force?: boolean;
}

export type WriteResult = WriteDone | WriteRefused;

/** Paths relative to the output folder, each list sorted (code-unit order). */
export interface WriteDone {
  readonly status: 'done';
  /** True when nothing was written because `check` was set. */
  readonly checked: boolean;
  /** New files (written, or that `check` would write). Includes the manifest when it is new. */
  readonly added: readonly string[];
  /** Files whose content differs (rewritten, or that `check` would rewrite). */
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  /** Files an earlier run generated that this one does not (deleted, or that `check` would delete). */
  readonly removed: readonly string[];
  /** Stale generated files left in place because they were edited since they were generated. */
  readonly kept: readonly string[];
}

export interface WriteRefused {
  readonly status: 'refused';
  readonly reason: string;
  /** The existing files that are not ours and would be overwritten (empty for a foreign folder). */
  readonly conflicts: readonly string[];
}

/** True when `check` found drift: anything would be added, changed or removed. */
export function hasDrift(result: WriteDone): boolean {
  return result.added.length + result.changed.length + result.removed.length > 0;
}

interface Manifest {
  readonly files: { readonly [path: string]: string };
}

export async function writeFiles(
  out: string,
  files: readonly GeneratedFile[],
  options: WriteOptions = {},
): Promise<WriteResult> {
  const wanted = new Map<string, string>();
  for (const file of files) {
    const path = checkPath(file.path);
    if (wanted.has(path)) throw new Error(`writeFiles: "${path}" is emitted twice`);
    wanted.set(path, file.content);
  }
  const manifestContent = renderManifest({
    files: Object.fromEntries([...wanted].map(([path, content]) => [path, hash(content)])),
  });

  const folder = await stat(out).catch(() => undefined);
  if (folder !== undefined && !folder.isDirectory()) {
    return { status: 'refused', reason: `${out} is not a folder`, conflicts: [] };
  }
  const found = await readManifest(out);
  // With force, a manifest that is not ours counts as none (and is replaced).
  const previous = found === 'unreadable' && options.force ? undefined : found;
  if (previous === 'unreadable') {
    return {
      status: 'refused',
      reason: `${join(out, manifestName)} is not a specgate manifest; remove it or pass --force`,
      conflicts: [],
    };
  }
  if (previous === undefined && !options.force && !(await isEmptyOrMissing(out))) {
    return {
      status: 'refused',
      reason: `${out} is not empty and has no ${manifestName}, so specgate did not generate it; choose an empty folder or pass --force`,
      conflicts: [],
    };
  }
  const ours = previous?.files ?? {};

  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  const conflicts: string[] = [];
  for (const [path, content] of wanted) {
    const current = await readText(join(out, path));
    if (current === undefined) added.push(path);
    else if (current === content) unchanged.push(path);
    else {
      changed.push(path);
      if (ours[path] === undefined && previous !== undefined) conflicts.push(path);
    }
  }
  if (conflicts.length > 0 && !options.force && !options.check) {
    return {
      status: 'refused',
      reason: `specgate would overwrite files it did not generate: ${conflicts.join(', ')}; move them or pass --force`,
      conflicts: sorted(conflicts),
    };
  }

  const removed: string[] = [];
  const kept: string[] = [];
  for (const [path, digest] of Object.entries(ours)) {
    if (wanted.has(path) || !isSafePath(path)) continue;
    const current = await readText(join(out, path));
    if (current === undefined) continue;
    if (hash(current) === digest) removed.push(path);
    else kept.push(path);
  }

  const manifestPath = join(out, manifestName);
  const currentManifest = await readText(manifestPath);
  if (currentManifest === undefined) added.push(manifestName);
  else if (currentManifest !== manifestContent) changed.push(manifestName);
  else unchanged.push(manifestName);

  if (!options.check) {
    for (const path of [...added, ...changed]) {
      const content = path === manifestName ? manifestContent : wanted.get(path);
      if (content !== undefined) await writeAtomically(join(out, path), content);
    }
    for (const path of removed) {
      await rm(join(out, path));
      await removeEmptyFolders(out, dirname(path));
    }
  }
  return {
    status: 'done',
    checked: options.check ?? false,
    added: sorted(added),
    changed: sorted(changed),
    unchanged: sorted(unchanged),
    removed: sorted(removed),
    kept: sorted(kept),
  };
}

/** The manifest's text: sorted paths, two-space JSON, a final newline (stable bytes). */
function renderManifest(manifest: Manifest): string {
  const files = Object.fromEntries(
    sorted(Object.keys(manifest.files)).map((path) => [path, manifest.files[path]]),
  );
  return `${JSON.stringify({ generator: 'specgate', files }, null, 2)}\n`;
}

async function readManifest(out: string): Promise<Manifest | undefined | 'unreadable'> {
  const text = await readText(join(out, manifestName));
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'unreadable';
  }
  if (typeof data !== 'object' || data === null || !('files' in data)) return 'unreadable';
  const files: unknown = data.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return 'unreadable';
  const entries: [string, string][] = [];
  for (const [path, digest] of Object.entries(files)) {
    if (typeof digest !== 'string') return 'unreadable';
    entries.push([path, digest]);
  }
  return { files: Object.fromEntries(entries) };
}

/** A generated path must stay inside the output folder: relative, `/`-separated, no `..`. */
function checkPath(path: string): string {
  if (!isSafePath(path) || path === manifestName) {
    throw new Error(`writeFiles: "${path}" is not a relative path inside the output folder`);
  }
  return path;
}

function isSafePath(path: string): boolean {
  return (
    path !== '' &&
    !isAbsolute(path) &&
    !path.includes('\\') &&
    posix.normalize(path) === path &&
    !path.split('/').includes('..')
  );
}

async function isEmptyOrMissing(folder: string): Promise<boolean> {
  try {
    return (await readdir(folder)).length === 0;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return true;
    throw error;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Write beside, then rename: a reader (tsx watch, an editor) never sees half a file. */
async function writeAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, 'utf8');
  await rename(temporary, path);
}

/** After a delete, drop the folders it emptied, up to (not including) the output folder. */
async function removeEmptyFolders(out: string, folder: string): Promise<void> {
  for (let relative = folder; relative !== '.' && relative !== ''; relative = dirname(relative)) {
    const path = join(out, relative);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isDirectory() || (await readdir(path)).length > 0) return;
    await rmdir(path);
  }
}

function hash(content: string): string {
  return `sha256:${createHash('sha256').update(content, 'utf8').digest('hex')}`;
}

function sorted(items: readonly string[]): string[] {
  return [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
