/**
 * The gateway emitter: IR → `gateway/spec.ts` (the route specs the runtime reads),
 * `gateway/requests.ts` (each route's request type), `gateway/routes.ts` (one typed Fastify
 * route per operation) and `gateway/server.ts` (the entry). Pure: no I/O but reading its
 * templates, deterministic (routes in IR order, maps sorted), and formatted as Prettier would.
 *
 * Every route kind is served.
 */
import { posix, relative, sep } from 'node:path';
import type { AuthSettings, HttpSettings, RuntimeConfig, SpecgateConfig } from '../../config.ts';
import type { Api, Route } from '../../ir/types.ts';
import { generatedHeader, type GeneratedFile } from '../generated-file.ts';
import { NameAllocator, stringLiteral, valueName } from '../naming.ts';
import { typeContext, typesFile, type TypeOptions } from '../types/index.ts';
import { renderTemplate } from '../types/render-template.ts';
import { commandSpecLiteral } from './command-spec.ts';
import { kafkaSecurityLiteral } from './kafka-security.ts';
import { historySpecLiteral, querySpecLiteral, streamSpecLiteral } from './query-spec.ts';
import { requestTypes } from './request-types.ts';
import { compare, schemaLiteral } from './schema-literal.ts';
import { code, multiline, printLiteral, width, type Literal } from './ts-literal.ts';

export interface EmitGatewayOptions extends TypeOptions {
  /** The project root: file headers name the spec files relative to it. */
  readonly root: string;
  /** The config's `runtime`: defaults the generated server starts the gateway with. */
  readonly runtime: RuntimeConfig;
  /** The absolute output folder (the server names key files relative to itself). */
  readonly out?: string;
  /** The config's `auth` (file paths absolute). */
  readonly auth?: AuthSettings;
  /** The config's `http` limits. */
  readonly http?: HttpSettings;
  /**
   * The config's `compat`. `zilla`: the server starts the gateway in the Zilla profile, and
   * stream specs have no `eventNameHeader` (every data event unnamed, as Zilla sends them).
   */
  readonly compat?: SpecgateConfig['compat'];
}

/** The gateway's files, relative to the output folder. */
export const gatewayFiles = {
  spec: 'gateway/spec.ts',
  requests: 'gateway/requests.ts',
  routes: 'gateway/routes.ts',
  server: 'gateway/server.ts',
} as const;

/** A served route with the names generated code knows it by. */
interface NamedRoute {
  readonly route: Route;
  /** The route spec's export in spec.ts (`createTask`). */
  readonly name: string;
  /** The route generic's export in requests.ts (`CreateTaskRequest`), when it has one. */
  readonly requestType?: string;
}

export function emitGateway(api: Api, options: EmitGatewayOptions): GeneratedFile[] {
  const header = generatedHeader([api.http.file, api.kafka.file], options.root);
  const ctx = typeContext(api, options);
  const served = api.routes;
  const requests = requestTypes(served, ctx);
  const names = new NameAllocator(['spec', 'GatewaySpec', ...Object.values(specTypes)]);
  const named: NamedRoute[] = served.map((route) => {
    const requestType = requests.get(route.http.operationId)?.name;
    return {
      route,
      name: names.allocate(valueName(route.http.operationId, 'route')),
      ...(requestType === undefined ? {} : { requestType }),
    };
  });

  const files: GeneratedFile[] = [
    {
      path: gatewayFiles.spec,
      content: renderTemplate('gateway/spec.ts.hbs', specView(api, named, header, options.compat)),
    },
  ];
  if (requests.size > 0) {
    const references = [...new Set([...requests.values()].flatMap((r) => r.references))];
    files.push({
      path: gatewayFiles.requests,
      content: renderTemplate('gateway/requests.ts.hbs', {
        header,
        imports:
          references.length === 0
            ? []
            : [
                importDeclaration(
                  references.sort(compare),
                  relativeImport(gatewayFiles.requests, typesFile),
                  true,
                ),
              ],
        requests: [...requests.values()].map((r) => ({ declaration: r.declaration })),
      }),
    });
  }
  files.push(
    {
      path: gatewayFiles.routes,
      content: renderTemplate('gateway/routes.ts.hbs', routesView(named, header)),
    },
    {
      path: gatewayFiles.server,
      content: renderTemplate('gateway/server.ts.hbs', {
        header,
        replyTimeoutMs: String(options.runtime.replyTimeoutMs),
        heartbeatMs: String(options.runtime.heartbeatMs),
        retryMs: String(options.runtime.streamRetryMs),
        maxBufferBytes: String(options.runtime.streamBufferBytes),
        kafka: kafkaSecurityLiteral(api.kafka) ?? '',
        auth: authOption(api, options),
        zilla: options.compat === 'zilla',
        http:
          options.http &&
          printLiteral(
            {
              ...options.http,
              cors: options.http.cors && {
                ...options.http.cors,
                origins: options.http.cors.origins === '*' ? '*' : [...options.http.cors.origins],
              },
              rateLimit: options.http.rateLimit && { ...options.http.rateLimit },
              overload: options.http.overload && { ...options.http.overload },
            },
            { column: '  http: '.length, indent: 2, suffix: ',' },
          ),
      }),
    },
  );
  return files;
}

/**
 * The server's `auth` option, when a route is secured or the config says how: the config's
 * `auth` with key files relative to the generated server, read at start-up.
 */
function authOption(api: Api, options: EmitGatewayOptions): string | undefined {
  const { auth } = options;
  if (auth === undefined && !api.routes.some((route) => route.auth !== undefined)) {
    return undefined;
  }
  const here = posix.join(options.out ?? options.root, posix.dirname(gatewayFiles.server));
  const file = (path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    const rel = relative(here, path).split(sep).join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const value: Literal = {
    ...auth,
    jwksFile: file(auth?.jwksFile),
    publicKeyFile: file(auth?.publicKeyFile),
    algorithms: auth?.algorithms && [...auth.algorithms],
  };
  // As Prettier writes a call: on one line when it fits, else one argument per line.
  const head = '  auth: authFromConfig(';
  const flat = printLiteral(value, {
    column: head.length,
    indent: 2,
    suffix: ', import.meta.url),',
  });
  if (!flat.includes('\n')) return `authFromConfig(${flat}, import.meta.url)`;
  const literal = printLiteral(value, { column: 4, indent: 4, suffix: ',' });
  return `authFromConfig(\n    ${literal},\n    import.meta.url,\n  )`;
}

/** The runtime type a route spec satisfies, by route kind. */
const specTypes = {
  command: 'CommandRouteSpec',
  query: 'QueryRouteSpec',
  stream: 'StreamRouteSpec',
  history: 'HistoryRouteSpec',
} as const;

function specType(route: Route): string {
  return specTypes[route.kind];
}

function specLiteral(
  api: Api,
  route: Route,
  compat: SpecgateConfig['compat'] | undefined,
): Literal {
  switch (route.kind) {
    case 'command':
      return commandSpecLiteral(api, route);
    case 'query':
      return querySpecLiteral(api, route, compat);
    case 'stream':
      return streamSpecLiteral(api, route, compat);
    case 'history':
      return historySpecLiteral(api, route);
  }
}

function specView(
  api: Api,
  routes: readonly NamedRoute[],
  header: string,
  compat: SpecgateConfig['compat'] | undefined,
): object {
  const schemas: { [id: string]: Literal } = {};
  for (const id of Object.keys(api.schemas).sort(compare)) {
    const named = api.schemas[id];
    if (named !== undefined) schemas[id] = schemaLiteral(named.schema);
  }
  // Annotated, not `as const satisfies`: the literal types of thousands of schemas and routes
  // cost the type check seconds on a large API (B6) and nothing reads them.
  const specHead = 'export const spec: GatewaySpec = ';
  const specTail = ';';
  return {
    header,
    runtimeImport: importDeclaration(
      [...new Set([...routes.map((r) => specType(r.route)), 'GatewaySpec'])].sort(compare),
      'specgate/runtime',
      true,
    ),
    routes: routes.map(({ route, name }) => {
      const type = specType(route);
      const head = `export const ${name}: ${type} = `;
      const literal = specLiteral(api, route, compat);
      return {
        summary: docText(describeRoute(route)),
        name,
        type,
        literal: printLiteral(literal, {
          column: head.length,
          indent: 0,
          suffix: ';',
        }),
      };
    }),
    spec: printLiteral(
      multiline({
        title: api.http.title,
        schemas: multiline(schemas),
        routes: routes.map((r) => code(r.name)),
      }),
      { column: specHead.length, indent: 0, suffix: specTail },
    ),
  };
}

function routesView(routes: readonly NamedRoute[], header: string): object {
  const requestTypes = routes.flatMap((c) => (c.requestType === undefined ? [] : [c.requestType]));
  const imports: string[] = [];
  if (requestTypes.length > 0) {
    imports.push(importDeclaration(requestTypes.sort(compare), './requests.ts', true));
  }
  if (routes.length > 0) imports.push(`import * as spec from './spec.ts';`);
  return {
    header,
    imports,
    // A routes function with nothing to register takes no parameters (none would be used).
    parameters: routes.length > 0 ? '(app, runtime)' : '()',
    notes: routes.length > 0 ? [] : ['No routes: nothing to register yet.'],
    routes: routes.map(({ route, name, requestType }) => ({
      summary: describeRoute(route),
      typeArguments: requestType === undefined ? '' : `<${requestType}>`,
      method: stringLiteral(route.http.method.toUpperCase()),
      url: stringLiteral(fastifyPath(route.http.path)),
      name,
      secured: route.auth !== undefined,
      handler: handler(route.kind, name),
    })),
  };
}

/** `(request, reply) => runtime.command(spec.x, request, reply)`, broken after `=>` if long. */
function handler(kind: Route['kind'], name: string): string {
  const arrow = '(request, reply) =>';
  const call = `runtime.${kind}(spec.${name}, request, reply)`;
  const indent = '    ';
  return width(`${indent}handler: ${arrow} ${call},`) <= 100
    ? `${arrow} ${call}`
    : `${arrow}\n${indent}  ${call}`;
}

/** OpenAPI `/tasks/{id}` → Fastify `/tasks/:id`; a literal `:` is doubled, as Fastify wants. */
export function fastifyPath(path: string): string {
  let out = '';
  let last = 0;
  for (const match of path.matchAll(/\{([^{}]+)\}/g)) {
    out += path.slice(last, match.index).replaceAll(':', '::') + `:${match[1] ?? ''}`;
    last = match.index + match[0].length;
  }
  return out + path.slice(last).replaceAll(':', '::');
}

/** `POST /tasks (createTask): request-reply command on task-commands, reply on task-replies` */
export function describeRoute(route: Route): string {
  // One line whatever the spec wrote: it ends up in `//` comments.
  const operationId = route.http.operationId.replace(/\s+/g, ' ');
  const head = `${route.http.method.toUpperCase()} ${route.http.path} (${operationId})`;
  const topic = route.topic.address;
  switch (route.kind) {
    case 'command':
      if (route.reply !== undefined) {
        return `${head}: request-reply command on ${topic}, reply on ${route.reply.address}`;
      }
      return `${head}: one-way command on ${topic}${route.tombstone ? ' (a tombstone)' : ''}`;
    case 'query':
      return `${head}: ${route.mode} query${route.alsoStream ? ' and stream' : ''} on ${topic}`;
    case 'stream':
      return `${head}: stream on ${topic}`;
    case 'history':
      return `${head}: history on ${topic}`;
  }
}

/** Text safe inside a `/** … *\/` comment. */
export function docText(text: string): string {
  return text.replaceAll('*/', '*\\/');
}

/** `import type { A, B } from '…';`, one name a line when it does not fit (as Prettier does). */
export function importDeclaration(
  names: readonly string[],
  from: string,
  typeOnly: boolean,
): string {
  const keyword = typeOnly ? 'import type' : 'import';
  const oneLine = `${keyword} { ${names.join(', ')} } from ${stringLiteral(from)};`;
  if (width(oneLine) <= 100) return oneLine;
  return `${keyword} {\n${names.map((n) => `  ${n},`).join('\n')}\n} from ${stringLiteral(from)};`;
}

/** The import specifier of `target` from `file`, both relative to the output folder. */
export function relativeImport(file: string, target: string): string {
  const path = posix.relative(posix.dirname(file), target);
  return path.startsWith('.') ? path : `./${path}`;
}
