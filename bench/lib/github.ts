/**
 * B6's input: the GitHub REST API's OpenAPI document (npm `@octokit/openapi`, fetched with
 * `npm pack` into bench/.out on first use, so it is not a dependency everyone installs), and an
 * AsyncAPI document mapping every operation to a Kafka operation of the same id: reads
 * (`GET`) receive from a compacted topic of their own, everything else sends to one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const octokitVersion = '23.0.2';
const out = fileURLToPath(new URL('../.out/github/', import.meta.url));

export interface GithubSpecs {
  readonly openapi: string;
  readonly asyncapi: string;
  readonly operations: number;
}

export function githubSpecs(): GithubSpecs {
  mkdirSync(out, { recursive: true });
  const openapi = `${out}package/generated/api.github.com.json`;
  if (!existsSync(openapi)) {
    const tarball = `octokit-openapi-${octokitVersion}.tgz`;
    execFileSync('npm', ['pack', `@octokit/openapi@${octokitVersion}`, '--silent'], { cwd: out });
    execFileSync('tar', ['-xzf', tarball, 'package/generated/api.github.com.json'], { cwd: out });
  }
  const document = JSON.parse(readFileSync(openapi, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const methods = ['get', 'put', 'post', 'delete', 'patch'];
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!methods.includes(method) || operation.operationId === undefined) continue;
      const id = operation.operationId;
      const channel = `ch-${id.replace(/[^A-Za-z0-9]+/g, '-')}`;
      const read = method === 'get';
      channels[channel] = {
        address: `github.${channel.slice(3)}`,
        messages: { Message: { payload: { type: 'object' } } },
        bindings: {
          kafka: {
            partitions: 6,
            ...(read ? { topicConfiguration: { 'cleanup.policy': ['compact'] } } : {}),
          },
        },
      };
      operations[id] = {
        action: read ? 'receive' : 'send',
        channel: { $ref: `#/channels/${channel}` },
      };
    }
  }
  const asyncapi = `${out}asyncapi.json`;
  writeFileSync(
    asyncapi,
    JSON.stringify({
      asyncapi: '3.0.0',
      info: { title: 'GitHub on Kafka', version: '1.0.0' },
      channels,
      operations,
    }),
  );
  return { openapi, asyncapi, operations: Object.keys(operations).length };
}
