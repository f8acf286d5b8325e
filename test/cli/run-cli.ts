/** Runs the CLI in-process with stdout and stderr captured; copies the todo specs for it. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../generator/cli.ts';

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[]): Promise<CliOutcome> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture(stdout));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture(stderr));
  try {
    const code = await main(argv);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Copies specs/todo's two documents into `dir` (made if missing); returns their paths. */
export function copyTodoSpecs(dir: string): { openapi: string; asyncapi: string } {
  mkdirSync(dir, { recursive: true });
  const openapi = join(dir, 'openapi.yaml');
  const asyncapi = join(dir, 'asyncapi.yaml');
  copyFileSync(join(repo, 'specs/todo/openapi.yaml'), openapi);
  copyFileSync(join(repo, 'specs/todo/asyncapi.yaml'), asyncapi);
  return { openapi, asyncapi };
}
