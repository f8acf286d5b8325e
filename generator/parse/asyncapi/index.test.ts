/**
 * The development corpus (shared/specs-corpus, SOURCES.md): every AsyncAPI file gives the
 * outcome SOURCES.md expects, with the counts and diagnostics pinned so a change shows.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KafkaApi } from '../../ir/types.ts';
import { corpus, countCodes, errors, parseFile, type Parsed } from './testing.ts';

interface Expectation {
  /** What SOURCES.md says. */
  readonly expect: 'accept' | 'accept-edge' | 'reject' | 'ignore-non-kafka';
  /** [channels, operations, messages] of the IR, or undefined when there must be none. */
  readonly counts?: readonly [number, number, number];
  /** Every diagnostic, by code. */
  readonly codes: Record<string, number>;
  readonly check?: (parsed: Parsed, file: string) => void;
}

const expectations: Record<string, Expectation> = {
  'asyncapi/spec__streetlights-kafka-asyncapi.yml': {
    expect: 'accept',
    counts: [4, 4, 3],
    codes: {},
    check: ({ api }) => expect(api?.channels.every((c) => c.isKafka)).toBe(true),
  },
  'asyncapi/spec__streetlights-kafka.yml': {
    expect: 'accept',
    counts: [4, 4, 3],
    codes: {},
    check: ({ api }) => expect(api?.channels.every((c) => c.isKafka)).toBe(true),
  },
  'asyncapi/spec__adeo-kafka-request-reply-asyncapi.yml': {
    // Offline: each remote Avro ref is a located error naming its URL; the rest is read.
    expect: 'accept-edge',
    counts: [2, 2, 2],
    codes: { SG_REF_REMOTE: 3, SG_SCHEMA_UNSUPPORTED: 2 },
    check: checkAdeo,
  },
  'asyncapi/springwolf-core__asyncapi.yaml': {
    expect: 'accept',
    counts: [13, 15, 14],
    codes: {},
    check: ({ api }) => {
      expect(api?.channels.every((c) => c.isKafka)).toBe(true);
      // `bindings: {}` is no Kafka binding, and no error.
      expect(channel(api, 'topic-defined-via-asyncPublisher-annotation').kafka).toBeUndefined();
      expect(channel(api, 'multi-payload-topic').kafka?.compacted).toBe(true);
    },
  },
  'asyncapi/spec__kraken-websocket-request-reply-multiple-channels-asyncapi.yml': {
    expect: 'ignore-non-kafka',
    counts: [7, 5, 8],
    codes: {},
    check: allNonKafka,
  },
  'asyncapi/spec__slack-rtm-asyncapi.yml': {
    expect: 'ignore-non-kafka',
    counts: [1, 2, 48],
    codes: {},
    check: allNonKafka,
  },
  'asyncapi/spec__gitter-streaming-asyncapi.yml': {
    expect: 'ignore-non-kafka',
    counts: [1, 1, 2],
    codes: {},
    check: allNonKafka,
  },
  'asyncapi/website__asyncapi.yaml': {
    // Its JSON flow mappings are not indented under their keys: YAML 1.2 forbids it, so the
    // loader reads it leniently (as the AsyncAPI tooling does) and warns once, at 55:3.
    expect: 'ignore-non-kafka',
    counts: [2, 2, 2],
    codes: { SG_LOAD_LENIENT: 1 },
    check: (result, file) => {
      expect(result.diagnostics[0]).toMatchObject({ location: { file, line: 55, column: 3 } });
      allNonKafka(result);
    },
  },
  'invalid/parser-js__circular-refs.yaml': {
    expect: 'accept-edge',
    counts: [1, 1, 2],
    codes: { SG_ASYNCAPI_LAX: 2 },
    check: ({ schemas }) => {
      // Recursion terminates through the named schema.
      expect(schemas.testSchema?.schema).toMatchObject({
        properties: { deep: { properties: { circular: { $ref: '#/$defs/testSchema' } } } },
      });
    },
  },
  'invalid/parser-js__invalid-asyncapi.yaml': {
    expect: 'reject',
    codes: { SG_ASYNCAPI_INVALID: 4, SG_ASYNCAPI_LAX: 2 },
    check: ({ diagnostics }, file) => {
      // `type: nonexistent` in the OpenAPI-format payload, at its own line.
      expect(diagnostics).toContainEqual(
        expect.objectContaining({
          code: 'SG_ASYNCAPI_INVALID',
          location: expect.objectContaining({
            file,
            line: 23,
            column: 13,
            pointer: '/components/messages/testMessage/payload/properties/name/type',
          }),
        }),
      );
    },
  },
  'pairs/microcks-testcontainers-java-spring-demo__order-events-asyncapi.yaml': {
    // The parser rejects the message's `examples` wrapper: located errors are the answer.
    expect: 'accept-edge',
    codes: { SG_ASYNCAPI_INVALID: 5, SG_ASYNCAPI_LAX: 1 },
    check: ({ diagnostics }, file) => {
      expect(diagnostics).toContainEqual(
        expect.objectContaining({
          code: 'SG_ASYNCAPI_INVALID',
          location: expect.objectContaining({
            file,
            line: 43,
            pointer: '/components/messages/OrderEvent/examples',
          }),
        }),
      );
    },
  },
};

describe('the AsyncAPI corpus', () => {
  it('has an expectation for every AsyncAPI file in it', () => {
    const found = [
      ...readdirSync(join(corpus, 'asyncapi')).map((name) => `asyncapi/${name}`),
      ...readdirSync(join(corpus, 'invalid'))
        .filter((name) => name.startsWith('parser-js__'))
        .map((name) => `invalid/${name}`),
      ...readdirSync(join(corpus, 'pairs'))
        .filter((name) => name.includes('asyncapi'))
        .map((name) => `pairs/${name}`),
    ];
    expect(found.sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(Object.entries(expectations))('%s', async (name, expected) => {
    const file = join(corpus, name);
    const parsed = await parseFile(file);
    const { api, diagnostics } = parsed;
    expect(countCodes(diagnostics)).toEqual(expected.codes);
    // Every diagnostic is located in the corpus file.
    for (const d of diagnostics) {
      expect(d.location?.file).toBe(file);
      expect(d.location?.line).toBeGreaterThan(0);
    }
    if (expected.counts === undefined) {
      expect(api).toBeUndefined();
      expect(errors(diagnostics).length).toBeGreaterThan(0);
    } else {
      expect(api).toBeDefined();
      expect([api?.channels.length, api?.operations.length, api?.messages.length]).toEqual(
        expected.counts,
      );
    }
    if (expected.expect === 'accept') expect(errors(diagnostics)).toEqual([]);
    expected.check?.(parsed, file);
  });
});

function checkAdeo({ api, diagnostics, ms }: Parsed, file: string): void {
  expect(ms).toBeLessThan(2000);
  const remote = diagnostics.filter((d) => d.code === 'SG_REF_REMOTE');
  const urls = [
    'https://www.asyncapi.com/resources/casestudies/adeo/CostingRequestPayload.avsc',
    'https://deploy-preview-921--asyncapi-website.netlify.app/resources/casestudies/adeo/CostingResponseKey.avsc',
    'https://deploy-preview-921--asyncapi-website.netlify.app/resources/casestudies/adeo/CostingResponsePayload.avsc',
  ];
  expect(
    remote.map((d) => [d.location?.line, urls.find((url) => d.message.includes(url))]),
  ).toEqual([
    [213, urls[0]],
    [244, urls[1]],
    [248, urls[2]],
  ]);
  expect(remote.every((d) => d.location?.file === file)).toBe(true);
  // Avro payloads are opaque: the format is kept, no JSON Schema.
  const request = api?.messages.find((m) => m.id === 'costingRequestV1');
  expect(request).toMatchObject({
    name: 'CostingRequestV1',
    schemaFormat: 'application/vnd.apache.avro;version=1.9.0',
    correlationId: { location: '$message.header#/REQUEST_ID', header: 'REQUEST_ID' },
  });
  expect(request?.payload).toBeUndefined();
  const operation = api?.operations.find((o) => o.id === 'requestCosting');
  expect(operation).toMatchObject({
    action: 'receive',
    channel: 'costingRequest',
    reply: {
      channel: 'costingResponse',
      addressLocation: '$message.header#/REPLY_TOPIC',
      messages: ['costingResponse'],
    },
    kafka: { groupId: { type: 'string' } },
  });
  expect(channel(api, 'costingRequest').kafka).toMatchObject({
    partitions: 3,
    replicas: 3,
    cleanupPolicy: ['delete'],
    compacted: false,
    config: { 'cleanup.policy': 'delete', 'retention.ms': 604800000 },
  });
  expect(api?.servers.map((s) => [s.id, s.host, s.isKafka, s.schemaRegistryUrl])).toEqual([
    ['dev', 'dev.url:9092', true, 'https://schema-registry.dev.url/'],
    ['production', 'prod.url:9092', true, 'https://schema-registry.prod.url/'],
    ['staging', 'staging.url:9092', true, 'https://schema-registry.staging.url/'],
  ]);
  expect(api?.servers[0]?.security).toEqual([
    expect.objectContaining({ name: 'sasl-ssl', type: 'plain' }),
  ]);
}

function allNonKafka({ api }: Parsed): void {
  expect(api?.channels.length).toBeGreaterThan(0);
  expect(api?.channels.filter((c) => c.isKafka)).toEqual([]);
}

function channel(api: KafkaApi | undefined, id: string): KafkaApi['channels'][number] {
  const found = api?.channels.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no channel ${id}`);
  return found;
}
