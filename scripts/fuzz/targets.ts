/**
 * The gateways `npm run fuzz` tests: the todo and petstore examples, generated from specs/ into
 * test/.tmp and started on loopback against a real broker, each with the topics its AsyncAPI
 * document declares. The todo commands are request-reply, so the todo example's own task
 * service (examples/todo/service.ts) runs beside it and answers them; the petstore commands are
 * one-way and need no service.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { configFromPaths } from '../../generator/config.ts';
import { declaredTopics } from '../../generator/topics.ts';
import { validateSpecs } from '../../generator/validate.ts';
import type { Gateway } from '../../runtime/index.ts';
import { startTodoService } from '../../examples/todo/service.ts';
import { generateGateway, repoRoot, startGenerated, testKafka } from '../../test/e2e/support.ts';

/** One running gateway and the OpenAPI document it serves. */
export interface FuzzTarget {
  readonly name: string;
  /** The OpenAPI document, absolute. */
  readonly openapi: string;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
}

interface TargetSpec {
  readonly name: string;
  /** Holds openapi.yaml and asyncapi.yaml. */
  readonly dir: string;
  /** Starts the service behind the gateway, when its commands expect replies. */
  readonly service?: (brokers: readonly string[]) => Promise<{ close(): Promise<void> }>;
}

const targets: readonly TargetSpec[] = [
  {
    name: 'todo',
    dir: 'specs/todo',
    service: async (brokers) => {
      const service = startTodoService({ brokers, instanceId: 'fuzz' });
      await service.ready;
      return service;
    },
  },
  { name: 'petstore', dir: 'specs/petstore' },
];

/**
 * The longest `Prefer: wait` the gateways honour (RFC 7240 lets a server cap it; the default is
 * 60 s). Schemathesis sends the documents' example `wait=30` with made-up `If-None-Match` values,
 * `*` among them, which holds a long poll on an existing task for the whole wait; capped, each
 * such request still takes the long-poll path and answers 304 with `Preference-Applied`.
 */
const longestWaitMs = 2000;

export const targetNames: readonly string[] = targets.map((target) => target.name);

/**
 * Generates and starts the named gateways (all by default), each with its service when it has
 * one. The targets' `close` stops what they started; a failed start stops it here.
 */
export async function startTargets(
  brokers: readonly string[],
  names: readonly string[] = targetNames,
): Promise<FuzzTarget[]> {
  const started: FuzzTarget[] = [];
  try {
    for (const spec of targets.filter((target) => names.includes(target.name))) {
      started.push(await startTarget(spec, brokers));
    }
  } catch (error) {
    await Promise.all(started.map((target) => target.close()));
    throw error;
  }
  return started;
}

async function startTarget(spec: TargetSpec, brokers: readonly string[]): Promise<FuzzTarget> {
  const openapi = join(repoRoot, spec.dir, 'openapi.yaml');
  const asyncapi = join(repoRoot, spec.dir, 'asyncapi.yaml');
  let service: { close(): Promise<void> } | undefined;
  let gateway: Gateway | undefined;
  let out: string | undefined;
  const close = async (): Promise<void> => {
    await gateway?.close();
    await service?.close();
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  };
  try {
    await createTopics(brokers, openapi, asyncapi);
    service = await spec.service?.(brokers);
    out = await generateGateway(`fuzz-${spec.name}`, openapi, asyncapi);
    const started = await startGenerated(out, { brokers: [...brokers], maxWaitMs: longestWaitMs });
    gateway = started.gateway;
    return { name: spec.name, openapi, url: started.url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Creates the topics the AsyncAPI document declares (partitions and configs as declared). */
async function createTopics(
  brokers: readonly string[],
  openapi: string,
  asyncapi: string,
): Promise<void> {
  const validated = await validateSpecs(configFromPaths(openapi, asyncapi));
  if (validated.api === undefined || validated.hasErrors) {
    throw new Error(`${openapi} and ${asyncapi} do not validate; run \`npx specgate validate\``);
  }
  const kafka = testKafka(brokers);
  try {
    await kafka.admin.ensureTopics(declaredTopics(validated.api));
  } finally {
    await kafka.close();
  }
}
