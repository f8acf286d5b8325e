/**
 * The project config (`specgate.yaml`), resolved once into a typed, defaulted object
 * (style.md §22). Paths in it are relative to the config file. Two spec paths on the command
 * line stand in for a config file.
 */
import { dirname, resolve } from 'node:path';
import type { AuthConfig } from '../runtime/gateway/auth/auth-options.ts';
import type { HttpLimits } from '../runtime/gateway/http-limits.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { MappingOverrides } from './ir/types.ts';
import type { DocumentSet } from './load/document-set.ts';
import { childPointer, isRecord } from './load/pointer.ts';
import { parseMapping } from './parse/mapping.ts';

export type Target = 'gateway' | 'client' | 'service';

export interface SpecgateConfig {
  /** The config file, when there is one. */
  readonly file?: string;
  /** Absolute paths of the two specs. */
  readonly openapi: string;
  readonly asyncapi: string;
  /** Absolute output folder (default `generated` beside the config, or the cwd). */
  readonly out: string;
  readonly targets: readonly Target[];
  /**
   * `default`: specgate's own behaviour. `zilla`: a drop-in for Zilla's http-kafka and sse-kafka
   * bindings (design §4–§6): the generated server starts the gateway with `compat: 'zilla'`
   * (idempotency by key and request hash, every request header in request-reply records,
   * cross-origin CORS unless `http` sets `cors`), and stream events are unnamed, so the client's
   * event type is the union of the channel's payloads.
   */
  readonly compat: 'default' | 'zilla';
  /** Explicit mappings by HTTP operationId. */
  readonly routes: { readonly [operationId: string]: MappingOverrides };
  readonly runtime: RuntimeConfig;
  /** How schemas read as TypeScript types (`types` in the config). */
  readonly types: TypesConfig;
  /** Bearer token checks of the generated gateway (`auth`; design §9); file paths absolute. */
  readonly auth?: AuthSettings;
  /** CORS, rate limit, sizes and timeouts of the generated gateway (`http`; design §9). */
  readonly http?: HttpSettings;
}

/** `http` in the config: the runtime's `HttpLimits`, passed to the generated server as written. */
export type HttpSettings = HttpLimits;

/** The whole-number `http` keys: the least each may be (0 turns a timeout off). */
const httpNumbers = {
  bodyLimit: 1,
  maxHeaderBytes: 1024,
  requestTimeoutMs: 0,
  headersTimeoutMs: 0,
  keepAliveTimeoutMs: 1,
} as const;
const httpKeys: readonly string[] = ['cors', 'rateLimit', 'overload', ...Object.keys(httpNumbers)];
const overloadKeys = [
  'maxEventLoopDelayMs',
  'maxHeapUsedBytes',
  'maxRssBytes',
  'retryAfterSeconds',
] as const;

/**
 * `auth` in the config: where the gateway finds the keys that sign callers' tokens, and what it
 * checks — the runtime's `AuthConfig`, with key file paths made absolute. The shared secret
 * itself never sits in the config, only the name of its environment variable.
 */
export type AuthSettings = AuthConfig;

const authText = [
  'jwksUrl',
  'secretEnv',
  'issuer',
  'audience',
  'identityClaim',
  'identityHeader',
] as const;
const authFiles = ['jwksFile', 'publicKeyFile'] as const;
const authKeys: readonly string[] = [
  ...authText,
  ...authFiles,
  'algorithms',
  'clockToleranceSeconds',
];

/** `types` in the config: how schemas read as TypeScript types, in every generated file. */
export interface TypesConfig {
  /**
   * `format: date-time`: `string` (the default), or `template`, a template literal type that is
   * still a string at run time but must start with a full-date (`${number}-${number}-${number}…`).
   * Not `Date`: the gateway and the service pass JSON through, so no value would be one.
   */
  readonly dateTime: 'string' | 'template';
}

const dateTimeTypings: readonly TypesConfig['dateTime'][] = ['string', 'template'];

/** Defaults of the generated gateway (`runtime` in the config file). */
export interface RuntimeConfig {
  /** How long a request-reply command waits for its reply before 202/504. */
  readonly replyTimeoutMs: number;
  /** A comment line on idle server-sent event streams this often; 0 for none. */
  readonly heartbeatMs: number;
  /** The `retry:` a stream sends: how long a browser waits before it reconnects. */
  readonly streamRetryMs: number;
  /** Most bytes waiting for one stream client before its stream is ended. */
  readonly streamBufferBytes: number;
}

/** Each `runtime` key: its lowest allowed value (0 or above it) and what it means. */
const runtimeKeys: {
  readonly [K in keyof RuntimeConfig]: { zero: boolean; whole: boolean; unit: string };
} = {
  replyTimeoutMs: { zero: false, whole: false, unit: 'number of milliseconds' },
  heartbeatMs: { zero: true, whole: false, unit: 'number of milliseconds (0: no heartbeat)' },
  streamRetryMs: { zero: false, whole: false, unit: 'number of milliseconds' },
  streamBufferBytes: { zero: false, whole: true, unit: 'whole number of bytes' },
};

const allTargets: readonly Target[] = ['gateway', 'client', 'service'];
const knownKeys = new Set([
  '$schema',
  'openapi',
  'asyncapi',
  'out',
  'targets',
  'compat',
  'routes',
  'runtime',
  'types',
  'auth',
  'http',
]);

/** setTimeout's longest delay; a longer one fires at once (Node clamps it to 1 ms). */
const maxTimeoutMs = 2_147_483_647;

export const defaultConfig = {
  targets: allTargets,
  compat: 'default',
  types: { dateTime: 'string' },
  runtime: {
    replyTimeoutMs: 10_000,
    heartbeatMs: 15_000,
    streamRetryMs: 2000,
    streamBufferBytes: 1_048_576,
  },
} as const satisfies { readonly runtime: RuntimeConfig; readonly types: TypesConfig } & Record<
  string,
  unknown
>;

/** Spec paths given on the command line, no config file. */
export function configFromPaths(openapi: string, asyncapi: string, out?: string): SpecgateConfig {
  return {
    openapi: resolve(openapi),
    asyncapi: resolve(asyncapi),
    out: resolve(out ?? 'generated'),
    targets: defaultConfig.targets,
    compat: defaultConfig.compat,
    routes: {},
    runtime: defaultConfig.runtime,
    types: defaultConfig.types,
  };
}

/** Reads and narrows a config file; undefined (with diagnostics) when unusable. */
export function loadConfig(
  path: string,
  documents: DocumentSet,
  diagnostics: Diagnostics,
): SpecgateConfig | undefined {
  const document = documents.load(path);
  if (document === undefined || !isRecord(document.data)) return undefined;
  const file = document.file;
  const raw = document.data;
  const here = dirname(file);
  const at = (key: string): ReturnType<DocumentSet['locate']> =>
    documents.locate(file, childPointer('', key));
  const bad = (key: string, message: string): void =>
    diagnostics.report('SG_CONFIG_INVALID', message, at(key));

  for (const key of Object.keys(raw)) {
    if (!knownKeys.has(key))
      bad(key, `unknown config key "${key}" (known: ${[...knownKeys].join(', ')})`);
  }
  if (raw.$schema !== undefined && typeof raw.$schema !== 'string') {
    bad('$schema', '"$schema" must be the URL or path of specgate.schema.json');
  }
  const specPath = (key: 'openapi' | 'asyncapi'): string | undefined => {
    const value = raw[key];
    if (typeof value === 'string' && value !== '') return resolve(here, value);
    bad(
      key,
      `"${key}" must be the path of the ${key === 'openapi' ? 'OpenAPI' : 'AsyncAPI'} document`,
    );
    return undefined;
  };
  const openapi = specPath('openapi');
  const asyncapi = specPath('asyncapi');

  let out = resolve(here, 'generated');
  if (raw.out !== undefined) {
    if (typeof raw.out === 'string' && raw.out !== '') out = resolve(here, raw.out);
    else bad('out', '"out" must be a folder path');
  }
  let targets: readonly Target[] = defaultConfig.targets;
  if (raw.targets !== undefined) {
    const list = raw.targets;
    if (Array.isArray(list) && list.every((t) => (allTargets as readonly unknown[]).includes(t))) {
      targets = allTargets.filter((t) => list.includes(t));
    } else bad('targets', `"targets" must be a list of ${allTargets.join(', ')}`);
  }
  let compat: SpecgateConfig['compat'] = defaultConfig.compat;
  if (raw.compat !== undefined) {
    if (raw.compat === 'default' || raw.compat === 'zilla') compat = raw.compat;
    else bad('compat', '"compat" must be "default" or "zilla"');
  }
  // No prototype: an operationId such as `__proto__` or `constructor` is an ordinary key.
  const routes: Record<string, MappingOverrides> = Object.create(null) as Record<
    string,
    MappingOverrides
  >;
  if (raw.routes !== undefined) {
    if (isRecord(raw.routes)) {
      for (const [operationId, value] of Object.entries(raw.routes)) {
        const pointer = childPointer(childPointer('', 'routes'), operationId);
        const mapping = parseMapping(
          { documents, diagnostics },
          value,
          { file, pointer },
          `routes.${operationId}`,
        );
        if (mapping !== undefined) routes[operationId] = mapping;
      }
    } else bad('routes', '"routes" must map HTTP operationIds to mappings');
  }
  const runtime: { -readonly [K in keyof RuntimeConfig]: number } = { ...defaultConfig.runtime };
  const known = Object.keys(runtimeKeys).join(', ');
  if (raw.runtime !== undefined) {
    const given = raw.runtime;
    if (!isRecord(given)) bad('runtime', `"runtime" must be a mapping (${known})`);
    else {
      const runtimeAt = (key: string): ReturnType<DocumentSet['locate']> =>
        documents.locate(file, childPointer(childPointer('', 'runtime'), key));
      for (const [key, value] of Object.entries(given)) {
        const rule = Object.hasOwn(runtimeKeys, key)
          ? runtimeKeys[key as keyof RuntimeConfig]
          : undefined;
        if (rule === undefined) {
          diagnostics.report(
            'SG_CONFIG_INVALID',
            `unknown config key "runtime.${key}" (known: ${known})`,
            runtimeAt(key),
          );
        } else if (
          typeof value === 'number' &&
          (rule.zero ? value >= 0 : value > 0) &&
          value <= maxTimeoutMs &&
          (!rule.whole || Number.isInteger(value))
        ) {
          runtime[key as keyof RuntimeConfig] = value;
        } else {
          diagnostics.report(
            'SG_CONFIG_INVALID',
            `"runtime.${key}" must be a ${rule.zero ? 'non-negative' : 'positive'} ${rule.unit}, at most ${maxTimeoutMs}`,
            runtimeAt(key),
          );
        }
      }
    }
  }
  const types = typesSettings(raw.types, documents, file, diagnostics);
  const auth =
    raw.auth === undefined ? undefined : authSettings(raw.auth, here, documents, file, diagnostics);
  const http =
    raw.http === undefined
      ? undefined
      : httpSettings(
          raw.http,
          (key) => documents.locate(file, key === undefined ? '/http' : childPointer('/http', key)),
          diagnostics,
        );
  if (openapi === undefined || asyncapi === undefined) return undefined;
  return {
    file,
    openapi,
    asyncapi,
    out,
    targets,
    compat,
    routes,
    runtime,
    types,
    ...(auth === undefined ? {} : { auth }),
    ...(http === undefined ? {} : { http }),
  };
}

/** `types`: defaults for what is absent; a located diagnostic for each bad entry. */
function typesSettings(
  raw: unknown,
  documents: DocumentSet,
  file: string,
  diagnostics: Diagnostics,
): TypesConfig {
  if (raw === undefined) return defaultConfig.types;
  const at = (key?: string): ReturnType<DocumentSet['locate']> =>
    documents.locate(file, key === undefined ? '/types' : childPointer('/types', key));
  if (!isRecord(raw)) {
    diagnostics.report('SG_CONFIG_INVALID', '"types" must be a mapping (dateTime)', at());
    return defaultConfig.types;
  }
  let dateTime: TypesConfig['dateTime'] = defaultConfig.types.dateTime;
  for (const [key, value] of Object.entries(raw)) {
    if (key !== 'dateTime') {
      diagnostics.report(
        'SG_CONFIG_INVALID',
        `unknown config key "types.${key}" (known: dateTime)`,
        at(key),
      );
    } else if ((dateTimeTypings as readonly unknown[]).includes(value)) {
      dateTime = value as TypesConfig['dateTime'];
    } else {
      diagnostics.report(
        'SG_CONFIG_INVALID',
        `"types.dateTime" must be ${dateTimeTypings.map((t) => `"${t}"`).join(' or ')}${value === 'Date' ? ': a Date would be a promise no generated file keeps, since JSON holds strings (use "template" for a typed string)' : ''}`,
        at(key),
      );
    }
  }
  return { dateTime };
}

function authSettings(
  raw: unknown,
  here: string,
  documents: DocumentSet,
  file: string,
  diagnostics: Diagnostics,
): AuthSettings | undefined {
  const at = (key?: string): ReturnType<DocumentSet['locate']> =>
    documents.locate(file, key === undefined ? '/auth' : childPointer('/auth', key));
  if (!isRecord(raw)) {
    diagnostics.report(
      'SG_CONFIG_INVALID',
      `"auth" must be a mapping (${authKeys.join(', ')})`,
      at(),
    );
    return undefined;
  }
  const out: { -readonly [K in keyof AuthSettings]: AuthSettings[K] } = {};
  for (const [key, value] of Object.entries(raw)) {
    const text = typeof value === 'string' && value.trim() !== '' ? value : undefined;
    if ((authText as readonly string[]).includes(key)) {
      if (text === undefined) {
        diagnostics.report(
          'SG_CONFIG_INVALID',
          `"auth.${key}" must be a non-empty string`,
          at(key),
        );
      } else out[key as (typeof authText)[number]] = text;
    } else if ((authFiles as readonly string[]).includes(key)) {
      if (text === undefined) {
        diagnostics.report('SG_CONFIG_INVALID', `"auth.${key}" must be a file path`, at(key));
      } else out[key as (typeof authFiles)[number]] = resolve(here, text);
    } else if (key === 'algorithms') {
      if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
        out.algorithms = value.filter((v): v is string => typeof v === 'string');
      } else {
        diagnostics.report(
          'SG_CONFIG_INVALID',
          '"auth.algorithms" must be a list of JWS algorithm names (RS256, ES256, …)',
          at(key),
        );
      }
    } else if (key === 'clockToleranceSeconds') {
      if (typeof value === 'number' && value >= 0 && value <= 3600) {
        out.clockToleranceSeconds = value;
      } else {
        diagnostics.report(
          'SG_CONFIG_INVALID',
          '"auth.clockToleranceSeconds" must be a number of seconds from 0 to 3600',
          at(key),
        );
      }
    } else {
      diagnostics.report(
        'SG_CONFIG_INVALID',
        `unknown config key "auth.${key}" (known: ${authKeys.join(', ')})`,
        at(key),
      );
    }
  }
  const keySources = ['jwksUrl', 'jwksFile', 'publicKeyFile'].filter((key) => key in out);
  if (keySources.length > 1) {
    diagnostics.report(
      'SG_CONFIG_INVALID',
      `"auth" names ${keySources.join(' and ')}: give one kind of key (one key kind pins one algorithm family)`,
      at(keySources[1]),
    );
  }
  return out;
}

function httpSettings(
  raw: unknown,
  at: (key?: string) => ReturnType<DocumentSet['locate']>,
  diagnostics: Diagnostics,
): HttpSettings | undefined {
  const bad = (key: string | undefined, message: string): void =>
    diagnostics.report('SG_CONFIG_INVALID', message, at(key));
  if (!isRecord(raw)) {
    bad(undefined, `"http" must be a mapping (${httpKeys.join(', ')})`);
    return undefined;
  }
  const out: { -readonly [K in keyof HttpSettings]: HttpSettings[K] } = {};
  const whole = (value: unknown, least: number): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= least && value <= maxTimeoutMs;
  for (const [key, value] of Object.entries(raw)) {
    if (Object.hasOwn(httpNumbers, key)) {
      const least = httpNumbers[key as keyof typeof httpNumbers];
      if (whole(value, least)) out[key as keyof typeof httpNumbers] = value;
      else bad(key, `"http.${key}" must be a whole number from ${least} to ${maxTimeoutMs}`);
    } else if (key === 'cors') {
      const cors = isRecord(value) ? value : undefined;
      const origins = cors?.origins;
      const listed =
        origins === '*' ||
        (Array.isArray(origins) &&
          origins.length > 0 &&
          origins.every((o) => typeof o === 'string' && /^https?:\/\/[^/\s]+$/.test(o)));
      const unknown = Object.keys(cors ?? {}).filter(
        (k) => !['origins', 'credentials', 'maxAgeSeconds'].includes(k),
      );
      if (
        cors === undefined ||
        !listed ||
        unknown.length > 0 ||
        (cors.credentials !== undefined && typeof cors.credentials !== 'boolean') ||
        (cors.maxAgeSeconds !== undefined && !whole(cors.maxAgeSeconds, 0)) ||
        (origins === '*' && cors.credentials === true)
      ) {
        bad(
          key,
          '"http.cors" is { origins: ["https://app.example.com", …] or "*", credentials?: boolean (not with "*"), maxAgeSeconds?: number }',
        );
      } else {
        out.cors = {
          origins:
            origins === '*'
              ? '*'
              : (origins as unknown[]).filter((o): o is string => typeof o === 'string'),
          ...(typeof cors.credentials === 'boolean' ? { credentials: cors.credentials } : {}),
          ...(typeof cors.maxAgeSeconds === 'number' ? { maxAgeSeconds: cors.maxAgeSeconds } : {}),
        };
      }
    } else if (key === 'overload') {
      const given = isRecord(value) ? value : undefined;
      const valid =
        given !== undefined &&
        Object.entries(given).every(
          ([k, v]) => (overloadKeys as readonly string[]).includes(k) && whole(v, 1),
        );
      if (valid) {
        out.overload = Object.fromEntries(
          overloadKeys.flatMap((k) => (typeof given[k] === 'number' ? [[k, given[k]]] : [])),
        );
      } else {
        bad(
          key,
          `"http.overload" is { ${overloadKeys.join(', ')} }, each optional, whole numbers above 0`,
        );
      }
    } else if (key === 'rateLimit') {
      const limit = isRecord(value) ? value : undefined;
      const extra = Object.keys(limit ?? {}).filter((k) => k !== 'max' && k !== 'windowMs');
      if (
        limit !== undefined &&
        extra.length === 0 &&
        whole(limit.max, 1) &&
        whole(limit.windowMs, 1)
      ) {
        out.rateLimit = { max: limit.max, windowMs: limit.windowMs };
      } else {
        bad(
          key,
          '"http.rateLimit" is { max: <requests per window>, windowMs: <window in ms> }, whole numbers above 0',
        );
      }
    } else {
      bad(key, `unknown config key "http.${key}" (known: ${httpKeys.join(', ')})`);
    }
  }
  return out;
}
