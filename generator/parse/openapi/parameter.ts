/** Parameter Objects → {@link HttpParameter}, with OpenAPI's serialisation defaults applied. */
import type { HttpParameter, Schema } from '../../ir/types.ts';
import {
  child,
  describe,
  invalid,
  locate,
  once,
  resolveObject,
  schemaAt,
  stringField,
  type OpenApiContext,
  type Place,
} from './context.ts';
import { parseContent } from './media.ts';

type ParameterIn = HttpParameter['in'];

const parameterLocations: readonly ParameterIn[] = ['path', 'query', 'header', 'cookie'];

/** OpenAPI: "If in is header and the name is Accept, Content-Type or Authorization, the parameter definition SHALL be ignored." */
const ignoredHeaders: ReadonlySet<string> = new Set(['accept', 'content-type', 'authorization']);

/** Reads a `parameters` list; unreadable entries are reported and left out. */
export function parseParameters(ctx: OpenApiContext, raw: unknown, place: Place): HttpParameter[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    invalid(ctx, `"parameters" must be a list, found ${describe(raw)}`, place);
    return [];
  }
  return raw.flatMap(
    (item: unknown, index) => parseParameter(ctx, item, child(place, index)) ?? [],
  );
}

export function parseParameter(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
): HttpParameter | undefined {
  const resolved = resolveObject(ctx, raw, place, 'parameter');
  if (resolved === undefined) return undefined;
  const parameter = once(ctx, 'parameter', resolved.place, () =>
    readParameter(ctx, resolved.value, resolved.place),
  );
  if (parameter === undefined || resolved.description === undefined) return parameter;
  return { ...parameter, description: resolved.description };
}

function readParameter(
  ctx: OpenApiContext,
  value: Record<string, unknown>,
  at: Place,
): HttpParameter | undefined {
  const name = stringField(value, 'name');
  if (name === undefined) {
    invalid(ctx, 'a parameter needs a string "name"', at);
    return undefined;
  }
  const where = value.in;
  if (!isParameterIn(where)) {
    invalid(
      ctx,
      `parameter "${name}": "in" must be path, query, header or cookie, found ${describe(where)}`,
      where === undefined ? at : child(at, 'in'),
    );
    return undefined;
  }
  if (where === 'header' && ignoredHeaders.has(name.toLowerCase())) return undefined;
  const style = stringField(value, 'style') ?? defaultStyle(where);
  const description = stringField(value, 'description');
  return {
    name,
    in: where,
    // OpenAPI: a path parameter is always required (the validator reports `required: false`).
    required: where === 'path' || value.required === true,
    schema: parameterSchema(ctx, value, at),
    ...(description === undefined ? {} : { description }),
    style,
    explode: typeof value.explode === 'boolean' ? value.explode : style === 'form',
    source: locate(ctx, at),
  };
}

/**
 * Path-level and operation-level parameters merged: an operation-level parameter replaces the
 * path-level one with the same name and location in its place; the operation's others follow.
 */
export function mergeParameters(
  pathLevel: readonly HttpParameter[],
  operationLevel: readonly HttpParameter[],
): HttpParameter[] {
  const own = new Map(operationLevel.map((p) => [parameterKey(p), p]));
  const merged = pathLevel.map((p) => own.get(parameterKey(p)) ?? p);
  const taken = new Set(merged.map(parameterKey));
  return [...merged, ...operationLevel.filter((p) => !taken.has(parameterKey(p)))];
}

/** OpenAPI: "A unique parameter is defined by a combination of a name and location"; header names ignore case. */
function parameterKey(p: HttpParameter): string {
  return `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
}

/** OpenAPI defaults: `form` for query and cookie, `simple` for path and header. */
function defaultStyle(where: ParameterIn): string {
  return where === 'query' || where === 'cookie' ? 'form' : 'simple';
}

/** `schema`, else the schema of the single `content` entry, else anything. */
function parameterSchema(ctx: OpenApiContext, raw: Record<string, unknown>, at: Place): Schema {
  if (raw.schema !== undefined) return schemaAt(ctx, raw.schema, child(at, 'schema'));
  return parseContent(ctx, raw.content, child(at, 'content'))[0]?.schema ?? true;
}

function isParameterIn(value: unknown): value is ParameterIn {
  return parameterLocations.some((where) => where === value);
}
