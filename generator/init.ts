/**
 * `specgate init [DIR]`: scaffolds a project a newcomer can generate from at once — a
 * `specgate.yaml` and a minimal OpenAPI + AsyncAPI pair (a notes API: commands write records to a
 * compacted topic, queries and a stream read its view) — from templates/init/. It never
 * overwrites a file unless forced.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

const templates = new URL('../templates/init/', import.meta.url);

/** What init writes: the path in the project ← the template. */
const scaffold = [
  { path: 'specgate.yaml', template: 'specgate.yaml' },
  { path: 'specs/openapi.yaml', template: 'openapi.yaml' },
  { path: 'specs/asyncapi.yaml', template: 'asyncapi.yaml' },
] as const;

export type InitResult =
  | { readonly ok: true; readonly written: readonly string[] }
  | { readonly ok: false; readonly existing: readonly string[] };

/** Writes the scaffold into `dir`; refuses (listing them) when any of its files exists. */
export async function initProject(
  dir: string,
  options: { force?: boolean } = {},
): Promise<InitResult> {
  const root = resolve(dir);
  const existing = scaffold.map((f) => f.path).filter((path) => existsSync(join(root, path)));
  if (existing.length > 0 && options.force !== true) return { ok: false, existing };
  for (const file of scaffold) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await readFile(new URL(file.template, templates), 'utf8'));
  }
  return { ok: true, written: scaffold.map((f) => f.path) };
}

/** The command's report: what was written and what to do next. */
export function initSummary(dir: string, result: InitResult): string {
  const where = relative(process.cwd(), resolve(dir)) || '.';
  if (!result.ok) {
    return `specgate init: ${where} already has ${result.existing.join(', ')}; nothing written (--force overwrites)\n`;
  }
  const cd = where === '.' ? '' : `cd ${where} && `;
  return [
    `Wrote ${result.written.join(', ')} in ${where === '.' ? 'this folder' : where}.`,
    '',
    'Next:',
    `  ${cd}npx specgate generate        # the gateway, client SDK and service handlers, in generated/`,
    '  KAFKA_BROKERS=127.0.0.1:9092 npx tsx generated/gateway/server.ts   # serve it (PORT=8080)',
    '',
  ].join('\n');
}
