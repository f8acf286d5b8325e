// The generator's programmatic API (`import … from 'specgate'`).
export { main } from './cli.ts';
export { configFromPaths, loadConfig } from './config.ts';
export type { SpecgateConfig, Target } from './config.ts';
export { Diagnostics } from './diagnostics.ts';
export type { Diagnostic, Severity } from './diagnostics.ts';
export { generate } from './generate.ts';
export type { GenerateOptions, GenerateResult } from './generate.ts';
export { validateSpecs } from './validate.ts';
export type { ValidateResult } from './validate.ts';
export type { Api, Route } from './ir/types.ts';
