/** Generates the benchmark gateway from bench/specs into bench/.out/gen (what users would run). */
import { fileURLToPath } from 'node:url';
import { configFromPaths } from '../../generator/config.ts';
import { generate } from '../../generator/generate.ts';
import { declaredTopics } from '../../generator/topics.ts';
import type { TopicSpec } from '../../runtime/kafka/types.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export const genDir = here('../.out/gen');

export async function generateBenchGateway(): Promise<{ topics: TopicSpec[] }> {
  const config = {
    ...configFromPaths(here('../specs/openapi.yaml'), here('../specs/asyncapi.yaml'), genDir),
    targets: ['gateway' as const],
  };
  const result = await generate(config, { force: true });
  if (result.hasErrors || result.api === undefined) {
    throw new Error(`generating the bench gateway failed: ${JSON.stringify(result.diagnostics)}`);
  }
  return { topics: declaredTopics(result.api) };
}
