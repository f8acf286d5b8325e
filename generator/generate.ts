/**
 * `specgate generate` as a function (design §2): validate the specs, emit the files of the
 * configured targets, prove they type-check, and write them (or, with `check`, compare them
 * with what is on disk). Nothing is written when any stage reports an error.
 */
import { dirname, join } from 'node:path';
import type { SpecgateConfig } from './config.ts';
import { Diagnostics, type Diagnostic } from './diagnostics.ts';
import { emitGateway } from './emit/gateway/index.ts';
import { clientCheckFiles } from './emit/client/check-files.ts';
import { emitClient } from './emit/client/index.ts';
import { gatewayCheckFiles } from './emit/gateway/check-files.ts';
import { emitService, serviceCheckFiles } from './emit/service/index.ts';
import type { GeneratedFile } from './emit/generated-file.ts';
import { checkTypeScript, emitTypes } from './emit/types/index.ts';
import type { Api } from './ir/types.ts';
import { DocumentSet } from './load/document-set.ts';
import { validateSpecs } from './validate.ts';
import { writeFiles, type WriteResult } from './write.ts';

export interface GenerateOptions {
  /** Compare with the output folder instead of writing to it. */
  readonly check?: boolean;
  /** Write into a folder specgate did not generate (see write.ts). */
  readonly force?: boolean;
  /** Diagnostics and documents already in use (from loading the config file). */
  readonly diagnostics?: Diagnostics;
  readonly documents?: DocumentSet;
  /** Told as each stage starts, for a progress line (`reading the specs`, …). */
  readonly onProgress?: (stage: string) => void;
}

export interface GenerateResult {
  /** Present when both specs parsed. */
  readonly api?: Api;
  readonly diagnostics: readonly Diagnostic[];
  readonly hasErrors: boolean;
  readonly documents: DocumentSet;
  /** The emitted files; absent when validation failed. */
  readonly files?: readonly GeneratedFile[];
  /** What the write stage did (or, with `check`, would do); absent when it did not run. */
  readonly write?: WriteResult;
}

export async function generate(
  config: SpecgateConfig,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const diagnostics = options.diagnostics ?? new Diagnostics();
  const documents = options.documents ?? new DocumentSet(diagnostics);
  const progress = options.onProgress ?? ((): void => undefined);
  progress('reading the specs');
  const validated = await validateSpecs(config, { diagnostics, documents });
  const { api } = validated;
  if (api === undefined || validated.hasErrors) return validated;

  progress(`emitting ${config.targets.join(', ')} for ${api.routes.length} routes`);
  const files = emitTargets(api, config);
  const bytes = files.reduce((sum, file) => sum + file.content.length, 0);
  progress(`type-checking ${files.length} files (${Math.round(bytes / 1024)} KiB)`);
  reportTypeErrors(files, config.out, diagnostics);
  const result = { api, documents, files, diagnostics: diagnostics.items };
  if (diagnostics.hasErrors) return { ...result, hasErrors: true };
  progress(options.check === true ? 'comparing' : 'writing');
  const write = await writeFiles(config.out, files, { check: options.check, force: options.force });
  return { ...result, hasErrors: false, write };
}

/**
 * Design §2: what was emitted must type-check. A file that does not is a specgate bug, reported
 * at its place in the output folder (it is not written: the run has an error).
 */
export function reportTypeErrors(
  files: readonly GeneratedFile[],
  out: string,
  diagnostics: Diagnostics,
): void {
  const emitted = new Set(files.map((f) => f.path));
  for (const problem of checkTypeScript(files, {
    extraFiles: [...gatewayCheckFiles(), ...clientCheckFiles(), ...serviceCheckFiles()],
    // Their problems are dropped below: the compiler checks of them only what emitted files use.
    checkExtraFiles: false,
  })) {
    // Problems in the stand-ins for the runtime and Fastify are not the emitted code's.
    if (!emitted.has(problem.file)) continue;
    diagnostics.report(
      'SG_EMIT_TYPECHECK',
      `generated ${problem.file} does not type-check, a bug in specgate (please report it): ${problem.code} ${problem.message}`,
      { file: join(out, problem.file), pointer: '', line: problem.line, column: problem.column },
    );
  }
}

/**
 * Every file of the config's targets, in a stable order: `types.ts` (which every target
 * shares), then the gateway's, the client's and the service's.
 */
export function emitTargets(
  api: Api,
  config: SpecgateConfig,
  root: string = projectRoot(config),
): GeneratedFile[] {
  if (config.targets.length === 0) return [];
  // Every emitter names and shapes types alike (type-context.ts): one set of type options.
  const types = { root, dateTime: config.types.dateTime };
  const files = emitTypes(api, types);
  if (config.targets.includes('gateway')) {
    files.push(
      ...emitGateway(api, {
        ...types,
        runtime: config.runtime,
        out: config.out,
        ...(config.auth === undefined ? {} : { auth: config.auth }),
        ...(config.http === undefined ? {} : { http: config.http }),
        compat: config.compat,
      }),
    );
  }
  if (config.targets.includes('client'))
    files.push(...emitClient(api, { ...types, compat: config.compat }));
  if (config.targets.includes('service')) files.push(...emitService(api, types));
  return files;
}

/** The folder file headers name spec paths relative to: the config file's, else the cwd. */
export function projectRoot(config: SpecgateConfig): string {
  return config.file === undefined ? process.cwd() : dirname(config.file);
}
