/**
 * B6's input: the GitHub REST API's OpenAPI document (the devDependency `@octokit/openapi`, its
 * `api.github.com.json`), and an AsyncAPI document mapping every operation to a Kafka operation
 * of the same id (test/corpus/kafka-counterpart.ts, which test/corpus's GitHub test uses too):
 * reads (`GET`) receive from a compacted topic of their own, everything else sends to one.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { kafkaCounterpartOf } from '../../test/corpus/kafka-counterpart.ts';

const require = createRequire(import.meta.url);
const openapi = require.resolve('@octokit/openapi/generated/api.github.com.json');
export const octokitVersion = (
  JSON.parse(readFileSync(require.resolve('@octokit/openapi/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const out = fileURLToPath(new URL('../.out/github/', import.meta.url));

export interface GithubSpecs {
  readonly openapi: string;
  readonly asyncapi: string;
  readonly operations: number;
}

export function githubSpecs(): GithubSpecs {
  mkdirSync(out, { recursive: true });
  const counterpart = kafkaCounterpartOf(openapi);
  const asyncapi = `${out}asyncapi.json`;
  writeFileSync(asyncapi, JSON.stringify(counterpart.document));
  return { openapi, asyncapi, operations: counterpart.operationIds.length };
}
