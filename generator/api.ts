/**
 * The generator as functions for build tools (issue 11): `generate` and `validate` take the path
 * of a `specgate.yaml` or a config object of the same shape — `defineConfig` types one in
 * TypeScript — and return the diagnostics and what was written; they never print and never exit.
 * A config object is checked by exactly the rules of the file (config.ts), its relative paths
 * resolved against `cwd`.
 */
import { join, resolve } from 'node:path';
import {
  loadConfig,
  type AuthSettings,
  type HttpSettings,
  type RuntimeConfig,
  type SpecgateConfig,
  type Target,
  type TypesConfig,
} from './config.ts';
import { Diagnostics } from './diagnostics.ts';
import { generate as generateResolved, type GenerateResult } from './generate.ts';
import type { FilterSpec, Route } from './ir/types.ts';
import { DocumentSet } from './load/document-set.ts';
import { validateSpecs, type ValidateResult } from './validate.ts';

/** One `routes` entry: how an HTTP operation maps to Kafka (the `x-specgate` fields). */
export interface MappingInput {
  readonly operation?: string;
  readonly kind?: Route['kind'];
  readonly key?: string;
  readonly overrides?: { readonly [header: string]: string };
  readonly filters?: readonly (Omit<FilterSpec, 'name'> & { readonly name?: string })[];
  readonly owner?: string;
}

/** `specgate.yaml` as an object; paths relative to `cwd` (default the working directory). */
export interface ConfigInput {
  readonly openapi: string;
  readonly asyncapi: string;
  readonly out?: string;
  readonly targets?: readonly Target[];
  readonly compat?: SpecgateConfig['compat'];
  readonly routes?: { readonly [operationId: string]: MappingInput };
  readonly runtime?: Partial<RuntimeConfig>;
  readonly types?: Partial<TypesConfig>;
  readonly auth?: AuthSettings;
  readonly http?: HttpSettings;
}

/** Types a config in `specgate.config.ts`; returns it unchanged. */
export function defineConfig<const T extends ConfigInput>(config: T): T {
  return config;
}

export interface ApiOptions {
  /** Where a config object's relative paths start; default `process.cwd()`. */
  readonly cwd?: string;
}

/** Validates both specs and their binding; the diagnostics say what is wrong, and where. */
export async function validate(
  config: string | ConfigInput,
  options: ApiOptions = {},
): Promise<ValidateResult> {
  const loaded = resolveInput(config, options);
  if (loaded.config === undefined) return unusable(loaded);
  return validateSpecs(loaded.config, loaded);
}

/**
 * Generates the config's targets into its output folder (`check`: compares instead of writing).
 * Nothing is written when any stage reports an error.
 */
export async function generate(
  config: string | ConfigInput,
  options: ApiOptions & { readonly check?: boolean; readonly force?: boolean } = {},
): Promise<GenerateResult> {
  const loaded = resolveInput(config, options);
  if (loaded.config === undefined) return unusable(loaded);
  return generateResolved(loaded.config, {
    ...loaded,
    ...(options.check === undefined ? {} : { check: options.check }),
    ...(options.force === undefined ? {} : { force: options.force }),
  });
}

interface Loaded {
  readonly config: SpecgateConfig | undefined;
  readonly diagnostics: Diagnostics;
  readonly documents: DocumentSet;
}

function resolveInput(config: string | ConfigInput, options: ApiOptions): Loaded {
  const cwd = resolve(options.cwd ?? process.cwd());
  // An object is read as a config file would be: the same checks, the same messages.
  const file =
    typeof config === 'string' ? resolve(cwd, config) : join(cwd, '(config object).json');
  const texts =
    typeof config === 'string'
      ? new Map<string, string>()
      : new Map([[file, JSON.stringify(config, null, 2)]]);
  const diagnostics = new Diagnostics();
  const documents = new DocumentSet(diagnostics, texts);
  return { config: loadConfig(file, documents, diagnostics), diagnostics, documents };
}

function unusable(loaded: Loaded): GenerateResult & ValidateResult {
  return { diagnostics: loaded.diagnostics.items, hasErrors: true, documents: loaded.documents };
}
