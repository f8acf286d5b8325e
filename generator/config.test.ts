/**
 * loadConfig on the files under config/fixtures/: defaults, paths relative to the config file,
 * every malformed or unknown key reported on its line, routes narrowed by parse/mapping.ts; and
 * specgate.schema.json, which must accept and reject exactly what loadConfig does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configFromPaths, defaultConfig, loadConfig, type SpecgateConfig } from './config.ts';
import { Diagnostics, type Diagnostic } from './diagnostics.ts';
import type { FilterSpec, MappingOverrides, Route } from './ir/types.ts';
import { DocumentSet } from './load/document-set.ts';

const fixtures = fileURLToPath(new URL('config/fixtures/', import.meta.url));
const repo = fileURLToPath(new URL('../', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);

interface Loaded {
  readonly config: SpecgateConfig | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** loadConfig on `path`; `texts` (path → text) stand in for files. */
function load(path: string, texts: Record<string, string> = {}): Loaded {
  const diagnostics = new Diagnostics();
  const documents = new DocumentSet(diagnostics, new Map(Object.entries(texts)));
  const config = loadConfig(path, documents, diagnostics);
  return { config, diagnostics: diagnostics.items };
}

/** `line pointer` of each diagnostic, and its code when not SG_CONFIG_INVALID. */
function lines(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const code = d.code === 'SG_CONFIG_INVALID' ? '' : `${d.code} `;
    const place = d.location ? `${d.location.line} ${d.location.pointer}` : '(nowhere)';
    return `${code}${place}`;
  });
}

/** A config without the `source` of each route (compared as data). */
function plain(config: SpecgateConfig | undefined): unknown {
  if (config === undefined) return undefined;
  const routes = Object.fromEntries(
    Object.entries(config.routes).map(([id, { source: _source, ...mapping }]) => [id, mapping]),
  );
  return { ...config, routes };
}

describe('loadConfig', () => {
  it('defaults everything but the specs; paths resolve against the config file', () => {
    const { config, diagnostics } = load(fixture('minimal.yaml'));
    expect(diagnostics).toEqual([]);
    expect(config).toEqual({
      file: fixture('minimal.yaml'),
      openapi: fixture('specs/openapi.yaml'),
      asyncapi: fixture('specs/asyncapi.yaml'),
      out: fixture('generated'),
      targets: ['gateway', 'client', 'service'],
      compat: 'default',
      routes: {},
      runtime: { ...defaultConfig.runtime, replyTimeoutMs: 10_000 },
      types: { dateTime: 'string' },
    });
  });

  it('reads every key', () => {
    const { config, diagnostics } = load(fixture('full.yaml'));
    expect(diagnostics).toEqual([]);
    expect(plain(config)).toEqual({
      file: fixture('full.yaml'),
      openapi: join(repo, 'specs/todo/openapi.yaml'),
      asyncapi: join(repo, 'specs/todo/asyncapi.yaml'),
      out: join(repo, 'generator/config/.out/gateway'),
      // In the canonical order, whatever the file's order.
      targets: ['gateway', 'service'],
      compat: 'zilla',
      routes: {
        createTask: {
          operation: 'submitTask',
          kind: 'command',
          key: '{idempotencyKey}',
          overrides: {
            'x-tenant': '{headers.x-tenant}',
            'zilla:identity': "${guarded['jwt'].identity}",
          },
          owner: 'zilla:identity',
        },
        listTasks: {
          kind: 'query',
          filters: [
            { param: 'status', on: 'field', name: 'status' },
            { param: 'tenant', on: 'header', name: 'x-tenant' },
          ],
        },
        watchTasks: {},
      },
      runtime: { ...defaultConfig.runtime, replyTimeoutMs: 2500 },
      types: { dateTime: 'template' },
    });
    // Each route keeps where it was written, for bind's diagnostics.
    expect(config?.routes.listTasks?.source).toMatchObject({
      file: fixture('full.yaml'),
      pointer: '/routes/listTasks',
      line: 17,
    });
  });

  it('resolves relative to the config file, not the working folder', () => {
    const file = fixture('nested/deeper/specgate.yaml');
    const { config, diagnostics } = load(relative(process.cwd(), file));
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({
      file,
      openapi: fixture('nested/openapi.yaml'),
      asyncapi: '/abs/asyncapi.yaml',
      out: fixture('nested/deeper'),
    });
  });

  it('reports every malformed top-level key and an unknown one, each on its line', () => {
    const { config, diagnostics } = load(fixture('malformed.yaml'));
    // Without usable spec paths there is no config.
    expect(config).toBeUndefined();
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(lines(diagnostics)).toEqual([
      '2 /$schema',
      '3 /openapi',
      '4 /asyncapi',
      '5 /out',
      '6 /targets',
      '7 /compat',
      '8 /routes',
      '10 /runtime/replyTimeoutMs',
      '11 /runtime/retries',
      '12 /target',
    ]);
    expect(diagnostics.at(-1)?.message).toBe(
      'unknown config key "target" (known: $schema, openapi, asyncapi, out, targets, compat, routes, runtime, types, auth, http)',
    );
  });

  it('narrows routes through parse/mapping.ts: bad fields reported on their lines, the rest kept', () => {
    const { config, diagnostics } = load(fixture('malformed-routes.yaml'));
    expect(lines(diagnostics)).toEqual([
      '5 /routes/createTask',
      '7 /routes/renameTask/operation',
      '8 /routes/renameTask/kind',
      '12 /routes/renameTask/overrides/x-bad',
      '13 /routes/renameTask/owner',
      '14 /routes/renameTask/topic',
      '17 /routes/listTasks/filters/0',
      '18 /routes/listTasks/filters/1/op',
      '21 /routes/getTask/filters/0',
      '23 /runtime',
    ]);
    expect(plain(config)).toMatchObject({
      routes: {
        renameTask: { key: '{id}', overrides: { 'x-ok': 'fixed' } },
        listTasks: {
          filters: [
            { param: 'owner', on: 'header', name: 'x-owner' },
            { param: 'done', on: 'field', name: 'done' },
          ],
        },
        // A list of only rejected filters is left out rather than read as "no filters".
        getTask: { key: '${params.id}' },
      },
      runtime: defaultConfig.runtime,
    });
    expect(Object.keys(config?.routes ?? {})).toEqual(['renameTask', 'listTasks', 'getTask']);
  });

  const inMemory = '/virtual/specgate.yaml';
  it.each<[string, string, string[], Partial<SpecgateConfig> | undefined]>([
    ['targets: []', 'targets: []', [], { targets: [] }],
    ['duplicate targets', 'targets: [client, client]', [], { targets: ['client'] }],
    ['targets as a string', 'targets: gateway', ['3 /targets'], { targets: defaultConfig.targets }],
    ['out: ""', 'out: ""', ['3 /out'], { out: '/virtual/generated' }],
    ['empty routes', 'routes: {}', [], { routes: {} }],
    ['routes: (null)', 'routes:', ['3 /routes'], { routes: {} }],
    [
      'runtime: {}',
      'runtime: {}',
      [],
      { runtime: { ...defaultConfig.runtime, replyTimeoutMs: 10_000 } },
    ],
    [
      'a fractional timeout',
      'runtime: { replyTimeoutMs: 1.5 }',
      [],
      { runtime: { ...defaultConfig.runtime, replyTimeoutMs: 1.5 } },
    ],
    [
      'the longest timeout',
      'runtime: { replyTimeoutMs: 2147483647 }',
      [],
      { runtime: { ...defaultConfig.runtime, replyTimeoutMs: 2_147_483_647 } },
    ],
    // setTimeout fires a longer delay at once.
    [
      'a timeout too long',
      'runtime: { replyTimeoutMs: 2147483648 }',
      ['3 /runtime/replyTimeoutMs'],
      { runtime: { ...defaultConfig.runtime, replyTimeoutMs: 10_000 } },
    ],
    [
      'an infinite timeout',
      'runtime: { replyTimeoutMs: .inf }',
      ['3 /runtime/replyTimeoutMs'],
      { runtime: { ...defaultConfig.runtime, replyTimeoutMs: 10_000 } },
    ],
    [
      'a negative timeout',
      'runtime: { replyTimeoutMs: -5 }',
      ['3 /runtime/replyTimeoutMs'],
      { runtime: { ...defaultConfig.runtime, replyTimeoutMs: 10_000 } },
    ],
    [
      'a timeout as text',
      'runtime: { replyTimeoutMs: "100" }',
      ['3 /runtime/replyTimeoutMs'],
      { runtime: { ...defaultConfig.runtime, replyTimeoutMs: 10_000 } },
    ],
    ['$schema as a URL', '$schema: https://example.com/specgate.schema.json', [], {}],
    ['a missing asyncapi', '# none', ['1 /asyncapi'], undefined],
  ])('%s', (_, line, want, config) => {
    const asyncapi = line === '# none' ? '' : 'asyncapi: b.yaml\n';
    const text = `openapi: a.yaml\n${asyncapi}${line}\n`;
    const loaded = load(inMemory, { [inMemory]: text });
    expect(lines(loaded.diagnostics)).toEqual(want);
    if (config === undefined) expect(loaded.config).toBeUndefined();
    else expect(loaded.config).toMatchObject(config);
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['a missing file', {}, ['SG_LOAD_FILE_NOT_FOUND (nowhere)']],
    ['a list, not a mapping', { [inMemory]: '- openapi: a.yaml\n' }, ['SG_LOAD_NOT_AN_OBJECT 1 ']],
    ['broken YAML', { [inMemory]: 'openapi: [a.yaml\n' }, ['SG_LOAD_SYNTAX 2 ']],
  ])('an unusable file: %s', (_, texts, want) => {
    const loaded = load(texts[inMemory] === undefined ? fixture('absent.yaml') : inMemory, texts);
    expect(loaded.config).toBeUndefined();
    expect(lines(loaded.diagnostics)).toEqual(want);
  });

  it('reads routes named like Object.prototype members as ordinary routes', () => {
    const text = 'openapi: a\nasyncapi: b\nroutes:\n  __proto__: { key: k }\n  constructor: {}\n';
    const { config, diagnostics } = load(inMemory, { [inMemory]: text });
    expect(diagnostics).toEqual([]);
    expect(Object.keys(config?.routes ?? {})).toEqual(['__proto__', 'constructor']);
    expect(config?.routes['__proto__']?.key).toBe('k');
    expect(config?.routes['toString']).toBeUndefined();
  });

  it('reads auth (key files against the config file) and http', () => {
    const file = '/virtual/dir/specgate.yaml';
    const text = [
      'openapi: a.yaml',
      'asyncapi: b.yaml',
      'auth: { publicKeyFile: keys/public.pem, issuer: "https://id.test/", algorithms: [ES256] }',
      'http: { cors: { origins: ["https://app.test"] }, rateLimit: { max: 5, windowMs: 1000 } }',
    ].join('\n');
    const { config, diagnostics } = load(file, { [file]: text });
    expect(diagnostics).toEqual([]);
    expect(config?.auth).toEqual({
      publicKeyFile: '/virtual/dir/keys/public.pem',
      issuer: 'https://id.test/',
      algorithms: ['ES256'],
    });
    expect(config?.http).toEqual({
      cors: { origins: ['https://app.test'] },
      rateLimit: { max: 5, windowMs: 1000 },
    });
  });

  it('two spec paths stand in for a config file', () => {
    expect(configFromPaths('a.yaml', 'b/c.yaml', 'out')).toEqual({
      openapi: join(process.cwd(), 'a.yaml'),
      asyncapi: join(process.cwd(), 'b/c.yaml'),
      out: join(process.cwd(), 'out'),
      targets: defaultConfig.targets,
      compat: defaultConfig.compat,
      routes: {},
      runtime: defaultConfig.runtime,
      types: defaultConfig.types,
    });
  });

  it.each([
    ['types: { dateTime: Date }', 'a Date would be a promise no generated file keeps'],
    ['types: { dateTime: 1 }', '"types.dateTime" must be "string" or "template"'],
    ['types: { dates: template }', 'unknown config key "types.dates" (known: dateTime)'],
  ])('reports a bad `types` entry on its line, the default kept: %s', (line, message) => {
    const file = '/virtual/types.yaml';
    const { config, diagnostics } = load(file, {
      [file]: `openapi: a.yaml\nasyncapi: b.yaml\n${line}\n`,
    });
    expect(lines(diagnostics)).toEqual([
      `3 /types/${line.includes('dates') ? 'dates' : 'dateTime'}`,
    ]);
    expect(diagnostics[0]?.message).toContain(message);
    expect(config?.types).toEqual({ dateTime: 'string' });
  });

  it('reports `types` that is not a mapping', () => {
    const file = '/virtual/types.yaml';
    const { diagnostics } = load(file, {
      [file]: 'openapi: a.yaml\nasyncapi: b.yaml\ntypes: Date\n',
    });
    expect(lines(diagnostics)).toEqual(['3 /types']);
  });
});

// -------------------------------------------------------------------------------------------
// specgate.schema.json

interface JsonSchemaNode {
  readonly properties?: { readonly [key: string]: JsonSchemaNode };
  readonly enum?: readonly unknown[];
  readonly items?: JsonSchemaNode;
  readonly default?: unknown;
  readonly description?: string;
  readonly $defs?: { readonly [key: string]: JsonSchemaNode };
}

const schemaText = readFileSync(join(repo, 'specgate.schema.json'), 'utf8');
const schema = JSON.parse(schemaText) as JsonSchemaNode;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** `instancePath` of each schema error: where in the config it failed. */
function schemaErrors(value: unknown): string[] {
  validate(value);
  return [...new Set((validate.errors ?? []).map((e) => e.instancePath))].sort();
}

/** Every file under config/fixtures/, relative. */
function configFixtures(dir = fixtures): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? configFixtures(join(dir, entry.name))
      : [relative(fixtures, join(dir, entry.name))],
  );
}

/** The keys listed in a "(known: a, b, c)" message for `yaml`'s unknown key. */
function knownKeys(text: string, code = 'SG_CONFIG_INVALID'): string[] {
  const file = '/virtual/known.yaml';
  const { diagnostics } = load(file, { [file]: text });
  const message = diagnostics.find((d) => d.code === code && d.message.includes('(known: '));
  const list = /\(known: ([^)]*)\)/.exec(message?.message ?? '')?.[1];
  if (list === undefined) throw new Error(`no known-keys message for ${text}`);
  return list.split(', ').sort();
}

const keys = (node: JsonSchemaNode | undefined): string[] =>
  Object.keys(node?.properties ?? {}).sort();

describe('specgate.schema.json', () => {
  it.each<[string, string[]]>([
    ['minimal.yaml', []],
    ['full.yaml', []],
    ['nested/deeper/specgate.yaml', []],
    [
      'malformed.yaml',
      [
        '',
        '/$schema',
        '/asyncapi',
        '/compat',
        '/openapi',
        '/out',
        '/routes',
        '/runtime',
        '/runtime/replyTimeoutMs',
        '/targets/1',
      ],
    ],
    [
      'malformed-routes.yaml',
      [
        '/routes/createTask',
        '/routes/getTask/filters/0',
        '/routes/listTasks/filters/0/on',
        '/routes/listTasks/filters/1',
        '/routes/renameTask',
        '/routes/renameTask/kind',
        '/routes/renameTask/operation',
        '/routes/renameTask/overrides/x-bad',
        '/routes/renameTask/owner',
        '/runtime',
      ],
    ],
  ])('%s', (name, want) => {
    const text = readFileSync(fixture(name), 'utf8');
    expect(schemaErrors(parseYaml(text))).toEqual(want);
    // The schema and loadConfig agree on what is valid.
    const configErrors = load(fixture(name)).diagnostics.filter(
      (d) => d.code === 'SG_CONFIG_INVALID',
    );
    expect(configErrors.length === 0).toBe(want.length === 0);
  });

  it('has a case for every config fixture', () => {
    expect(configFixtures().sort()).toEqual(
      [
        'full.yaml',
        'malformed-routes.yaml',
        'malformed.yaml',
        'minimal.yaml',
        'nested/deeper/specgate.yaml',
      ].sort(),
    );
  });

  it.each<[string, string]>([
    ['targets: []', 'targets: []'],
    ['a fractional timeout', 'runtime: { replyTimeoutMs: 1.5 }'],
    ['the longest timeout', 'runtime: { replyTimeoutMs: 2147483647 }'],
    ['a timeout too long', 'runtime: { replyTimeoutMs: 2147483648 }'],
    ['a zero timeout', 'runtime: { replyTimeoutMs: 0 }'],
    ['an empty operation', 'routes: { a: { operation: "" } }'],
    ['a filter without name', 'routes: { a: { filters: [{ param: p, on: field }] } }'],
    [
      'a filter with a number name',
      'routes: { a: { filters: [{ param: p, on: field, name: 1 }] } }',
    ],
    ['a null route', 'routes: { a: null }'],
    ['out: ""', 'out: ""'],
    ['unknown runtime key', 'runtime: { retries: 1 }'],
    ['no heartbeat', 'runtime: { heartbeatMs: 0 }'],
    ['a negative heartbeat', 'runtime: { heartbeatMs: -1 }'],
    ['a zero stream retry', 'runtime: { streamRetryMs: 0 }'],
    ['a fractional buffer', 'runtime: { streamBufferBytes: 1.5 }'],
    ['a stream buffer', 'runtime: { streamBufferBytes: 65536 }'],
    ['auth by a JWKS URL', 'auth: { jwksUrl: "https://id.test/jwks", issuer: "https://id.test/" }'],
    [
      'auth with two kinds of key',
      'auth: { jwksUrl: "https://id.test/jwks", publicKeyFile: k.pem }',
    ],
    ['auth with a secret in the config', 'auth: { secret: s3cr3t }'],
    ['auth with no algorithms', 'auth: { algorithms: [] }'],
    ['a clock tolerance too long', 'auth: { clockToleranceSeconds: 3601 }'],
    ['cors origins', 'http: { cors: { origins: ["https://app.test"], credentials: true } }'],
    ['cors for any origin', 'http: { cors: { origins: "*" } }'],
    ['cors for any origin with credentials', 'http: { cors: { origins: "*", credentials: true } }'],
    ['a cors origin with a path', 'http: { cors: { origins: ["https://app.test/x"] } }'],
    ['a rate limit', 'http: { rateLimit: { max: 100, windowMs: 60000 } }'],
    ['a rate limit of none', 'http: { rateLimit: { max: 0, windowMs: 1000 } }'],
    ['a tiny header limit', 'http: { maxHeaderBytes: 100 }'],
    ['no request timeout', 'http: { requestTimeoutMs: 0 }'],
    ['unknown http key', 'http: { gzip: true }'],
    ['overload limits', 'http: { overload: { maxEventLoopDelayMs: 500, retryAfterSeconds: 5 } }'],
    ['an overload limit of 0', 'http: { overload: { maxEventLoopDelayMs: 0 } }'],
    ['an unknown overload limit', 'http: { overload: { maxCpu: 90 } }'],
    ['date-time as a template', 'types: { dateTime: template }'],
    ['date-time as a string', 'types: { dateTime: string }'],
    ['no types', 'types: {}'],
    ['date-time as a Date', 'types: { dateTime: Date }'],
    ['types as a list', 'types: [dateTime]'],
    ['an unknown types key', 'types: { int64: bigint }'],
  ])('agrees with loadConfig: %s', (_, line) => {
    const file = '/virtual/agree.yaml';
    const text = `openapi: a.yaml\nasyncapi: b.yaml\n${line}\n`;
    const reported = load(file, { [file]: text }).diagnostics.length > 0;
    expect(schemaErrors(parseYaml(text)).length > 0).toBe(reported);
  });

  it('knows every key config.ts knows, and no other', () => {
    // What loadConfig and parseMapping list as known when they meet an unknown key.
    expect(keys(schema)).toEqual(knownKeys('openapi: a\nasyncapi: b\nzzz: 1\n'));
    expect(keys(schema.properties?.runtime)).toEqual(
      knownKeys('openapi: a\nasyncapi: b\nruntime: { zzz: 1 }\n'),
    );
    expect(keys(schema.$defs?.mapping)).toEqual(
      knownKeys('openapi: a\nasyncapi: b\nroutes: { x: { zzz: 1 } }\n'),
    );
    // And what the types say, so a new field cannot be added to one and not the other.
    const configFields = {
      $schema: 0,
      openapi: 0,
      asyncapi: 0,
      out: 0,
      targets: 0,
      compat: 0,
      routes: 0,
      runtime: 0,
      types: 0,
      auth: 0,
      http: 0,
    } satisfies Record<Exclude<keyof SpecgateConfig, 'file'> | '$schema', 0>;
    const typesFields = { dateTime: 0 } satisfies Record<keyof SpecgateConfig['types'], 0>;
    const authFields = {
      jwksUrl: 0,
      jwksFile: 0,
      publicKeyFile: 0,
      secretEnv: 0,
      issuer: 0,
      audience: 0,
      algorithms: 0,
      clockToleranceSeconds: 0,
      identityClaim: 0,
      identityHeader: 0,
    } satisfies Record<keyof NonNullable<SpecgateConfig['auth']>, 0>;
    const runtimeFields = {
      replyTimeoutMs: 0,
      heartbeatMs: 0,
      streamRetryMs: 0,
      streamBufferBytes: 0,
    } satisfies Record<keyof SpecgateConfig['runtime'], 0>;
    const mappingFields = {
      operation: 0,
      kind: 0,
      key: 0,
      overrides: 0,
      filters: 0,
      owner: 0,
    } satisfies Record<Exclude<keyof MappingOverrides, 'source'>, 0>;
    const filterFields = { param: 0, on: 0, name: 0 } satisfies Record<keyof FilterSpec, 0>;
    expect(keys(schema)).toEqual(Object.keys(configFields).sort());
    expect(keys(schema.properties?.runtime)).toEqual(Object.keys(runtimeFields).sort());
    expect(keys(schema.properties?.types)).toEqual(Object.keys(typesFields).sort());
    expect(keys(schema.properties?.types)).toEqual(
      knownKeys('openapi: a\nasyncapi: b\ntypes: { zzz: 1 }\n'),
    );
    expect(keys(schema.properties?.auth)).toEqual(Object.keys(authFields).sort());
    expect(keys(schema.properties?.auth)).toEqual(
      knownKeys('openapi: a\nasyncapi: b\nauth: { zzz: 1 }\n'),
    );
    const httpFields = {
      cors: 0,
      rateLimit: 0,
      bodyLimit: 0,
      maxHeaderBytes: 0,
      requestTimeoutMs: 0,
      headersTimeoutMs: 0,
      keepAliveTimeoutMs: 0,
      overload: 0,
    } satisfies Record<keyof NonNullable<SpecgateConfig['http']>, 0>;
    expect(keys(schema.properties?.http)).toEqual(Object.keys(httpFields).sort());
    expect(keys(schema.properties?.http)).toEqual(
      knownKeys('openapi: a\nasyncapi: b\nhttp: { zzz: 1 }\n'),
    );
    expect(keys(schema.$defs?.mapping)).toEqual(Object.keys(mappingFields).sort());
    expect(keys(schema.$defs?.filter)).toEqual(Object.keys(filterFields).sort());
  });

  it('lists the same values and defaults as config.ts', () => {
    const kinds = { command: 0, query: 0, stream: 0, history: 0 } satisfies Record<
      Route['kind'],
      0
    >;
    const compat = { default: 0, zilla: 0 } satisfies Record<SpecgateConfig['compat'], 0>;
    const on = { header: 0, field: 0 } satisfies Record<FilterSpec['on'], 0>;
    const properties = schema.properties ?? {};
    expect(properties.targets?.items?.enum).toEqual(defaultConfig.targets);
    expect(properties.targets?.default).toEqual(defaultConfig.targets);
    expect(properties.compat?.enum).toEqual(Object.keys(compat));
    expect(properties.compat?.default).toBe(defaultConfig.compat);
    const dateTime = { string: 0, template: 0 } satisfies Record<
      SpecgateConfig['types']['dateTime'],
      0
    >;
    expect(properties.types?.properties?.dateTime?.enum).toEqual(Object.keys(dateTime));
    expect(properties.types?.properties?.dateTime?.default).toBe(defaultConfig.types.dateTime);
    expect(properties.out?.default).toBe('generated');
    expect(properties.runtime?.properties?.replyTimeoutMs?.default).toBe(
      defaultConfig.runtime.replyTimeoutMs,
    );
    expect(schema.$defs?.mapping?.properties?.kind?.enum).toEqual(Object.keys(kinds));
    expect(schema.$defs?.filter?.properties?.on?.enum).toEqual(Object.keys(on));
  });

  it('describes every property, for editors', () => {
    const undescribed: string[] = [];
    const walk = (node: JsonSchemaNode, path: string): void => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) undescribed.push(`${path}/${name}`);
        walk(child, `${path}/${name}`);
      }
    };
    walk(schema, '');
    for (const [name, def] of Object.entries(schema.$defs ?? {})) walk(def, `$defs/${name}`);
    expect(undescribed).toEqual([]);
  });
});
