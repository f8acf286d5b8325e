/**
 * A Kafka side for an OpenAPI document that has none: an AsyncAPI 3.0 document mapping every
 * operation that has an `operationId` to a Kafka operation of the same id (design §3's default
 * binding), so that every operation binds and the gateway, client and service are generated for
 * it. Reads (`GET`) receive from a compacted topic of their own, everything else sends to one.
 * Used to generate from the corpus's OpenAPI documents and from the GitHub REST API (the test
 * of test/corpus and bench B6).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const methods: ReadonlySet<string> = new Set(['get', 'put', 'post', 'delete', 'patch']);

export interface KafkaCounterpart {
  /** The AsyncAPI document, as JSON-ready data. */
  readonly document: object;
  /** The operationIds mapped, in the order the OpenAPI document lists them. */
  readonly operationIds: readonly string[];
}

/** The counterpart of the OpenAPI document (JSON or YAML) in the file `openapi`. */
export function kafkaCounterpartOf(openapi: string): KafkaCounterpart {
  const text = readFileSync(openapi, 'utf8');
  const data: unknown = openapi.endsWith('.json') ? JSON.parse(text) : parse(text);
  return kafkaCounterpart(data);
}

export function kafkaCounterpart(openapi: unknown): KafkaCounterpart {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const paths = isRecord(openapi) && isRecord(openapi.paths) ? openapi.paths : {};
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!methods.has(method) || !isRecord(operation)) continue;
      const id = operation.operationId;
      if (typeof id !== 'string' || Object.hasOwn(operations, id)) continue;
      const channel = `ch-${id.replace(/[^A-Za-z0-9]+/g, '-')}`;
      const read = method === 'get';
      channels[channel] = {
        address: `counterpart.${channel.slice(3)}`,
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
  const document = {
    asyncapi: '3.0.0',
    info: { title: 'Kafka counterpart', version: '1.0.0' },
    servers: { local: { host: 'localhost:9092', protocol: 'kafka' } },
    channels,
    operations,
  };
  return { document, operationIds: Object.keys(operations) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
