/**
 * The client emitter: IR → `client/index.ts`, a typed SDK of the HTTP API (design §7) over the
 * client runtime (`specgate/client`, whose contract is runtime/client/types.ts). Pure: no I/O
 * but reading its template, deterministic (methods in route order), and formatted as Prettier
 * would.
 *
 * Per route, in IR order:
 * - a command is `createTask(request, options?: CommandOptions)` → `core.command`;
 * - a query or history read is `getTask(request, options?: QueryOptions)` → `core.query`, and a
 *   query also `watchGetTask(request, options?: WatchOptions)` → `core.watch` (long polls);
 * - a stream is `receiveX(request, options?: StreamOptions)` → `core.stream`, and a query that
 *   also streams has `streamListTasks(…)` besides; its events are typed from the AsyncAPI
 *   messages of the route's topic (the rule of the gateway's `sseMessages`: in the Zilla
 *   profile every event is unnamed).
 * Each method's request type (`GetTaskRequest`: `params`, `query`, `headers`, `body`), answer
 * (`GetTaskResult`) and events (`ListTasksEvent`) are declared next to the operation's spec.
 */
import type { SpecgateConfig } from '../../config.ts';
import type { Api, HttpOperation, QueryRoute, Route, StreamRoute } from '../../ir/types.ts';
import { generatedHeader, type GeneratedFile } from '../generated-file.ts';
import {
  describeRoute,
  docText,
  importDeclaration,
  relativeImport,
} from '../gateway/emit-gateway.ts';
import { jsonBodyMedia } from '../gateway/command-spec.ts';
import { compare } from '../gateway/schema-literal.ts';
import { printLiteral, width } from '../gateway/ts-literal.ts';
import { NameAllocator, typeName, valueName } from '../naming.ts';
import { typeContext, typesFile, type TypeContext, type TypeOptions } from '../types/index.ts';
import { renderTemplate } from '../types/render-template.ts';
import {
  describe,
  eventDeclaration,
  eventVariants,
  requestDeclaration,
  requestSchema,
  resultDeclaration,
  rawBodyMedia,
  rawBodyType,
  successType,
  type Declared,
} from './operation-types.ts';

export interface EmitClientOptions extends TypeOptions {
  /** The project root: the file header names the spec files relative to it. */
  readonly root: string;
  /**
   * The config's `compat`. `zilla`: the gateway sends every stream event unnamed, so an event's
   * type is `message` with the union of the channel's payloads.
   */
  readonly compat?: SpecgateConfig['compat'];
}

/** The client's files, relative to the output folder. */
export const clientFiles = { index: 'client/index.ts' } as const;

/** What `client/index.ts` imports from `specgate/client`, besides `createClientCore`. */
export const runtimeTypes = [
  'ApiResult',
  'ClientOptions',
  'CommandOptions',
  'EventStream',
  'OperationSpec',
  'QueryOptions',
  'RawBody',
  'StreamEvent',
  'StreamOptions',
  'WatchOptions',
] as const;
type RuntimeType = (typeof runtimeTypes)[number];

const printWidth = 100;

/** One method of the client interface and its implementation. */
interface Method {
  readonly name: string;
  readonly doc: readonly string[];
  /** `request: GetTaskRequest`, `options?: QueryOptions`. */
  readonly parameters: readonly string[];
  readonly returns: string;
  /** `core.query`, `core.stream<ListTasksEvent>`. */
  readonly callee: string;
  /** `getTaskOperation`, `request`, `options`. */
  readonly arguments: readonly string[];
}

/** A route with the names its generated code has. */
interface NamedRoute {
  readonly route: Route;
  readonly operation: string;
  readonly request?: { readonly name: string; readonly optional: boolean } & Declared;
  readonly result?: { readonly name: string } & Declared;
  readonly event?: { readonly name: string } & Declared;
}

export function emitClient(api: Api, options: EmitClientOptions): GeneratedFile[] {
  const ctx = typeContext(api, options);
  const header = generatedHeader([api.http.file, api.kafka.file], options.root);
  const names = new NameAllocator([
    ...[...ctx.names.values()].flatMap((n) => [n.read, n.write]),
    ...runtimeTypes,
    'createClient',
    'createClientCore',
  ]);
  const clientType = names.allocate(typeName(`${api.http.title} Client`, 'Client'));
  const routes = api.routes.map((route) => nameRoute(api, route, ctx, names, options.compat));
  const methods = clientMethods(routes, ctx);

  const used = new Set<RuntimeType>(['ClientOptions']);
  for (const { route } of routes) {
    used.add('OperationSpec');
    if (route.kind === 'command') used.add('CommandOptions').add('ApiResult');
    const raw = rawBodyMedia(route);
    if (raw !== undefined && rawBodyType(raw) === 'RawBody') used.add('RawBody');
    if (route.kind === 'query' || route.kind === 'history')
      used.add('QueryOptions').add('ApiResult');
    if (route.kind === 'query') used.add('WatchOptions').add('EventStream');
    if (route.kind === 'stream' || (route.kind === 'query' && route.alsoStream)) {
      used.add('EventStream').add('StreamEvent').add('StreamOptions');
    }
  }
  const runtimeImport = [
    ...(routes.length > 0 ? ['createClientCore'] : []),
    ...[...used].sort(compare).map((name) => `type ${name}`),
  ];
  const references = [
    ...new Set(
      routes.flatMap((r) => [r.request, r.result, r.event].flatMap((d) => d?.references ?? [])),
    ),
  ].sort(compare);
  const imports = [importDeclaration(runtimeImport, 'specgate/client', false)];
  if (references.length > 0) {
    imports.push(importDeclaration(references, relativeImport(clientFiles.index, typesFile), true));
  }

  const content = renderTemplate('client/client.ts.hbs', {
    header,
    imports,
    summary: docText(
      `The ${api.http.title === '' ? 'HTTP' : api.http.title.replace(/\s+/g, ' ')} API: one method per operation.`,
    ),
    clientType,
    members: interfaceBody(methods),
    optionsParameter: methods.length > 0 ? 'options' : '_options',
    body: createClientBody(methods),
    operations: routes.map((r) => ({
      summary: docText(describeRoute(r.route)),
      name: r.operation,
      literal: printLiteral(operationLiteral(r.route), {
        column: `const ${r.operation} = `.length,
        indent: 0,
        suffix: ' as const satisfies OperationSpec;',
      }),
      declarations: [r.request, r.result, r.event].flatMap((d) =>
        d === undefined ? [] : [d.declaration],
      ),
    })),
  });
  return [{ path: clientFiles.index, content }];
}

function nameRoute(
  api: Api,
  route: Route,
  ctx: TypeContext,
  names: NameAllocator,
  compat: SpecgateConfig['compat'] | undefined,
): NamedRoute {
  const { http } = route;
  const typeOf = (suffix: string) =>
    names.allocate(typeName(`${http.operationId} ${suffix}`, suffix));
  let named: NamedRoute = {
    route,
    operation: names.allocate(valueName(`${http.operationId} Operation`, 'operation')),
  };
  const schema = requestSchema(http, route);
  if (schema !== undefined) {
    const name = typeOf('Request');
    const optional = (schema.required ?? []).length === 0;
    named = {
      ...named,
      request: { name, optional, ...requestDeclaration(name, schema, route, ctx) },
    };
  }
  if (route.kind !== 'stream') {
    const name = typeOf('Result');
    named = { ...named, result: { name, ...resultDeclaration(name, http, ctx) } };
  }
  const streamed = streamRoute(route);
  if (streamed !== undefined) {
    const name = typeOf('Event');
    const variants = eventVariants(api, streamed, compat);
    named = { ...named, event: { name, ...eventDeclaration(name, variants, http, ctx) } };
  }
  return named;
}

/** The route when it serves server-sent events: a stream, or a query that also streams. */
function streamRoute(route: Route): QueryRoute | StreamRoute | undefined {
  if (route.kind === 'stream') return route;
  return route.kind === 'query' && route.alsoStream ? route : undefined;
}

/**
 * The methods in route order. Each operation's own method is named first (so it keeps its
 * `operationId`'s name whatever else is there), then the `watch…`/`stream…` ones, a clash
 * numbered by the allocator.
 */
function clientMethods(routes: readonly NamedRoute[], ctx: TypeContext): Method[] {
  const members = new NameAllocator();
  const own = routes.map((r) => members.allocate(valueName(r.route.http.operationId, 'operation')));
  const methods: Method[] = [];
  routes.forEach((named, i) => {
    const { route, operation, request, result, event } = named;
    const { http } = route;
    const requestParameter =
      request === undefined ? [] : [`request${request.optional ? '?' : ''}: ${request.name}`];
    const requestArgument =
      request === undefined ? '{}' : request.optional ? 'request ?? {}' : 'request';
    const call = (options: RuntimeType, returns: string, callee: string) => ({
      parameters: [...requestParameter, `options?: ${options}`],
      returns,
      callee,
      arguments: [operation, requestArgument, 'options'],
    });
    const name = own[i] ?? '';
    if (route.kind === 'stream') {
      methods.push({
        name,
        doc: methodDoc(http, 'as server-sent events: the current state, then each change'),
        ...call('StreamOptions', streamType(event?.name), `core.stream<${event?.name ?? ''}>`),
      });
      return;
    }
    const resultType = `Promise<${result?.name ?? ''}>`;
    if (route.kind === 'command') {
      methods.push({
        name,
        doc: methodDoc(http),
        ...call('CommandOptions', resultType, 'core.command'),
      });
      return;
    }
    methods.push({ name, doc: methodDoc(http), ...call('QueryOptions', resultType, 'core.query') });
    if (route.kind !== 'query') return;
    const watched = successType(http, ctx, { indent: 2, column: 2 });
    methods.push({
      name: members.allocate(valueName(`watch ${http.operationId}`)),
      doc: [`Watches ${describe(http)}: its answer now, then each new one (long polls).`],
      ...call('WatchOptions', `EventStream<${watched}>`, 'core.watch'),
    });
    if (event === undefined) return;
    methods.push({
      name: members.allocate(valueName(`stream ${http.operationId}`)),
      doc: [`${describe(http)} as server-sent events: the current state, then each change.`],
      ...call('StreamOptions', streamType(event.name), `core.stream<${event.name}>`),
    });
  });
  return methods;
}

function streamType(event: string | undefined): string {
  return `EventStream<StreamEvent<${event ?? ''}>>`;
}

/** `Get one task: `GET /tasks/{id}` (getTask).` and `@deprecated`. */
function methodDoc(http: HttpOperation, how?: string): string[] {
  const summary = http.summary?.replace(/\s+/g, ' ').trim().replaceAll('*/', '*\\/');
  const what = `${describe(http)}${how === undefined ? '' : ` ${how}`}`;
  const line = summary === undefined || summary === '' ? `${what}.` : `${summary}: ${what}.`;
  return http.deprecated ? [line, '@deprecated'] : [line];
}

function operationLiteral(route: Route) {
  const raw = rawBodyMedia(route);
  const contentType = jsonBodyMedia(route)?.mediaType ?? raw;
  return {
    operationId: route.http.operationId,
    method: route.http.method.toUpperCase(),
    path: route.http.path,
    kind: route.kind,
    accepts202: route.kind === 'command' ? route.accepts202 : undefined,
    // The gateway answers 415 to a media type the operation does not declare.
    contentType: contentType === 'application/json' ? undefined : contentType,
    rawBody: raw === undefined ? undefined : true,
  };
}

/** `{ … }` of the client interface: JSDoc and signature per method, a blank line between. */
function interfaceBody(methods: readonly Method[]): string {
  if (methods.length === 0) return '{}';
  const members = methods.map((m) => `${jsDoc(m.doc, '  ')}\n${signature(m)}`);
  return `{\n${members.join('\n\n')}\n}`;
}

function jsDoc(lines: readonly string[], indent: string): string {
  if (lines.length === 1) return `${indent}/** ${lines[0] ?? ''} */`;
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`].join('\n');
}

/** `  name(a: A, b?: B): R;`, the parameters one per line when that does not fit (Prettier). */
function signature(method: Method): string {
  const flat = `  ${method.name}(${method.parameters.join(', ')}): ${method.returns};`;
  if (!flat.includes('\n') && width(flat) <= printWidth) return flat;
  const parameters = method.parameters.map((p) => `    ${p},`).join('\n');
  const tail = `  ): ${method.returns};`;
  const generic = /^(\w+)<(.*)>$/su.exec(method.returns);
  const returns =
    width(tail) <= printWidth || generic === null
      ? method.returns
      : `${generic[1] ?? ''}<\n    ${generic[2] ?? ''}\n  >`;
  return `  ${method.name}(\n${parameters}\n  ): ${returns};`;
}

/** The lines of `createClient`'s body. */
function createClientBody(methods: readonly Method[]): string[] {
  if (methods.length === 0) return ['  return {};'];
  return [
    '  const core = createClientCore(options);',
    '  return {',
    ...methods.map(implementation),
    '  };',
  ];
}

/**
 * `    getTask: (request, options) => core.query(getTaskOperation, request, options),`, broken
 * after `=>` and then between the arguments when it does not fit, as Prettier breaks it. The
 * runtime call's answer type comes from the interface (TypeScript infers it from the method's
 * return type), so it is written once, there.
 */
function implementation(method: Method): string {
  const parameters = method.parameters.map((p) => p.replace(/\??:.*$/su, ''));
  const flatHead = `    ${method.name}: (${parameters.join(', ')}) =>`;
  const head =
    width(flatHead) <= printWidth
      ? flatHead
      : `    ${method.name}: (\n${parameters.map((p) => `      ${p},`).join('\n')}\n    ) =>`;
  const call = `${method.callee}(${method.arguments.join(', ')})`;
  if (width(`${head} ${call},`) <= printWidth) return `${head} ${call},`;
  if (width(`      ${call},`) <= printWidth) return `${head}\n      ${call},`;
  const args = method.arguments.map((a) => `        ${a},`).join('\n');
  return `${head}\n      ${method.callee}(\n${args}\n      ),`;
}
