/**
 * The types of one client method, written through the types emitter's rules (so the client and
 * the gateway never disagree on a shape): the request (`params`, `query`, `headers`, `body`),
 * the answer (`ApiResult<Success, Problem>`) and, for a stream, the union of its events.
 */
import { isJsonMedia } from '../../bind/bind-routes.ts';
import type { SpecgateConfig } from '../../config.ts';
import type {
  Api,
  HttpOperation,
  HttpParameter,
  HttpResponse,
  QueryRoute,
  Route,
  Schema,
  SchemaObject,
  StreamRoute,
} from '../../ir/types.ts';
import { jsonBody, jsonBodyMedia } from '../gateway/command-spec.ts';
import { sseMessages } from '../gateway/query-spec.ts';
import { compare } from '../gateway/schema-literal.ts';
import { width } from '../gateway/ts-literal.ts';
import {
  typeDeclaration,
  typeExpression,
  typeReferences,
  type Direction,
  type TypeContext,
} from '../types/index.ts';

/**
 * Request headers the client runtime sets itself, so the typed request leaves them out (a call
 * sets them through its options): `Idempotency-Key` (`idempotencyKey`, else a fresh one),
 * `Prefer` (`async`, `watch`), `If-None-Match` (the ETag cache) and `Last-Event-ID` (stream
 * resume, `lastEventId`). Compared lower-cased, as HTTP header names are.
 */
export const runtimeHeaders: ReadonlySet<string> = new Set([
  'idempotency-key',
  'prefer',
  'if-none-match',
  'last-event-id',
]);

/** A declaration for the client file and the `types.ts` names it uses. */
export interface Declared {
  readonly declaration: string;
  readonly references: readonly string[];
}

const printWidth = 100;

/**
 * The request type's schema: a closed object of `params`, `query`, `headers` and `body`, each
 * present only when the operation has one, required when the spec makes it so; undefined when
 * the operation takes nothing (the method then takes only its options). Cookie parameters are
 * left out: `fetch` cannot set them.
 */
export function requestSchema(http: HttpOperation, route: Route): SchemaObject | undefined {
  const properties: { [member: string]: Schema } = {};
  const required: string[] = [];
  const groups: readonly [string, HttpParameter['in']][] = [
    ['params', 'path'],
    ['query', 'query'],
    ['headers', 'header'],
  ];
  for (const [member, location] of groups) {
    const parameters = http.parameters.filter(
      (p) => p.in === location && !(location === 'header' && runtimeHeaders.has(lower(p.name))),
    );
    if (parameters.length === 0) continue;
    properties[member] = parameterObject(parameters);
    if (parameters.some((p) => p.required || p.in === 'path')) required.push(member);
  }
  // A body that is not JSON is typed by requestDeclaration (no schema says "bytes").
  const body = jsonBody(route) ?? (rawBodyMedia(route) === undefined ? undefined : true);
  if (body !== undefined) {
    properties.body = body;
    if (http.requestBody?.required === true) required.push('body');
  }
  if (Object.keys(properties).length === 0) return undefined;
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * The media type of a request body the client sends as it is, not as JSON: the operation's first
 * one when it declares no JSON body (multipart is left out: `fetch` writes its own boundary).
 */
export function rawBodyMedia(route: { readonly http: HttpOperation }): string | undefined {
  if (jsonBodyMedia(route) !== undefined) return undefined;
  return route.http.requestBody?.content
    .map((c) => c.mediaType)
    .find((type) => !lower(type).startsWith('multipart/'));
}

/** Text media (`text/*`, a form) are a string; anything else the runtime's `RawBody`. */
export function rawBodyType(mediaType: string): 'string' | 'RawBody' {
  const type = lower(mediaType);
  return type.startsWith('text/') || type.startsWith('application/x-www-form-urlencoded')
    ? 'string'
    : 'RawBody';
}

function lower(name: string): string {
  return name.toLowerCase();
}

/** Parameters by their OpenAPI names (sent as given), each with its description as JSDoc. */
function parameterObject(parameters: readonly HttpParameter[]): Schema {
  const properties: { [name: string]: Schema } = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    const { schema, description } = parameter;
    properties[parameter.name] =
      description === undefined || typeof schema !== 'object' ? schema : { ...schema, description };
    if (parameter.required || parameter.in === 'path') required.push(parameter.name);
  }
  return {
    type: 'object',
    properties,
    required: required.sort(compare),
    additionalProperties: false,
  };
}

/** `export interface CreateTaskRequest { … }`. */
export function requestDeclaration(
  name: string,
  schema: Schema,
  route: Route,
  ctx: TypeContext,
): Declared {
  const raw = rawBodyMedia(route);
  const description = `The request of ${describe(route.http)}.`;
  return {
    declaration: typeDeclaration(name, schema, ctx, {
      direction: 'write',
      description:
        raw === undefined
          ? description
          : `${description} Its body is sent as it is, as \`${raw}\`.`,
      ...(raw === undefined ? {} : { replace: { body: rawBodyType(raw) } }),
    }),
    references: typeReferences(schema, ctx, 'write'),
  };
}

/**
 * A 2xx status (`200`, `2XX`) answers with data; any other (`4XX`, `default`, …) with a problem.
 * (304 never reaches the caller as a failure: the runtime answers it from its cache.)
 */
function isSuccess(response: HttpResponse): boolean {
  return response.status.startsWith('2');
}

/**
 * The data of a successful answer: the union of the JSON schemas of the 2xx responses, with
 * `undefined` for a 2xx without content (204, a 202 whose reply was not awaited); `string` for
 * a 2xx that sends only other media types (the runtime hands over such a body as its text);
 * `unknown` when some 2xx declares JSON without a schema.
 */
export function successSchemas(http: HttpOperation): { schemas: Schema[]; empty: boolean } {
  const schemas: Schema[] = [];
  let empty = false;
  for (const response of http.responses.filter(isSuccess)) {
    if (response.content.length === 0) {
      empty = true;
      continue;
    }
    const json = response.content.find((c) => isJsonMedia(c.mediaType));
    schemas.push(json === undefined ? { type: 'string' } : (json.schema ?? true));
  }
  if (schemas.length === 0 && !empty) schemas.push(true);
  return { schemas: unique(schemas), empty };
}

/** The `application/problem+json` schemas of the other responses (`unknown` when none). */
export function problemSchemas(http: HttpOperation): Schema[] {
  const schemas = http.responses
    .filter((r) => !isSuccess(r))
    .flatMap((r) => r.content.filter((c) => c.mediaType === 'application/problem+json'))
    .map((c) => c.schema ?? true);
  return schemas.length === 0 ? [true] : unique(schemas);
}

function unique(schemas: readonly Schema[]): Schema[] {
  const seen = new Set<string>();
  return schemas.filter((s) => {
    const key = JSON.stringify(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One schema of several as one: itself, or their `anyOf`; `unknown` absorbs every other. */
function unionSchema(schemas: readonly Schema[]): Schema {
  if (schemas.some((s) => s === true)) return true;
  const [first, ...rest] = schemas;
  if (first === undefined) return false;
  return rest.length === 0 ? first : { anyOf: schemas };
}

/** The success data's type text at `column` (continuation lines at `indent`). */
export function successType(
  http: HttpOperation,
  ctx: TypeContext,
  position: { readonly indent: number; readonly column: number },
): string {
  const { schemas, empty } = successSchemas(http);
  const schema = unionSchema(schemas);
  if (schema === true) return 'unknown';
  if (schema === false) return 'undefined';
  const text = typeExpression(schema, ctx, { direction: 'read', ...position });
  return empty ? `${text} | undefined` : text;
}

/** `export type CreateTaskResult = ApiResult<Task | undefined, Problem>;` */
export function resultDeclaration(name: string, http: HttpOperation, ctx: TypeContext): Declared {
  const doc = `/** The answer of ${describe(http)}. */`;
  const head = `export type ${name} = ApiResult<`;
  const problem = unionSchema(problemSchemas(http));
  const problemText = (column: number, indent: number): string =>
    problem === true
      ? 'unknown'
      : typeExpression(problem, ctx, { direction: 'read', indent, column });
  const data = successType(http, ctx, { indent: 0, column: head.length });
  const flat = `${head}${data}, ${problemText(head.length + width(data) + 2, 0)}>;`;
  const references = [
    ...successSchemas(http).schemas.flatMap((s) => typeReferences(s, ctx, 'read')),
    ...(problem === true ? [] : typeReferences(problem, ctx, 'read')),
  ];
  if (!flat.includes('\n') && width(flat) <= printWidth) {
    return { declaration: `${doc}\n${flat}`, references };
  }
  if (width(head) <= printWidth) {
    // Prettier breaks the type arguments one per line.
    const broken = `${head}\n  ${successType(http, ctx, { indent: 2, column: 2 })},\n  ${problemText(2, 2)}\n>;`;
    return { declaration: `${doc}\n${broken}`, references };
  }
  // A name too long for that: the type goes on the next line, its arguments broken if need be.
  const next = `  ApiResult<${successType(http, ctx, { indent: 2, column: 12 })}, `;
  const nextLine = `${next}${problemText(width(next), 2)}>;`;
  const type =
    !nextLine.includes('\n') && width(nextLine) <= printWidth
      ? nextLine
      : `  ApiResult<\n    ${successType(http, ctx, { indent: 4, column: 4 })},\n    ${problemText(4, 4)}\n  >;`;
  return { declaration: `${doc}\nexport type ${name} =\n${type}`, references };
}

/** One kind of stream event: its `event` name and the payloads its `data` may be. */
interface EventVariant {
  readonly event: string;
  readonly payloads: readonly Schema[];
}

/**
 * design §6: with several message types and a header that names each, an event is named after
 * its message (`event: TaskCreated`); otherwise (and always in the Zilla profile) events are
 * unnamed, which an SSE client reads as `message`, so nothing tells the payloads apart and
 * `data` is their union. `data` is the message's payload (`unknown` for a payload that is not
 * JSON Schema, such as Avro).
 */
export function eventVariants(
  api: Api,
  route: QueryRoute | StreamRoute,
  compat?: SpecgateConfig['compat'],
): EventVariant[] {
  const messages = route.messages.flatMap((id) => {
    const message = api.kafka.messages.find((m) => m.id === id);
    return message === undefined ? [] : [message];
  });
  const { names, eventNameHeader } = sseMessages(api, route, compat);
  if (names.length < 2 || eventNameHeader === undefined) {
    return [{ event: 'message', payloads: unique(messages.map((m) => m.payload ?? true)) }];
  }
  return names.map((name) => ({
    event: name,
    payloads: unique(messages.filter((m) => m.name === name).map((m) => m.payload ?? true)),
  }));
}

/** `export interface ListTasksEvent { readonly data: Task; readonly event: 'message' }`. */
export function eventDeclaration(
  name: string,
  variants: readonly EventVariant[],
  http: HttpOperation,
  ctx: TypeContext,
): Declared {
  const objects: Schema[] = variants.map((variant) => ({
    type: 'object',
    properties: { event: { const: variant.event }, data: unionSchema(variant.payloads) },
    required: ['data', 'event'],
    additionalProperties: false,
  }));
  const schema: Schema =
    objects.length === 1 && objects[0] !== undefined ? objects[0] : { oneOf: objects };
  return declared(
    name,
    schema,
    ctx,
    'read',
    `An event of the stream of ${describe(http)}, typed from the AsyncAPI messages of its topic.`,
  );
}

function declared(
  name: string,
  schema: Schema,
  ctx: TypeContext,
  direction: Direction,
  description: string,
): Declared {
  return {
    declaration: typeDeclaration(name, schema, ctx, { direction, description }),
    references: typeReferences(schema, ctx, direction),
  };
}

/** `` `GET /tasks/{id}` (getTask) ``, on one line whatever the spec wrote. */
export function describe(http: HttpOperation): string {
  const operationId = http.operationId.replace(/\s+/g, ' ').replaceAll('*/', '*\\/');
  const path = http.path.replaceAll('*/', '*\\/');
  return `\`${http.method.toUpperCase()} ${path}\` (${operationId})`;
}
