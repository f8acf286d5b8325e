/** The `specgate` command line: parses arguments and dispatches to a subcommand. */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { configFromPaths, loadConfig, type SpecgateConfig } from './config.ts';
import { Diagnostics } from './diagnostics.ts';
import { formatHuman } from './format/human.ts';
import { formatGithub, formatJson, formatSarif } from './format/machine.ts';
import { DocumentSet } from './load/document-set.ts';
import { formatRouteTable } from './route-table.ts';
import { validateSpecs } from './validate.ts';

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
    default:
      process.stderr.write(`specgate: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

async function validateCommand(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        format: { type: 'string', default: 'human' },
        strict: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(
      `specgate validate: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  const format = parsed.values.format;
  if (!isFormat(format)) {
    process.stderr.write(`specgate validate: --format must be one of ${formats.join(', ')}\n`);
    return 2;
  }
  const diagnostics = new Diagnostics();
  const documents = new DocumentSet(diagnostics);
  const config = resolveConfig(parsed.values.config, parsed.positionals, documents, diagnostics);
  if (config === 'usage') {
    process.stderr.write(
      `specgate validate: give --config FILE, or the OpenAPI and AsyncAPI paths\n\n${usage}`,
    );
    return 2;
  }
  const result =
    config === undefined
      ? { diagnostics: diagnostics.items, hasErrors: true, documents, api: undefined }
      : await validateSpecs(config, { diagnostics, documents });
  const items = result.diagnostics;
  const textOf = (file: string): string | undefined => result.documents.text(file);
  switch (format) {
    case 'human':
      process.stdout.write(formatHuman(items, textOf));
      if (result.api) process.stdout.write(`\n${formatRouteTable(result.api.routes)}`);
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
  const hasWarnings = items.some((d) => d.severity === 'warning');
  return result.hasErrors || (parsed.values.strict && hasWarnings) ? 1 : 0;
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
  specgate help
`;
