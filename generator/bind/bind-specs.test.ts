/**
 * Bind on real spec pairs, through validateSpecs (and loadConfig where a fixture has a
 * specgate.yaml). Each fixture under fixtures/<name>/ marks the line every bind diagnostic must
 * point at with a `# want: SG_BIND_…` comment; the operations without a marker are the passing
 * cases beside them. The examples in specs/ bind cleanly into the routes specs/README.md lists.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromPaths, loadConfig } from '../config.ts';
import { diagnosticCodes } from '../diagnostic-codes.ts';
import { Diagnostics } from '../diagnostics.ts';
import type { Route } from '../ir/types.ts';
import { DocumentSet } from '../load/document-set.ts';
import { validateSpecs, type ValidateResult } from '../validate.ts';

const fixtures = fileURLToPath(new URL('fixtures/', import.meta.url));
const specs = fileURLToPath(new URL('../../specs/', import.meta.url));

/** Validates the pair in `dir`, through its specgate.yaml when it has one. */
async function validateDir(dir: string): Promise<ValidateResult> {
  const diagnostics = new Diagnostics();
  const documents = new DocumentSet(diagnostics);
  const configPath = join(dir, 'specgate.yaml');
  const config = existsSync(configPath)
    ? loadConfig(configPath, documents, diagnostics)
    : configFromPaths(join(dir, 'openapi.yaml'), join(dir, 'asyncapi.yaml'));
  if (config === undefined) throw new Error(`${dir}: unusable config`);
  return validateSpecs(config, { diagnostics, documents });
}

/** `CODE file:line` of every `# want: CODE` comment in the fixture's YAML files. */
function wanted(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          [...line.matchAll(/# want: (SG_[A-Z_]+)/g)].map((m) => `${m[1]} ${name}:${index + 1}`),
        ),
    )
    .sort();
}

function found(result: ValidateResult, dir: string): string[] {
  return result.diagnostics
    .map((d) => `${d.code} ${relative(dir, d.location?.file ?? '')}:${d.location?.line}`)
    .sort();
}

const bindCodes = Object.keys(diagnosticCodes).filter((code) => code.startsWith('SG_BIND_'));

// given: a fixture folder → want: how many of each code (the markers say where).
const cases: [string, Record<string, number>][] = [
  ['unmapped', { SG_BIND_HTTP_UNMAPPED: 2, SG_BIND_KAFKA_UNMAPPED: 2 }],
  ['operation-not-found', { SG_BIND_OPERATION_NOT_FOUND: 3, SG_BIND_KAFKA_UNMAPPED: 1 }],
  ['kind-mismatch', { SG_BIND_KIND_MISMATCH: 3 }],
  ['payload', { SG_BIND_PAYLOAD_REQUIRED_MISSING: 2, SG_BIND_PAYLOAD_TYPE_CLASH: 1 }],
  ['key-template', { SG_BIND_KEY_PARAM_UNKNOWN: 2 }],
  ['channel-param', { SG_BIND_CHANNEL_PARAM_UNFILLED: 1 }],
  ['query-not-compacted', { SG_BIND_QUERY_NOT_COMPACTED: 2 }],
  ['stream-no-sse', { SG_BIND_STREAM_NO_SSE: 1 }],
  ['reply', { SG_BIND_REPLY_CHANNEL_MISSING: 1, SG_BIND_CORRELATION_NOT_HEADER: 1 }],
  ['filters', { SG_BIND_FILTER_UNKNOWN: 1 }],
  ['non-kafka', { SG_BIND_NON_KAFKA: 2 }],
  ['routes', {}],
];

describe('bind diagnostics on spec fixtures', () => {
  it.each(cases)('%s', async (name, counts) => {
    const dir = join(fixtures, name);
    const result = await validateDir(dir);
    const codes: Record<string, number> = {};
    for (const d of result.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
    expect(codes).toEqual(counts);
    expect(found(result, dir)).toEqual(wanted(dir));
    for (const d of result.diagnostics) {
      expect(d.severity).toBe(diagnosticCodes[d.code].severity);
    }
    // Whatever is reported, the routes that could be bound are returned.
    expect(result.api?.routes.length).toBeGreaterThan(0);
  });

  it('covers every SG_BIND_ code, each beside operations that do not trigger it', () => {
    const covered = new Set(cases.flatMap(([, counts]) => Object.keys(counts)));
    expect([...covered].sort()).toEqual([...bindCodes].sort());
  });

  it('has a case for every fixture folder', () => {
    const folders = readdirSync(fixtures, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual(cases.map(([name]) => name).sort());
  });
});

/** A route in one line: what a reader of the spec would say about it. */
function summary(route: Route): string {
  const base = `${route.http.method.toUpperCase()} ${route.http.path} ${route.kind}`;
  const key =
    route.key.kind === 'template'
      ? `key=${route.key.template}`
      : route.key.kind === 'const'
        ? `key=const:${route.key.value}`
        : route.key.kind === 'path'
          ? `key=path:${route.key.param}`
          : `key=${route.key.kind}`;
  const topic = `${route.operation.id}@${route.topic.address}`;
  switch (route.kind) {
    case 'command': {
      const reply = route.reply
        ? `reply=${route.reply.address} ${route.reply.correlationHeader} ${route.reply.replyToHeader}`
        : 'one-way';
      const tombstone = route.tombstone ? ' tombstone' : '';
      const status = `${route.successStatus}${route.accepts202 ? '+202' : ''}`;
      return `${base} ${topic} ${key} ${reply} ${status}${tombstone}`;
    }
    case 'query': {
      const filters = route.filters.map((f) => `${f.param}→${f.on}:${f.name}`).join(',');
      return `${base} ${route.mode}${route.alsoStream ? '+sse' : ''} ${topic} ${key}${filters ? ` filters=${filters}` : ''}`;
    }
    case 'stream':
      return `${base} ${topic} ${key}`;
    case 'history':
      return `${base} ${topic} ${key}`;
  }
}

describe('routes from spec pairs', () => {
  it.each<[string, string, string[]]>([
    [
      'every route kind, config > x-specgate > x-zilla-http-kafka',
      join(fixtures, 'routes'),
      [
        'POST /heartbeat command heartbeat@order-commands key=const:heartbeat one-way 202+202',
        'GET /orders query list+sse listOrders@order-snapshots key=none filters=status→field:status',
        'POST /orders command createOrder@order-commands key=idempotency-key reply=order-replies x-correlation-id x-reply-topic 201+202',
        'GET /orders/live stream watchOrders@order-snapshots key=none',
        'DELETE /orders/{id} command deleteOrder@order-snapshots key=path:id one-way 204 tombstone',
        'GET /orders/{id} query item getOrder@order-snapshots key=path:id',
        'PUT /orders/{id} command replaceOrder@order-snapshots key=path:id one-way 204',
        'GET /orders/{id}/history history orderHistory@order-events key=path:id',
        'POST /orders/{id}/notes command addNote@order-commands key={id} one-way 202+202',
        'POST /orders/{id}/ship command ship@order-commands key=path:id reply=order-replies zilla:correlation-id zilla:reply-to 202+202',
      ],
    ],
    [
      'specs/todo (README table)',
      join(specs, 'todo'),
      [
        'GET /tasks query list+sse listTasks@task-snapshots key=none',
        'POST /tasks command createTask@task-commands key=idempotency-key reply=task-replies zilla:correlation-id zilla:reply-to 201+202',
        'DELETE /tasks/{id} command deleteTask@task-commands key=path:id reply=task-replies zilla:correlation-id zilla:reply-to 204+202',
        'GET /tasks/{id} query item getTask@task-snapshots key=path:id',
        'PUT /tasks/{id} command renameTask@task-commands key=path:id reply=task-replies zilla:correlation-id zilla:reply-to 200+202',
        'POST /tasks/{id}/complete command completeTask@task-commands key=path:id reply=task-replies zilla:correlation-id zilla:reply-to 200+202',
        'GET /tasks/{id}/history history getTaskHistory@task-events key=path:id',
        'POST /tasks/{id}/undo command undoTask@task-commands key=path:id reply=task-replies zilla:correlation-id zilla:reply-to 200+202',
      ],
    ],
    [
      'specs/petstore (README table)',
      join(specs, 'petstore'),
      [
        'GET /pets query list+sse listPets@petstore key=none filters=tag→field:tag',
        'POST /pets command createPet@petstore key=idempotency-key one-way 202+202',
        'DELETE /pets/{id} command deletePet@petstore key=path:id one-way 204 tombstone',
        'GET /pets/{id} query item showPetById@petstore key=path:id',
      ],
    ],
  ])('%s', async (_, dir, want) => {
    const result = await validateDir(dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.api?.routes.map(summary)).toEqual(want);
  });

  it('records which layer mapped each route', async () => {
    const result = await validateDir(join(fixtures, 'routes'));
    const by = Object.fromEntries(
      (result.api?.routes ?? []).map((r) => [r.http.operationId, r.mappedBy]),
    );
    expect(by).toEqual({
      heartbeat: 'operationId',
      listOrders: 'config',
      createOrder: 'operationId',
      watchOrders: 'operationId',
      deleteOrder: 'operationId',
      getOrder: 'operationId',
      replaceOrder: 'operationId',
      orderHistory: 'operationId',
      addNote: 'config',
      shipOrder: 'config',
    });
    const addNote = result.api?.routes.find((r) => r.http.operationId === 'addNote');
    expect(addNote?.overrides).toEqual({ 'zilla:identity': "${guarded['jwt'].identity}" });
  });
});
