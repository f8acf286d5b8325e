// The generator's programmatic API (`import … from 'specgate'`).
export { main } from './cli.ts';
export { configFromPaths, loadConfig } from './config.ts';
export type { SpecgateConfig, Target } from './config.ts';
export { Diagnostics } from './diagnostics.ts';
export type { Diagnostic, Severity } from './diagnostics.ts';
export { defineConfig, generate, validate } from './api.ts';
export type { ApiOptions, ConfigInput, MappingInput } from './api.ts';
export type { GenerateResult } from './generate.ts';
export type { WriteResult } from './write.ts';
export { validateSpecs } from './validate.ts';
export type { ValidateResult } from './validate.ts';
export type { Api, Route } from './ir/types.ts';
