/** The `specgate` command line: parses arguments and dispatches to a subcommand. */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configFromPaths, loadConfig, type SpecgateConfig } from './config.ts';
import { Diagnostics, type Diagnostic } from './diagnostics.ts';
import { formatHuman } from './format/human.ts';
import { formatGithub, formatJson, formatSarif } from './format/machine.ts';
import { DocumentSet } from './load/document-set.ts';
import { cachedRun, readText, recordRun } from './cache.ts';
import { formatRouteTable } from './route-table.ts';
import { hasDrift, manifestName, type WriteDone } from './write.ts';

const formats = ['human', 'json', 'sarif', 'github'] as const;
type Format = (typeof formats)[number];

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return 0;
    case 'validate':
      return validateCommand(rest);
    case 'generate':
      return generateCommand(rest);
    case 'init':
      return initCommand(rest);
    default:
      process.stderr.write(`specgate: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

async function initCommand(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { force: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`specgate init: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const [dir = '.', extra] = parsed.positionals;
  if (extra !== undefined) {
    process.stderr.write(`specgate init: give at most one folder\n\n${usage}`);
    return 2;
  }
  const { initProject, initSummary } = await import('./init.ts');
  const result = await initProject(dir, { force: parsed.values.force });
  (result.ok ? process.stdout : process.stderr).write(initSummary(dir, result));
  return result.ok ? 0 : 1;
}

async function validateCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('validate', argv, {
    strict: { type: 'boolean', default: false },
  });
  if (typeof parsed === 'number') return parsed;
  const loaded = loadCommandConfig('validate', parsed);
  if (typeof loaded === 'number') return loaded;
  const { config, diagnostics, documents } = loaded;
  const result =
    config === undefined
      ? { diagnostics: diagnostics.items, hasErrors: true, documents, api: undefined }
      : await (await import('./validate.ts')).validateSpecs(config, { diagnostics, documents });
  const items = result.diagnostics;
  printDiagnostics(parsed.format, items, result.documents);
  if (parsed.format === 'human' && result.api) {
    process.stdout.write(`\n${formatRouteTable(result.api.routes)}`);
  }
  const hasWarnings = items.some((d) => d.severity === 'warning');
  return result.hasErrors || (parsed.values.strict === true && hasWarnings) ? 1 : 0;
}

async function generateCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('generate', argv, {
    out: { type: 'string', short: 'o' },
    check: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    watch: { type: 'boolean', short: 'w', default: false },
    progress: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  if (parsed.values.watch !== true) return (await generateOnce(parsed)).code;
  if (parsed.values.check === true) {
    process.stderr.write(`specgate generate: --watch and --check do not go together\n\n${usage}`);
    return 2;
  }
  const { watchLoop } = await import('./watch.ts');
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  await watchLoop(async () => (await generateOnce(parsed)).inputs, {
    signal: stop.signal,
    onWait: (files) =>
      process.stderr.write(`\nWatching ${files} files for changes (Ctrl-C to stop)…\n`),
  });
  return 0;
}

/** One generation; `inputs` are the files it read (the config, the specs, what they `$ref`). */
async function generateOnce(
  parsed: CommandArgs,
): Promise<{ readonly code: number; readonly inputs: readonly string[] }> {
  const started = performance.now();
  const loaded = loadCommandConfig('generate', parsed);
  if (typeof loaded === 'number') return { code: loaded, inputs: [] };
  const inputs = (): string[] => [
    ...new Set(
      [
        loaded.config?.file,
        loaded.config?.openapi,
        loaded.config?.asyncapi,
        ...loaded.documents.files,
      ].filter((file): file is string => file !== undefined),
    ),
  ];
  // Watching reads the specs every time: a cached answer would not say which files they `$ref`.
  const code = await generateWith(parsed, loaded, started, parsed.values.watch !== true);
  return { code, inputs: inputs() };
}

async function generateWith(
  parsed: CommandArgs,
  loaded: LoadedConfig,
  started: number,
  useCache: boolean,
): Promise<number> {
  const { diagnostics, documents } = loaded;
  const out = parsed.values.out;
  const config =
    loaded.config === undefined || typeof out !== 'string'
      ? loaded.config
      : { ...loaded.config, out: resolve(out) };
  const check = parsed.values.check === true;
  // Nothing changed since the last run: answer without loading the specs (cache.ts).
  const cached = config === undefined || !useCache ? undefined : cachedRun(config);
  if (config !== undefined && cached !== undefined) {
    printDiagnostics(parsed.format, cached.diagnostics, documents);
    const unchanged = [...cached.files, manifestName].sort();
    const write: WriteDone = {
      status: 'done',
      checked: check,
      added: [],
      changed: [],
      unchanged,
      removed: [],
      kept: [],
    };
    printGenerateSummary(parsed.format, write, config, cached.routeCount, started, true);
    return 0;
  }
  // Loaded only now: the parsers, emitters and ts-morph take most of a second to import.
  const { generate } = await import('./generate.ts');
  const result =
    config === undefined
      ? { diagnostics: diagnostics.items, hasErrors: true, documents }
      : await generate(config, {
          diagnostics,
          documents,
          check,
          force: parsed.values.force === true,
          onProgress: progressLine(parsed),
        });
  clearProgress(parsed);
  printDiagnostics(parsed.format, result.diagnostics, result.documents);
  if (config === undefined || !('write' in result) || result.write === undefined) {
    process.stderr.write(`specgate generate: nothing ${check ? 'checked' : 'written'}\n`);
    return 1;
  }
  const { write, api } = result;
  if (write.status === 'refused') {
    process.stderr.write(`specgate generate: ${write.reason}\n`);
    return 1;
  }
  const routeCount = api?.routes.length ?? 0;
  if (!hasDrift(write) || !write.checked) {
    recordRun(config, {
      inputs: result.documents.texts,
      diagnostics: result.diagnostics,
      routeCount,
      files: (result.files ?? []).map((file) => file.path),
    });
  }
  printGenerateSummary(parsed.format, write, config, routeCount, started, false);
  return write.checked && hasDrift(write) ? 1 : 0;
}

/**
 * The progress line of a long generation, on stderr: rewritten in place on a terminal (human
 * format), one line per stage with `--progress` when stderr is not one (CI logs).
 */
function progressLine(parsed: CommandArgs): ((stage: string) => void) | undefined {
  const wanted = parsed.values.progress ?? (process.stderr.isTTY && parsed.format === 'human');
  if (wanted !== true) return undefined;
  const started = performance.now();
  return (stage) => {
    const line = `specgate: ${stage}… (${((performance.now() - started) / 1000).toFixed(1)} s)`;
    process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
  };
}

function clearProgress(parsed: CommandArgs): void {
  if (process.stderr.isTTY && progressLine(parsed) !== undefined) process.stderr.write('\r\x1b[K');
}

function printGenerateSummary(
  format: Format,
  write: WriteDone,
  config: SpecgateConfig,
  routes: number,
  started: number,
  cached: boolean,
): void {
  // Machine formats keep stdout for the diagnostics alone.
  const summary = format === 'human' ? process.stdout : process.stderr;
  summary.write(
    generateSummary(write, {
      folder: displayPath(config.out),
      routes,
      seconds: (performance.now() - started) / 1000,
      cached,
    }),
  );
}

/**
 * What `generate` did, or with `--check` what it would do, for people: counts of generated
 * files (the manifest is mentioned only when it alone differs) and routes, and the time taken.
 */
function generateSummary(
  write: WriteDone,
  run: { folder: string; routes: number; seconds: number; cached: boolean },
): string {
  const generated = (paths: readonly string[]): string[] =>
    paths.filter((path) => path !== manifestName);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const routes = `${plural(run.routes, 'route')}`;
  const kept = write.kept.map(
    (path) => `  kept     ${path} (no longer generated, but edited since)\n`,
  );
  const time = `${run.seconds.toFixed(1)} s${run.cached ? ' (specs, config and specgate unchanged since the last run)' : ''}`;
  const unchanged = generated(write.unchanged).length;
  if (!write.checked) {
    const written = generated([...write.added, ...write.changed]).length;
    return `\nWrote ${plural(written, 'file')} to ${run.folder} (${unchanged} unchanged, ${write.removed.length} removed), ${routes}, in ${time}.\n${kept.join('')}`;
  }
  if (!hasDrift(write)) {
    return `\n${run.folder} is up to date (${plural(unchanged, 'file')}, ${routes}) in ${time}.\n${kept.join('')}`;
  }
  const changes = [
    ...write.added.map((path) => ({ what: 'added', path })),
    ...write.changed.map((path) => ({ what: 'changed', path })),
    ...write.removed.map((path) => ({ what: 'removed', path })),
  ];
  const files = changes.filter((c) => c.path !== manifestName);
  const lines = (files.length > 0 ? files : changes).map(
    ({ what, path }) => `  ${what.padEnd(8)} ${path}\n`,
  );
  return `\n${run.folder} is out of date; \`specgate generate\` would change:\n${lines.join('')}${kept.join('')}`;
}

type OptionSpec = {
  readonly [name: string]: {
    type: 'string' | 'boolean';
    short?: string;
    default?: string | boolean;
  };
};

interface CommandArgs {
  readonly values: { readonly [name: string]: string | boolean | undefined };
  readonly positionals: readonly string[];
  readonly format: Format;
}

/** The options every command that reads specs takes (`--config`, `--format`) plus its own. */
function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
): CommandArgs | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        format: { type: 'string', default: 'human' },
        ...options,
      },
    });
  } catch (error) {
    process.stderr.write(
      `specgate ${command}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  const format = parsed.values.format;
  if (typeof format !== 'string' || !isFormat(format)) {
    process.stderr.write(`specgate ${command}: --format must be one of ${formats.join(', ')}\n`);
    return 2;
  }
  return { values: parsed.values, positionals: parsed.positionals, format };
}

interface LoadedConfig {
  readonly config: SpecgateConfig | undefined;
  readonly diagnostics: Diagnostics;
  readonly documents: DocumentSet;
}

/** The config of a command's arguments; undefined (with diagnostics) when it is unusable. */
function loadCommandConfig(command: string, args: CommandArgs): LoadedConfig | number {
  const diagnostics = new Diagnostics();
  const documents = new DocumentSet(diagnostics);
  const configPath = args.values.config;
  const config = resolveConfig(
    typeof configPath === 'string' ? configPath : undefined,
    args.positionals,
    documents,
    diagnostics,
  );
  if (config === 'usage') {
    process.stderr.write(
      `specgate ${command}: give --config FILE, or the OpenAPI and AsyncAPI paths\n\n${usage}`,
    );
    return 2;
  }
  return { config, diagnostics, documents };
}

/** Every diagnostic, in the chosen format, to stdout. */
function printDiagnostics(
  format: Format,
  items: readonly Diagnostic[],
  documents: DocumentSet,
): void {
  switch (format) {
    case 'human':
      // A cached run's diagnostics name files this run did not load: their frames come from disk.
      process.stdout.write(formatHuman(items, (file) => documents.text(file) ?? readText(file)));
      break;
    case 'json':
      process.stdout.write(formatJson(items));
      break;
    case 'sarif':
      process.stdout.write(formatSarif(items));
      break;
    case 'github':
      process.stdout.write(formatGithub(items));
      break;
  }
}

/** A path as the user would type it from here. */
function displayPath(path: string): string {
  return relative(process.cwd(), path) || '.';
}

/** `--config FILE`, or two positional spec paths, or `specgate.yaml` in the current folder. */
function resolveConfig(
  configPath: string | undefined,
  positionals: readonly string[],
  documents: DocumentSet,
  diagnostics: Diagnostics,
): SpecgateConfig | undefined | 'usage' {
  if (configPath !== undefined) return loadConfig(configPath, documents, diagnostics);
  const [openapi, asyncapi, extra] = positionals;
  if (openapi !== undefined && asyncapi !== undefined && extra === undefined) {
    return configFromPaths(openapi, asyncapi);
  }
  if (positionals.length === 0 && existsSync('specgate.yaml')) {
    return loadConfig('specgate.yaml', documents, diagnostics);
  }
  return 'usage';
}

function isFormat(value: string | undefined): value is Format {
  return (formats as readonly (string | undefined)[]).includes(value);
}

const usage = `specgate: OpenAPI + AsyncAPI in, a typed CQRS gateway on Kafka out.

Usage:
  specgate validate [--config specgate.yaml | <openapi> <asyncapi>] [--format human|json|sarif|github] [--strict]
      Check both specs, report every problem with its place, and list the routes they bind to.
      Exit 1 on errors (and on warnings with --strict).
  specgate generate [--config specgate.yaml | <openapi> <asyncapi>] [--out DIR] [--check] [--force]
                    [--watch] [--progress] [--format human|json|sarif|github]
      Validate, then write the config's targets (default: the typed gateway, client SDK and
      service handlers, and the types they share) to the output folder (the config's "out",
      else ./generated). Files specgate no longer generates are removed;
      files it did not generate are never touched. --check writes nothing and exits 1 when the
      folder is out of date; --force writes into a folder specgate did not create; --watch
      generates again whenever the config or a spec changes (an edit with errors is reported and
      leaves the last good output in place).
  specgate init [DIR] [--force]
      Scaffold specgate.yaml and a minimal OpenAPI + AsyncAPI pair (a notes API) in DIR (default
      .), so \`specgate generate\` works right after. Never overwrites without --force.
  specgate help
`;
