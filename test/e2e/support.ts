/**
 * End-to-end helpers: generate a gateway from specs into test/.tmp (inside the repo, so the
 * generated `specgate/runtime` imports resolve through the package's own exports), start it
 * against the test broker, and play the service with a small responder.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configFromPaths } from '../../generator/config.ts';
import { formatHuman } from '../../generator/format/human.ts';
import { generate } from '../../generator/generate.ts';
import {
  createGateway,
  type CreateGatewayOptions,
  type Gateway,
  type GatewaySpec,
  type RegisterRoutes,
} from '../../runtime/index.ts';
import { formatTopicProgress, progressAfter } from '../../runtime/gateway/progress.ts';
import { createKafkaClient, isKafkaError } from '../../runtime/kafka/index.ts';
import { freeLoopbackPorts } from '../../scripts/kafka/ports.ts';
import { kafkaBrokers } from '../kafka/brokers.ts';
import { startReadyChild, type ReadyChild } from '../process/ready-child.ts';
import type {
  KafkaClient,
  KafkaProducer,
  KafkaRecord,
  OutgoingRecord,
  RecordPosition,
} from '../../runtime/kafka/types.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** Generates a gateway from two specs into a fresh folder under test/.tmp; throws on errors. */
export async function generateGateway(
  name: string,
  openapi: string,
  asyncapi: string,
): Promise<string> {
  const out = join(repoRoot, 'test/.tmp', `${name}-${randomUUID().slice(0, 8)}`);
  await mkdir(out, { recursive: true });
  const config = configFromPaths(resolve(repoRoot, openapi), resolve(repoRoot, asyncapi), out);
  const result = await generate(config, { force: true });
  if (result.hasErrors || result.write === undefined) {
    throw new Error(
      `generate failed:\n${formatHuman(result.diagnostics, (file) => result.documents.text(file))}`,
    );
  }
  return out;
}

/** Imports a generated gateway's spec and routes and starts it on a free port. */
export async function startGenerated(
  out: string,
  options: Omit<CreateGatewayOptions, 'spec' | 'routes'>,
): Promise<{ gateway: Gateway; url: string; spec: GatewaySpec }> {
  const { spec, routes } = await importGenerated(out);
  const gateway = await createGateway({ ...options, spec, routes });
  const url = await gateway.listen();
  return { gateway, url, spec };
}

/**
 * Copies specs/todo into a fresh folder under test/.tmp with the snapshot channel's address
 * renamed to `topic`: a topic of the test's own, whose configs and contents no other test
 * shares. Returns the two spec paths.
 */
export async function todoSpecsWithSnapshotTopic(
  topic: string,
): Promise<{ openapi: string; asyncapi: string }> {
  const dir = join(repoRoot, 'test/.tmp', `todo-specs-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  const source = await readFile(join(repoRoot, 'specs/todo/asyncapi.yaml'), 'utf8');
  const renamed = source.replace(/^(\s+address: )task-snapshots$/m, `$1${topic}`);
  if (renamed === source) {
    throw new Error('specs/todo/asyncapi.yaml has no `address: task-snapshots` line to rename');
  }
  const openapi = join(dir, 'openapi.yaml');
  const asyncapi = join(dir, 'asyncapi.yaml');
  await copyFile(join(repoRoot, 'specs/todo/openapi.yaml'), openapi);
  await writeFile(asyncapi, renamed);
  return { openapi, asyncapi };
}

/**
 * A copy of the todo specs with a `bearer` scheme (scope `todo`) required everywhere and the
 * reads (list, item, history) owned by the `specgate-identity` header.
 */
export async function secureTodoSpecs(): Promise<{ openapi: string; asyncapi: string }> {
  const dir = join(repoRoot, 'test/.tmp', `secure-todo-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  let text = await readFile(join(repoRoot, 'specs/todo/openapi.yaml'), 'utf8');
  const edits: [RegExp, string][] = [
    [/^security: \[\]$/m, 'security:\n  - bearer: [todo]'],
    [
      /^components:$/m,
      'components:\n  securitySchemes:\n    bearer:\n      type: http\n      scheme: bearer\n      bearerFormat: JWT',
    ],
    ...['listTasks', 'getTask', 'getTaskHistory'].map((id): [RegExp, string] => [
      new RegExp(`^( +)operationId: ${id}$`, 'm'),
      `$1operationId: ${id}\n$1x-specgate:\n$1  owner: specgate-identity`,
    ]),
  ];
  for (const [pattern, replacement] of edits) {
    const edited = text.replace(pattern, replacement);
    if (edited === text) throw new Error(`specs/todo/openapi.yaml has no ${String(pattern)}`);
    text = edited;
  }
  const openapi = join(dir, 'openapi.yaml');
  await writeFile(openapi, text);
  return { openapi, asyncapi: join(repoRoot, 'specs/todo/asyncapi.yaml') };
}

/** A generated gateway's spec and routes, for calling createGateway directly. */
export async function importGenerated(
  out: string,
): Promise<{ spec: GatewaySpec; routes: RegisterRoutes }> {
  const specModule: unknown = await import(pathToFileURL(join(out, 'gateway/spec.ts')).href);
  const routesModule: unknown = await import(pathToFileURL(join(out, 'gateway/routes.ts')).href);
  return {
    spec: (specModule as { spec: GatewaySpec }).spec,
    routes: (routesModule as { routes: RegisterRoutes }).routes,
  };
}

/** The todo example's topics, 3 partitions each, as specs/todo/asyncapi.yaml declares them. */
export async function ensureTodoTopics(kafka: KafkaClient): Promise<void> {
  await kafka.admin.ensureTopics([
    { topic: 'task-commands', partitions: 3 },
    { topic: 'task-replies', partitions: 3 },
    { topic: 'task-snapshots', partitions: 3, compacted: true },
    { topic: 'task-events', partitions: 3 },
  ]);
}

export function testKafka(brokers: readonly string[]): KafkaClient {
  return createKafkaClient({
    brokers,
    clientId: `specgate-test-${randomUUID().slice(0, 8)}`,
    logLevel: 'nothing',
  });
}

/**
 * A stand-in for the todo service, written the way a Zilla backend is: it reads only the
 * `zilla:correlation-id` and `zilla:reply-to` headers of each command and answers with
 * `:status`. A command whose key starts with "no-reply" is never answered (for timeouts); an
 * `if-match` other than the task's current etag gets 412. Before it answers a command that
 * succeeds, it writes the task's snapshot (a tombstone on delete) to `task-snapshots` and its
 * event to `task-events`, and names both positions in the reply's `specgate-progress` header,
 * as the generated service does (read-your-writes, design §4).
 */
export async function startTodoResponder(kafka: KafkaClient): Promise<{
  readonly commands: KafkaRecord[];
  stop(): Promise<void>;
}> {
  await ensureTodoTopics(kafka);
  const producer = kafka.producer();
  const send = (record: OutgoingRecord): Promise<RecordPosition> =>
    sendUntilWritten(producer, record);
  const commands: KafkaRecord[] = [];
  const versions = new Map<string, number>();
  const reader = kafka.reader('task-commands', {
    from: 'latest',
    onRecords: async (records) => {
      for (const record of records) {
        commands.push(record);
        const correlationId = record.headers['zilla:correlation-id'];
        const replyTo = record.headers['zilla:reply-to'];
        const body =
          record.value === null || record.value.length === 0
            ? {}
            : (JSON.parse(record.value.toString()) as Record<string, unknown>);
        const unanswered = record.key?.toString().startsWith('no-reply') === true;
        if (correlationId === undefined || replyTo === undefined || unanswered) continue;
        const id = record.key?.toString() ?? '';
        const type = record.headers['command-type'];
        const version = versions.get(id) ?? 0;
        const ifMatch = record.headers['if-match'];
        let status = 200;
        let value: string | null = null;
        const headers: Record<string, string> = { 'zilla:correlation-id': correlationId };
        if (ifMatch !== undefined && ifMatch !== `v${version}`) {
          status = 412;
          value = JSON.stringify({
            type: 'about:blank',
            title: 'Precondition Failed',
            status: 412,
          });
          headers['content-type'] = 'application/problem+json';
        } else if (type === 'DeleteTask') {
          status = 204;
          versions.delete(id);
        } else {
          const next = version + 1;
          versions.set(id, next);
          status = type === 'CreateTask' ? 201 : 200;
          value = JSON.stringify({
            id,
            title: body.title ?? 'untitled',
            done: body.done === true,
            version: next,
          });
          headers['content-type'] = 'application/json';
          headers.etag = `v${next}`;
          if (type === 'CreateTask') headers.location = `/tasks/${id}`;
        }
        headers[':status'] = String(status);
        if (status < 400 && type !== undefined) {
          const now = new Date().toISOString();
          // Passed on as the generated service does (design §8): history and owned routes use it.
          const caller = record.headers['specgate-identity'];
          const identity: Record<string, string> =
            caller === undefined ? {} : { 'specgate-identity': caller };
          const snapshot = await send({
            topic: 'task-snapshots',
            key: record.key,
            value:
              type === 'DeleteTask' || value === null
                ? null
                : JSON.stringify({
                    ...(JSON.parse(value) as object),
                    createdAt: now,
                    updatedAt: now,
                  }),
            headers: { ...(headers.etag === undefined ? {} : { etag: headers.etag }), ...identity },
          });
          const event = await send({
            topic: 'task-events',
            key: record.key,
            value: JSON.stringify({ id, at: now, ...eventFields(type, body) }),
            headers: {
              'event-type': type.replace(/^(\w+?)Task$/, 'Task$1d').replace('eed', 'ed'),
              ...identity,
            },
          });
          headers['specgate-progress'] = formatTopicProgress(
            [snapshot, event].map((p) => [p.topic, progressAfter(p.partition, p.offset)] as const),
          );
        }
        await send({ topic: replyTo, key: record.key, value, headers });
      }
    },
  });
  await reader.caughtUp;
  return {
    commands,
    async stop() {
      await reader.stop();
      await producer.close();
    },
  };
}

/**
 * As a service does through an outage: a send that failed retriably (the broker is down) is
 * sent again until it is written, so a command read before the outage is still answered after
 * it (a send that timed out may have been written: its record is then there twice).
 */
async function sendUntilWritten(
  producer: KafkaProducer,
  record: OutgoingRecord,
  timeoutMs = 120_000,
): Promise<RecordPosition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await producer.send(record);
    } catch (error) {
      if (!isKafkaError(error) || !error.retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The fields an event adds to `{ id, at }`, from its command's body. */
function eventFields(type: string, body: Record<string, unknown>): Record<string, unknown> {
  if (type === 'CreateTask' || type === 'RenameTask') return { title: body.title ?? 'untitled' };
  if (type === 'CompleteTask') return { done: body.done === true };
  return {};
}

/** Waits until `check` passes (bounded); for records that arrive asynchronously. */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs a generated `gateway/server.ts` as its own process, the way a user runs it, on a free
 * port of 127.0.0.1; resolves once `/readyz` answers 200 (its views have loaded).
 */
export async function startServerProcess(
  serverFile: string,
  env: Record<string, string> = {},
): Promise<{ readonly child: ReadyChild; readonly url: string }> {
  const [port] = await freeLoopbackPorts(1);
  const url = `http://127.0.0.1:${port}`;
  const child = startReadyChild(serverFile, {
    KAFKA_BROKERS: kafkaBrokers().join(','),
    HOST: '127.0.0.1',
    PORT: String(port),
    ...env,
  });
  await child.ready;
  for (const deadline = Date.now() + 60_000; ;) {
    const status = (await fetch(`${url}/readyz`).catch(() => undefined))?.status;
    if (status === 200) return { child, url };
    if (Date.now() > deadline) throw new Error(`${serverFile} not ready:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
