/**
 * Builders for the gateway emitter's tests: a command route and the Api around it, with every
 * field the emitter does not look at filled with a neutral value, so a test states only what
 * it is about.
 */
import { configFromPaths } from '../../config.ts';
import { validateSpecs } from '../../validate.ts';
import type {
  Api,
  Channel,
  CommandRoute,
  HttpOperation,
  HttpParameter,
  KafkaOperation,
  Message,
  Route,
  Schema,
  SpecLocation,
} from '../../ir/types.ts';
import { apiOf } from '../types/testing.ts';

export const nowhere: SpecLocation = { file: '', pointer: '', line: 1, column: 1 };

export function parameter(
  name: string,
  location: HttpParameter['in'],
  options: { readonly required?: boolean; readonly schema?: Schema } = {},
): HttpParameter {
  return {
    name,
    in: location,
    required: options.required ?? location === 'path',
    schema: options.schema ?? { type: 'string' },
    style: location === 'query' ? 'form' : 'simple',
    explode: location === 'query',
    source: nowhere,
  };
}

export function operation(overrides: Partial<HttpOperation> = {}): HttpOperation {
  return {
    operationId: 'createTask',
    hasOperationId: true,
    method: 'post',
    path: '/tasks',
    tags: [],
    deprecated: false,
    parameters: [],
    responses: [],
    security: [],
    source: nowhere,
    ...overrides,
  };
}

export function message(id: string, overrides: Partial<Message> = {}): Message {
  return { id, name: id, contentType: 'application/json', source: nowhere, ...overrides };
}

export function commandRoute(overrides: Partial<CommandRoute> = {}): CommandRoute {
  const http = overrides.http ?? operation();
  return {
    kind: 'command',
    http,
    operation: {
      id: http.operationId,
      action: 'send',
      channel: 'commands',
      messages: overrides.messages ?? [],
      source: nowhere,
    },
    topic: { channel: 'commands', address: 'task-commands', params: {}, compacted: false },
    key: { kind: 'idempotency-key' },
    overrides: {},
    mappedBy: 'operationId',
    source: nowhere,
    messages: [],
    tombstone: false,
    successStatus: 202,
    accepts202: true,
    ...overrides,
  };
}

/** An Api of `routes`, `messages` and named `schemas` (id → schema). */
export function apiWith(
  routes: readonly Route[],
  messages: readonly Message[] = [],
  schemas: { readonly [id: string]: Schema } = {},
): Api {
  const base = apiOf(schemas);
  return {
    ...base,
    http: { ...base.http, title: 'Test', operations: routes.map((r) => r.http) },
    kafka: { ...base.kafka, messages },
    routes,
  };
}

/** The Api of one of the repository's example spec pairs (`specs/<name>/`). */
export async function exampleApi(name: 'todo' | 'petstore'): Promise<Api> {
  const repo = new URL('../../../', import.meta.url);
  const spec = (file: string): string => new URL(`specs/${name}/${file}`, repo).pathname;
  const { api } = await validateSpecs(configFromPaths(spec('openapi.yaml'), spec('asyncapi.yaml')));
  if (api === undefined) throw new Error(`specs/${name} did not parse`);
  return api;
}

/** A Kafka channel of `messages`; compacted when its binding says so. */
export function channel(
  id: string,
  messages: readonly string[],
  overrides: Partial<Channel> = {},
): Channel {
  return {
    id,
    address: id,
    parameters: [],
    messages,
    servers: [],
    isKafka: true,
    source: nowhere,
    ...overrides,
  };
}

export const compactedBinding = {
  cleanupPolicy: ['compact'],
  compacted: true,
  config: {},
  source: nowhere,
} as const;

export function kafkaOperation(
  id: string,
  action: 'send' | 'receive',
  on: string,
  messages: readonly string[],
  reply?: KafkaOperation['reply'],
): KafkaOperation {
  return { id, action, channel: on, messages, source: nowhere, ...(reply ? { reply } : {}) };
}

/** A deep copy of `value` whose objects list their keys in reverse (arrays keep their order). */
export function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value instanceof Map) return value;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, member]) => [key, reversedKeys(member)]),
  ) as T;
}
