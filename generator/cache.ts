/**
 * The generation cache: `specgate generate` run again with nothing changed answers from here
 * instead of loading, emitting and type-checking again (issue 8, B6: a re-run ≤ 1 s).
 *
 * A cached run is used only when all of these hold, so it can never stand in for a run that
 * would differ: the same specgate (a digest of its package.json and of every source and
 * template of the generator), the same config, every file the run read (specs, `$ref`'d files,
 * the config file) with the same content, and the output folder exactly as that run left it
 * (its manifest, and every file in it with the digest the manifest gives). The entry lives
 * outside the output folder (`node_modules/.cache/specgate/`, else the system's temporary
 * folder), so the committed manifest does not change when specgate does.
 *
 * This module only reads files and hashes them: it must not import the parsers, ts-morph or the
 * emitters, which take most of a second to load.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { SpecgateConfig } from './config.ts';
import type { Diagnostic } from './diagnostics.ts';
import { manifestName } from './write.ts';

/** What a run that can be answered from the cache needs to say. */
export interface CachedRun {
  /** The diagnostics of the run that made the entry (warnings and notices: it had no errors). */
  readonly diagnostics: readonly Diagnostic[];
  readonly routeCount: number;
  /** The generated paths (the manifest's), all unchanged. */
  readonly files: readonly string[];
}

interface CacheEntry extends CachedRun {
  readonly version: 1;
  readonly key: string;
  /** Absolute path → digest of every file the run read. */
  readonly inputs: { readonly [file: string]: string };
  /** The manifest the run wrote, byte for byte. */
  readonly manifest: string;
}

/** The run recorded for this config, when nothing it depends on has changed since. */
export function cachedRun(config: SpecgateConfig): CachedRun | undefined {
  const entry = readEntry(config);
  if (entry === undefined || entry.key !== cacheKey(config)) return undefined;
  for (const [file, digest] of Object.entries(entry.inputs)) {
    if (digestOfFile(file) !== digest) return undefined;
  }
  if (readText(join(config.out, manifestName)) !== entry.manifest) return undefined;
  const manifest = parseManifest(entry.manifest);
  if (manifest === undefined) return undefined;
  for (const [path, digest] of Object.entries(manifest)) {
    if (digestOfFile(join(config.out, path)) !== digest) return undefined;
  }
  return { diagnostics: entry.diagnostics, routeCount: entry.routeCount, files: entry.files };
}

/**
 * Records a run that wrote (or found up to date) every file: `inputs` are the files it read
 * with the texts it read. A failure to write the entry only costs the next run its shortcut.
 */
export function recordRun(
  config: SpecgateConfig,
  run: CachedRun & { readonly inputs: ReadonlyMap<string, string> },
): void {
  const manifest = readText(join(config.out, manifestName));
  if (manifest === undefined) return;
  const entry: CacheEntry = {
    version: 1,
    key: cacheKey(config),
    inputs: Object.fromEntries([...run.inputs].map(([file, text]) => [file, digest(text)])),
    manifest,
    diagnostics: run.diagnostics,
    routeCount: run.routeCount,
    files: run.files,
  };
  const path = entryPath(config);
  try {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entry));
    renameSync(temporary, path);
  } catch {
    // A read-only node_modules, say: the next run is a full one, which is always right.
  }
}

/** Same specgate, same config. */
function cacheKey(config: SpecgateConfig): string {
  return digest(`${generatorDigest()}\n${JSON.stringify(config)}`);
}

let generatorDigestMemo: string | undefined;

/**
 * specgate's package.json, the installed version of each of its dependencies (prettier's
 * formatting is part of the output), and every source and template the generator is made of
 * (tests and fixtures left out): every change to the generator, released or not, is a different
 * generator.
 */
function generatorDigest(): string {
  if (generatorDigestMemo !== undefined) return generatorDigestMemo;
  const root = join(import.meta.dirname, '..');
  const hash = createHash('sha256');
  const files = [
    join(root, 'package.json'),
    ...sourceFiles(join(root, 'generator')),
    ...sourceFiles(join(root, 'templates')),
  ];
  for (const file of files) {
    hash.update(file.slice(root.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  hash.update(dependencyVersions(root));
  generatorDigestMemo = hash.digest('hex');
  return generatorDigestMemo;
}

/** `name@version` of every dependency in package.json, as installed (nearest node_modules). */
function dependencyVersions(root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {})
    .map((name) => `${name}@${installedVersion(root, name) ?? 'missing'}`)
    .join('\n');
}

function installedVersion(root: string, name: string): string | undefined {
  for (let folder = root; ; folder = dirname(folder)) {
    const text = readText(join(folder, 'node_modules', name, 'package.json'));
    if (text !== undefined) return (JSON.parse(text) as { version?: string }).version;
    if (dirname(folder) === folder) return undefined;
  }
}

function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures') found.push(...sourceFiles(path));
    } else if (!entry.name.endsWith('.test.ts')) {
      found.push(path);
    }
  }
  return found;
}

/** One entry per output folder. */
function entryPath(config: SpecgateConfig): string {
  const name = `${digest(config.out).slice('sha256:'.length, 'sha256:'.length + 24)}.json`;
  return join(cacheFolder(config), name);
}

/** `node_modules/.cache/specgate` of the nearest node_modules above the project, else tmp. */
function cacheFolder(config: SpecgateConfig): string {
  let folder = config.file === undefined ? process.cwd() : dirname(config.file);
  for (;;) {
    if (existsSync(join(folder, 'node_modules'))) {
      return join(folder, 'node_modules', '.cache', 'specgate');
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return join(tmpdir(), `specgate-cache-${userInfo().username}`);
}

function readEntry(config: SpecgateConfig): CacheEntry | undefined {
  const text = readText(entryPath(config));
  if (text === undefined) return undefined;
  try {
    const entry = JSON.parse(text) as Partial<CacheEntry>;
    return entry.version === 1 && typeof entry.key === 'string' ? (entry as CacheEntry) : undefined;
  } catch {
    return undefined;
  }
}

function parseManifest(text: string): Record<string, string> | undefined {
  try {
    const data = JSON.parse(text) as { files?: unknown };
    const files = data.files;
    if (typeof files !== 'object' || files === null) return undefined;
    const entries = Object.entries(files);
    return entries.every((pair): pair is [string, string] => typeof pair[1] === 'string')
      ? Object.fromEntries(entries)
      : undefined;
  } catch {
    return undefined;
  }
}

function digestOfFile(file: string): string | undefined {
  const text = readText(file);
  return text === undefined ? undefined : digest(text);
}

/** The file's text; undefined when it cannot be read. */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function digest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
