import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromPaths } from './config.ts';
import { declaredTopics } from './topics.ts';
import { validateSpecs } from './validate.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));

async function topicsOf(openapi: string, asyncapi: string) {
  const result = await validateSpecs(configFromPaths(join(repo, openapi), join(repo, asyncapi)));
  if (result.api === undefined) throw new Error('the specs did not parse');
  return declaredTopics(result.api);
}

describe('declaredTopics', () => {
  it('lists the todo topics with their partitions, replicas and configs', async () => {
    const topics = await topicsOf('specs/todo/openapi.yaml', 'specs/todo/asyncapi.yaml');
    expect(topics.map((t) => t.topic)).toEqual([
      'task-commands',
      'task-events',
      'task-replies',
      'task-snapshots',
    ]);
    expect(topics.find((t) => t.topic === 'task-snapshots')).toEqual({
      topic: 'task-snapshots',
      partitions: 3,
      replicationFactor: 1,
      config: { 'cleanup.policy': 'compact' },
    });
    expect(topics.find((t) => t.topic === 'task-events')?.config).toEqual({
      'retention.ms': '-1',
      'cleanup.policy': 'delete',
    });
  });

  it('leaves out channels whose address has parameters', async () => {
    const topics = await topicsOf(
      'test/golden/gateway/fixtures/streetlights/openapi.yaml',
      'test/golden/gateway/fixtures/streetlights/asyncapi.yaml',
    );
    expect(topics.every((t) => !t.topic.includes('{'))).toBe(true);
  });
});
