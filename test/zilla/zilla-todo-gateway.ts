/**
 * The gateway under test: specs/zilla-todo generated through its own specgate.yaml
 * (`compat: zilla`), with the three topics renamed to names of this run so that no other test's
 * commands, replies or snapshots mix with them (the todo tests use Zilla's topic names too).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { generate } from '../../generator/api.ts';
import { formatHuman } from '../../generator/format/human.ts';
import { createTopic, uniqueId } from '../kafka/brokers.ts';
import { repoRoot } from '../e2e/support.ts';

export interface ZillaTodoTopics {
  readonly commands: string;
  readonly replies: string;
  readonly snapshots: string;
}

/** Zilla's topic names, as specs/zilla-todo/asyncapi.yaml has them. */
const zillaTopics: ZillaTodoTopics = {
  commands: 'task-commands',
  replies: 'task-replies',
  snapshots: 'task-snapshots',
};

/**
 * Copies specs/zilla-todo under test/.tmp with the channel addresses renamed, generates it from
 * its specgate.yaml and creates the topics (one partition each; the snapshots compacted).
 * Returns the generated `gateway/server.ts` and the topic names.
 */
export async function prepareZillaTodo(
  admin: Admin,
): Promise<{ serverFile: string; topics: ZillaTodoTopics }> {
  const run = uniqueId('zilla-todo');
  const dir = join(repoRoot, 'test/.tmp', run);
  await mkdir(dir, { recursive: true });
  const topics: ZillaTodoTopics = {
    commands: `${run}-task-commands`,
    replies: `${run}-task-replies`,
    snapshots: `${run}-task-snapshots`,
  };
  const source = join(repoRoot, 'specs/zilla-todo');
  let asyncapi = await readFile(join(source, 'asyncapi.yaml'), 'utf8');
  for (const role of ['commands', 'replies', 'snapshots'] as const) {
    const line = new RegExp(`^(\\s+address: )${zillaTopics[role]}$`, 'm');
    if (!line.test(asyncapi)) {
      throw new Error(`specs/zilla-todo/asyncapi.yaml has no \`address: ${zillaTopics[role]}\``);
    }
    asyncapi = asyncapi.replace(line, `$1${topics[role]}`);
  }
  await writeFile(join(dir, 'asyncapi.yaml'), asyncapi);
  for (const file of ['openapi.yaml', 'specgate.yaml']) {
    await writeFile(join(dir, file), await readFile(join(source, file)));
  }

  const result = await generate(join(dir, 'specgate.yaml'), { force: true });
  if (result.hasErrors || result.write === undefined) {
    throw new Error(
      `generate failed:\n${formatHuman(result.diagnostics, (file) => result.documents.text(file))}`,
    );
  }
  await createTopic(admin, topics.commands);
  await createTopic(admin, topics.replies);
  await createTopic(admin, topics.snapshots, { compacted: true });
  return { serverFile: join(dir, 'generated/gateway/server.ts'), topics };
}
