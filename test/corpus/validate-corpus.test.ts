/**
 * The front half of the pipeline (`validateSpecs`: load, parse, bind) over every file of the
 * development corpus (shared/specs-corpus, SOURCES.md) and over the repo's own example specs.
 *
 * Corpus files come alone, so each is paired with a tiny counterpart (test/corpus/fixtures/)
 * that declares no operation: nothing can bind, and no diagnostic may come from it. The one
 * real pair (microcks) is also validated together. Each row states SOURCES.md's expectation and
 * pins every diagnostic by code, so a change in what the generator says shows here.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromPaths } from '../../generator/config.ts';
import type { Diagnostic } from '../../generator/diagnostics.ts';
import type { Route } from '../../generator/ir/types.ts';
import { validateSpecs, type ValidateResult } from '../../generator/validate.ts';

/** shared/ sits beside the checkout; SPECS_CORPUS overrides. */
const corpus = resolve(
  process.env.SPECS_CORPUS ??
    fileURLToPath(new URL('../../../shared/specs-corpus/', import.meta.url)),
);
const fixture = (name: string): string =>
  fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const minimalOpenApi = fixture('minimal-openapi.yaml');
const minimalAsyncApi = fixture('minimal-asyncapi.yaml');
const repoSpec = (path: string): string =>
  fileURLToPath(new URL(`../../specs/${path}`, import.meta.url));

type Expect = 'accept' | 'accept-edge' | 'reject' | 'ignore-non-kafka';

interface Row {
  /** The corpus file under test (relative to the corpus), or two for a pair. */
  readonly openapi?: string;
  readonly asyncapi?: string;
  /** SOURCES.md's verdict for the file (for a pair: the pair's). */
  readonly expect: Expect;
  /** SOURCES.md's words, so a reader of a failure sees what was asked. */
  readonly sources: string;
  /** Every diagnostic, by code. */
  readonly codes: Readonly<Record<string, number>>;
  /** Whether the IR was built (both specs parsed). */
  readonly api: boolean;
  /** For rejects and located edges: every error as `CODE line:column pointer`, in order. */
  readonly errors?: readonly string[];
  readonly check?: (result: Run) => void;
}

interface Run extends ValidateResult {
  readonly files: { readonly openapi: string; readonly asyncapi: string };
  readonly ms: number;
}

const microcksOpenApi =
  'pairs/microcks-testcontainers-java-spring-demo__order-service-openapi.yaml';
const microcksAsyncApi =
  'pairs/microcks-testcontainers-java-spring-demo__order-events-asyncapi.yaml';

/** The microcks AsyncAPI document's errors: its message `examples` use a non-standard wrapper. */
const microcksErrors = [
  // Ajv's report from the message's other oneOf branch: `payload` is in fact fine here.
  'SG_ASYNCAPI_INVALID 26:7 /components/messages/OrderEvent/payload',
  'SG_ASYNCAPI_INVALID 43:7 /components/messages/OrderEvent/examples',
  'SG_ASYNCAPI_INVALID 44:11 /components/messages/OrderEvent/examples/0',
  'SG_ASYNCAPI_INVALID 44:11 /components/messages/OrderEvent/examples/0',
  'SG_ASYNCAPI_INVALID 44:11 /components/messages/OrderEvent/examples/0/Validated OrderEvent',
];

const rows: readonly Row[] = [
  // --- asyncapi/ ---
  {
    asyncapi: 'asyncapi/spec__streetlights-kafka-asyncapi.yml',
    expect: 'accept',
    sources: 'canonical Kafka 3.0 doc',
    // Its four operations have no HTTP counterpart (the counterpart declares none).
    codes: { SG_BIND_KAFKA_UNMAPPED: 4 },
    api: true,
    check: ({ api }) => expect(api?.kafka.channels.every((c) => c.isKafka)).toBe(true),
  },
  {
    asyncapi: 'asyncapi/spec__streetlights-kafka.yml',
    expect: 'accept',
    sources: 'the same API in 2.x form; 2.x and 3.0 parity',
    codes: { SG_BIND_KAFKA_UNMAPPED: 4 },
    api: true,
    check: ({ api }) =>
      expect(api?.kafka.operations.map((o) => [o.id, o.action])).toEqual([
        ['dimLight', 'send'],
        ['receiveLightMeasurement', 'receive'],
        ['turnOff', 'send'],
        ['turnOn', 'send'],
      ]),
  },
  {
    asyncapi: 'asyncapi/spec__adeo-kafka-request-reply-asyncapi.yml',
    expect: 'accept-edge',
    sources: 'offline: located errors naming each unreachable remote Avro URL, quickly (no hang)',
    codes: { SG_BIND_KAFKA_UNMAPPED: 2, SG_REF_REMOTE: 3, SG_SCHEMA_UNSUPPORTED: 2 },
    api: true,
    // Each at the mapping that holds the remote `$ref` (the `$ref` is on the next line).
    errors: [
      'SG_REF_REMOTE 213:9 /components/messages/costingRequestV1/payload/schema',
      'SG_REF_REMOTE 244:11 /components/messages/costingResponse/bindings/kafka/key',
      'SG_REF_REMOTE 248:9 /components/messages/costingResponse/payload/schema',
    ],
    check: ({ diagnostics, ms }) => {
      expect(ms).toBeLessThan(3000);
      const host = 'https://deploy-preview-921--asyncapi-website.netlify.app';
      expect(messagesOf(diagnostics, 'SG_REF_REMOTE').map(quotedUrl)).toEqual([
        'https://www.asyncapi.com/resources/casestudies/adeo/CostingRequestPayload.avsc',
        `${host}/resources/casestudies/adeo/CostingResponseKey.avsc`,
        `${host}/resources/casestudies/adeo/CostingResponsePayload.avsc`,
      ]);
      // The Avro payloads are read as opaque bytes, with a warning each.
      expect(messagesOf(diagnostics, 'SG_SCHEMA_UNSUPPORTED')).toEqual([
        expect.stringContaining('"application/vnd.apache.avro;version=1.9.0" is not JSON Schema'),
        expect.stringContaining('"application/vnd.apache.avro;version=1.9.0" is not JSON Schema'),
      ]);
    },
  },
  {
    asyncapi: 'asyncapi/springwolf-core__asyncapi.yaml',
    expect: 'accept',
    sources: 'a large generated Kafka 3.0 doc (~14 topics, 58 KB)',
    codes: { SG_BIND_KAFKA_UNMAPPED: 15 },
    api: true,
    check: ({ api }) => {
      expect(api?.kafka.channels).toHaveLength(13);
      expect(api?.kafka.channels.every((c) => c.isKafka)).toBe(true);
    },
  },
  {
    asyncapi: 'asyncapi/spec__kraken-websocket-request-reply-multiple-channels-asyncapi.yml',
    expect: 'ignore-non-kafka',
    sources: 'WebSocket request/reply with no servers: the protocol is unknown',
    codes: { SG_BIND_NON_KAFKA: 7 },
    api: true,
  },
  {
    asyncapi: 'asyncapi/spec__slack-rtm-asyncapi.yml',
    expect: 'ignore-non-kafka',
    sources: 'Slack RTM over https: stresses the non-Kafka rejection path',
    codes: { SG_BIND_NON_KAFKA: 2 },
    api: true,
  },
  {
    asyncapi: 'asyncapi/spec__gitter-streaming-asyncapi.yml',
    expect: 'ignore-non-kafka',
    sources: 'HTTP streaming (Gitter): non-Kafka',
    codes: { SG_BIND_NON_KAFKA: 2 },
    api: true,
  },
  {
    asyncapi: 'asyncapi/website__asyncapi.yaml',
    expect: 'ignore-non-kafka',
    sources: 'HDI case study: amqp servers, https channel addresses',
    // Its flow mappings are less indented than their keys (not YAML 1.2): read leniently.
    codes: { SG_BIND_NON_KAFKA: 4, SG_LOAD_LENIENT: 1 },
    api: true,
    check: ({ diagnostics }) =>
      expect(placed(diagnostics.filter((d) => d.code === 'SG_LOAD_LENIENT'))).toEqual([
        'SG_LOAD_LENIENT 55:3 ',
      ]),
  },

  // --- openapi/ ---
  {
    openapi: 'openapi/OpenAPI-Specification__petstore.yaml',
    expect: 'accept',
    sources: 'baseline',
    codes: { SG_BIND_HTTP_UNMAPPED: 3 },
    api: true,
  },
  {
    openapi: 'openapi/OpenAPI-Specification__petstore-expanded.yaml',
    expect: 'accept',
    sources: 'allOf composition, array query parameter, 204 delete',
    codes: { SG_BIND_HTTP_UNMAPPED: 4 },
    api: true,
  },
  {
    openapi: 'openapi/OpenAPI-Specification__webhook-example.yaml',
    expect: 'accept',
    sources: 'a 3.1 document with only webhooks (webhooks are never bound, so no warning)',
    codes: {},
    api: true,
    check: ({ api }) => {
      expect(api?.http.operations).toEqual([]);
      expect(api?.http.webhooks).toHaveLength(1);
    },
  },
  {
    openapi: 'openapi/text-generation-inference__openapi.json',
    expect: 'accept',
    sources: 'accept, with a warning: 3.1 `exclusiveMinimum: 0` in a 3.0.3 document',
    codes: { SG_BIND_HTTP_UNMAPPED: 12, SG_OPENAPI_LAX: 9 },
    api: true,
    check: ({ diagnostics }) => {
      for (const message of messagesOf(diagnostics, 'SG_OPENAPI_LAX'))
        expect(message).toMatch(/^"exclusiveMinimum: -?\d+" is OpenAPI 3\.1 syntax/);
    },
  },
  {
    openapi: 'openapi/strimzi-kafka-bridge__openapi.json',
    expect: 'accept',
    sources: 'a real HTTP-to-Kafka REST API (3.1, 21 paths)',
    codes: { SG_BIND_HTTP_UNMAPPED: 25 },
    api: true,
  },

  // --- invalid/ ---
  {
    openapi: 'invalid/OpenAPI-Specification__invalid_schema_types.yaml',
    expect: 'reject',
    sources: 'component schemas that are null, 0 and []',
    codes: { SG_SCHEMA_INVALID: 3 },
    api: true,
    errors: [
      'SG_SCHEMA_INVALID 10:5 /components/schemas/invalid_null',
      'SG_SCHEMA_INVALID 11:5 /components/schemas/invalid_number',
      'SG_SCHEMA_INVALID 12:5 /components/schemas/invalid_array',
    ],
  },
  {
    openapi: 'invalid/OpenAPI-Specification__mega.yaml',
    expect: 'accept-edge',
    sources: 'valid but dense 3.1',
    codes: { SG_BIND_HTTP_UNMAPPED: 1 },
    api: true,
    check: ({ api }) => expect(api?.http.webhooks).toHaveLength(1),
  },
  {
    asyncapi: 'invalid/parser-js__invalid-asyncapi.yaml',
    expect: 'reject',
    sources: 'OpenAPI-format payload with `type: nonexistent` and `format: {}`',
    codes: { SG_ASYNCAPI_INVALID: 4, SG_ASYNCAPI_LAX: 2 },
    api: false,
    errors: [
      // Ajv's reports from the message's other oneOf branch (noise beside the two real ones).
      'SG_ASYNCAPI_INVALID 15:7 /components/messages/testMessage/schemaFormat',
      'SG_ASYNCAPI_INVALID 16:7 /components/messages/testMessage/payload',
      // `type: nonexistent` and `format: {}`, each at its own line.
      'SG_ASYNCAPI_INVALID 23:13 /components/messages/testMessage/payload/properties/name/type',
      'SG_ASYNCAPI_INVALID 25:13 /components/messages/testMessage/payload/properties/surname/format',
    ],
  },
  {
    asyncapi: 'invalid/parser-js__circular-refs.yaml',
    expect: 'accept-edge',
    sources: 'a circular $ref: must terminate and emit a recursive type',
    // No servers and an operation without operationId: parser warnings, not errors.
    codes: { SG_ASYNCAPI_LAX: 2, SG_BIND_KAFKA_UNMAPPED: 1 },
    api: true,
    check: ({ api }) =>
      expect(api?.schemas.testSchema?.schema).toMatchObject({
        properties: { deep: { properties: { circular: { $ref: '#/$defs/testSchema' } } } },
      }),
  },
  {
    openapi: 'invalid/codegen-cli__openapi.yaml',
    expect: 'reject',
    sources: 'a $ref to an unsubstituted COMPONENTS_URL placeholder file',
    codes: { SG_BIND_HTTP_UNMAPPED: 1, SG_LOAD_FILE_NOT_FOUND: 1 },
    api: true,
    // At the `schema:` whose value is the `$ref`.
    errors: [
      'SG_LOAD_FILE_NOT_FOUND 14:15 /paths/~1pets/get/responses/200/content/application~1json/schema',
    ],
    check: ({ diagnostics }) =>
      expect(messagesOf(diagnostics, 'SG_LOAD_FILE_NOT_FOUND')).toEqual([
        `cannot read ${join(corpus, 'invalid/COMPONENTS_URL')} (ENOENT)`,
      ]),
  },

  // --- pairs/ ---
  {
    openapi: microcksOpenApi,
    expect: 'accept',
    sources: 'the OpenAPI side of the pair, alone',
    codes: { SG_BIND_HTTP_UNMAPPED: 1 },
    api: true,
  },
  {
    asyncapi: microcksAsyncApi,
    expect: 'accept-edge',
    sources: 'the parser rejects its message wrapper; located errors are a correct answer',
    codes: { SG_ASYNCAPI_INVALID: 5, SG_ASYNCAPI_LAX: 1 },
    api: false,
    errors: microcksErrors,
  },
  {
    openapi: microcksOpenApi,
    asyncapi: microcksAsyncApi,
    expect: 'accept-edge',
    sources: 'the pair together: the AsyncAPI side is rejected, so nothing binds',
    codes: { SG_ASYNCAPI_INVALID: 5, SG_ASYNCAPI_LAX: 1 },
    api: false,
    errors: microcksErrors,
    check: ({ diagnostics, files }) =>
      expect(diagnostics.every((d) => d.location?.file === files.asyncapi)).toBe(true),
  },
];

describe('validateSpecs over the development corpus', () => {
  it('has a single-file row for every corpus file, and the microcks pair', () => {
    const found = ['asyncapi', 'openapi', 'invalid', 'pairs'].flatMap((dir) =>
      readdirSync(join(corpus, dir)).map((name) => `${dir}/${name}`),
    );
    const singles = rows
      .filter((row) => (row.openapi === undefined) !== (row.asyncapi === undefined))
      .map((row) => row.openapi ?? row.asyncapi);
    expect(singles.sort()).toEqual(found.sort());
    expect(found).toHaveLength(20);
    expect(rows.filter((row) => row.openapi && row.asyncapi)).toHaveLength(1);
  });

  it.each(rows.map((row) => [label(row), row] as const))('%s', async (_, row) => {
    const run = await validate(row);
    const { diagnostics, files } = run;
    expect(countCodes(diagnostics)).toEqual(row.codes);
    expect(run.api !== undefined).toBe(row.api);
    expect(run.hasErrors).toBe(errorsOf(diagnostics).length > 0);
    // Every diagnostic is located in the file under test, never in the counterpart fixture.
    const subjects = [row.openapi && files.openapi, row.asyncapi && files.asyncapi];
    for (const d of diagnostics) {
      expect(subjects).toContain(d.location?.file);
      expect(d.location?.line).toBeGreaterThan(0);
      expect(d.location?.column).toBeGreaterThan(0);
    }
    // The counterpart declares no operation, so nothing binds.
    if (run.api !== undefined && !(row.openapi && row.asyncapi)) expect(run.api.routes).toEqual([]);

    switch (row.expect) {
      case 'accept':
        expect(errorsOf(diagnostics)).toEqual([]);
        expect(row.errors).toBeUndefined();
        break;
      case 'reject':
        expect(errorsOf(diagnostics).length).toBeGreaterThan(0);
        expect(placed(errorsOf(diagnostics))).toEqual(row.errors);
        break;
      case 'ignore-non-kafka':
        expect(errorsOf(diagnostics)).toEqual([]);
        expect(run.api?.kafka.channels.length).toBeGreaterThan(0);
        expect(run.api?.kafka.channels.filter((c) => c.isKafka)).toEqual([]);
        for (const d of diagnostics.filter((d) => d.code === 'SG_BIND_NON_KAFKA')) {
          expect(d.severity).toBe('notice');
          expect(d.message).toMatch(/^(server|channel) "[^"]+" .*; it is skipped$/);
        }
        break;
      case 'accept-edge':
        // Either no errors, or errors that are all located (checked above) and pinned here.
        expect(placed(errorsOf(diagnostics))).toEqual(row.errors ?? []);
        break;
    }
    row.check?.(run);
  });
});

/** The repo's example specs: no diagnostics at all, and exactly the routes specs/README.md lists. */
describe('validateSpecs over the example specs', () => {
  it('binds specs/todo to the eight routes of specs/README.md', async () => {
    const result = await validateSpecs(
      configFromPaths(repoSpec('todo/openapi.yaml'), repoSpec('todo/asyncapi.yaml')),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.hasErrors).toBe(false);
    const routes = result.api?.routes ?? [];
    expect(routes.map(routeRow)).toEqual([
      ['GET', '/tasks', 'query', 'task-snapshots', 'none', '-'],
      ['POST', '/tasks', 'command', 'task-commands', 'idempotency-key', 'task-replies'],
      ['DELETE', '/tasks/{id}', 'command', 'task-commands', 'path id', 'task-replies'],
      ['GET', '/tasks/{id}', 'query', 'task-snapshots', 'path id', '-'],
      ['PUT', '/tasks/{id}', 'command', 'task-commands', 'path id', 'task-replies'],
      ['POST', '/tasks/{id}/complete', 'command', 'task-commands', 'path id', 'task-replies'],
      ['GET', '/tasks/{id}/history', 'history', 'task-events', 'path id', '-'],
      ['POST', '/tasks/{id}/undo', 'command', 'task-commands', 'path id', 'task-replies'],
    ]);
    expect(routes.map(routeDetail)).toEqual([
      'listTasks list+stream compacted',
      'createTask request-reply messages=CreateTask',
      'deleteTask request-reply messages=DeleteTask',
      'getTask item compacted',
      'renameTask request-reply messages=RenameTask',
      'completeTask request-reply messages=CompleteTask',
      'getTaskHistory history key=id not-compacted',
      'undoTask request-reply messages=UndoTask',
    ]);
    // Every command answers on task-replies, correlated by Zilla's headers, and accepts 202.
    for (const route of routes) {
      if (route.kind !== 'command') continue;
      expect(route.reply).toMatchObject({
        channel: 'taskReplies',
        messages: ['TaskReply'],
        correlationHeader: 'zilla:correlation-id',
        replyToHeader: 'zilla:reply-to',
      });
      expect(route.accepts202).toBe(true);
      expect(route.topic.partitions).toBe(3);
    }
  });

  it('binds specs/petstore to the four routes of specs/README.md', async () => {
    const result = await validateSpecs(
      configFromPaths(repoSpec('petstore/openapi.yaml'), repoSpec('petstore/asyncapi.yaml')),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.hasErrors).toBe(false);
    const routes = result.api?.routes ?? [];
    expect(routes.map(routeRow)).toEqual([
      ['GET', '/pets', 'query', 'petstore', 'none', '-'],
      ['POST', '/pets', 'command', 'petstore', 'idempotency-key', '-'],
      ['DELETE', '/pets/{id}', 'command', 'petstore', 'path id', '-'],
      ['GET', '/pets/{id}', 'query', 'petstore', 'path id', '-'],
    ]);
    expect(routes.map(routeDetail)).toEqual([
      'listPets list+stream compacted',
      'createPet one-way 202 messages=Pet',
      'deletePet tombstone 204 messages=PetTombstone',
      'showPetById item compacted',
    ]);
  });
});

async function validate(row: Row): Promise<Run> {
  const files = {
    openapi: row.openapi === undefined ? minimalOpenApi : join(corpus, row.openapi),
    asyncapi: row.asyncapi === undefined ? minimalAsyncApi : join(corpus, row.asyncapi),
  };
  const started = performance.now();
  const result = await validateSpecs(configFromPaths(files.openapi, files.asyncapi));
  return { ...result, files, ms: performance.now() - started };
}

function label(row: Row): string {
  const files = [row.openapi, row.asyncapi].filter((f) => f !== undefined).join(' + ');
  return `${files} (${row.expect}: ${row.sources})`;
}

/** METHOD, path, route kind, topic, key kind (with its parameter), reply topic. */
function routeRow(route: Route): readonly string[] {
  const key = route.key.kind === 'path' ? `path ${route.key.param}` : route.key.kind;
  const reply = route.kind === 'command' ? (route.reply?.address ?? '-') : '-';
  return [
    route.http.method.toUpperCase(),
    route.http.path,
    route.kind,
    route.topic.address,
    key,
    reply,
  ];
}

/** What the README's "Kind" column says beyond the kind, one line per route. */
function routeDetail(route: Route): string {
  const compacted = route.topic.compacted ? 'compacted' : 'not-compacted';
  switch (route.kind) {
    case 'command': {
      const mode = route.reply
        ? 'request-reply'
        : `${route.tombstone ? 'tombstone' : 'one-way'} ${route.successStatus}`;
      return `${route.operation.id} ${mode} messages=${route.messages.join(',')}`;
    }
    case 'query':
      return `${route.operation.id} ${route.mode}${route.alsoStream ? '+stream' : ''} ${compacted}`;
    case 'stream':
      return `${route.operation.id} stream`;
    case 'history':
      return `${route.operation.id} history key=${route.keyParam} ${compacted}`;
  }
}

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

function countCodes(diagnostics: readonly Diagnostic[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of diagnostics) counts[d.code] = (counts[d.code] ?? 0) + 1;
  return counts;
}

/** `CODE line:column pointer` per diagnostic, in the (sorted) order reported. */
function placed(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map(
    (d) => `${d.code} ${d.location?.line}:${d.location?.column} ${d.location?.pointer}`,
  );
}

function messagesOf(diagnostics: readonly Diagnostic[], code: Diagnostic['code']): string[] {
  return diagnostics.filter((d) => d.code === code).map((d) => d.message);
}

/** The first double-quoted text of a message: the `$ref` it names. */
function quotedUrl(message: string): string | undefined {
  return /^"([^"]+)"/.exec(message)?.[1];
}
