/**
 * What every emitter must agree on about the types of one run, computed once: the exported name
 * of each named schema (through the naming module, clashes resolved in id order), which schemas
 * need a separate request form because of `readOnly`/`writeOnly`, and the options that change
 * how a schema reads as a type. The gateway, client and service emitters each build the same
 * context from the same `Api` and options, so they name and shape every type alike.
 */
import { refId } from '../../ir/schema-registry.ts';
import type { Api, NamedSchema, Schema } from '../../ir/types.ts';
import { NameAllocator, schemaTypeName } from '../naming.ts';
import { compareCodeUnits } from './ts-type.ts';

/**
 * Which side of an HTTP exchange a type describes. OpenAPI: `readOnly` properties appear only in
 * responses (`read`), `writeOnly` ones only in requests (`write`).
 */
export type Direction = 'read' | 'write';

export interface TypeOptions {
  /**
   * How `format: date-time` strings are typed: `string` (the default) is what JSON gives;
   * `template` a string that starts with a full-date, {@link dateTimeTemplate}. (`Date` only for
   * a caller that converts the values itself: JSON never holds one.)
   */
  readonly dateTime?: DateTimeTyping;
  /** `readonly` on every property, index signature, array and tuple (default true). */
  readonly readonly?: boolean;
  /**
   * Names no schema type may take, because the generated files that import the types already
   * use them (runtime imports such as `ApiResult`): a schema named so gets `ApiResult2`. Every
   * emitter of a run must pass the same list; the default is {@link runtimeImportNames}.
   */
  readonly reservedNames?: readonly string[];
}

export interface ResolvedTypeOptions {
  readonly dateTime: DateTimeTyping;
  readonly readonly: boolean;
  readonly reservedNames: readonly string[];
}

export type DateTimeTyping = 'string' | 'template' | 'Date';

/**
 * `format: date-time` as a template literal type: still a string at run time, but only one that
 * starts with an RFC 3339 full-date (`2024-05-01T…`) is assignable. Whatever follows the date is
 * left open, because validators accept more separators than `T` (`t`, a space).
 */
export const dateTimeTemplate = '`${number}-${number}-${number}${string}`';

/** The exported names of one named schema: the same twice unless it has a request form. */
export interface SchemaTypeNames {
  readonly read: string;
  readonly write: string;
}

export interface TypeContext {
  readonly schemas: { readonly [id: string]: NamedSchema };
  readonly options: ResolvedTypeOptions;
  /** By schema id, for every named schema. */
  readonly names: ReadonlyMap<string, SchemaTypeNames>;
  /** Named schemas each named schema reaches through `$ref`/`oneOf`/`anyOf`/`allOf` alone. */
  readonly eagerReach: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The suffix of a schema's request form: `Task` is read, `TaskInput` is written. */
export const inputSuffix = 'Input';

/**
 * The names generated files import from the runtime beside the types of `types.ts`
 * (`client/index.ts` from `specgate/client`, `service/handlers.ts` from `specgate/service`): the
 * default {@link TypeOptions.reservedNames}, so a schema called `ApiResult` or `Service` is
 * `ApiResult2` or `Service2` in every file. The emitters' tests check their imports are here.
 */
export const runtimeImportNames: readonly string[] = [
  // specgate/client
  ...['ApiResult', 'ClientOptions', 'CommandOptions', 'EventStream', 'OperationSpec'],
  ...['QueryOptions', 'RawBody', 'StreamEvent', 'StreamOptions', 'WatchOptions'],
  'createClientCore',
  // specgate/service
  ...['Service', 'ServiceEvent', 'ServiceHandlers', 'ServiceSpec', 'TypedServiceOptions'],
  'startTypedService',
];

export function resolveTypeOptions(options: TypeOptions = {}): ResolvedTypeOptions {
  return {
    dateTime: options.dateTime ?? 'string',
    readonly: options.readonly ?? true,
    reservedNames: [...(options.reservedNames ?? runtimeImportNames)].sort(compareCodeUnits),
  };
}

export function typeContext(api: Pick<Api, 'schemas'>, options: TypeOptions = {}): TypeContext {
  const schemas = api.schemas;
  const ids = Object.keys(schemas).sort(compareCodeUnits);
  const variants = schemasWithVariants(schemas, ids);
  const resolved = resolveTypeOptions(options);
  const allocator = new NameAllocator(resolved.reservedNames);
  const read = new Map(ids.map((id) => [id, allocator.allocate(baseTypeName(schemas, id))]));
  const names = new Map<string, SchemaTypeNames>();
  for (const id of ids) {
    const readName = read.get(id) ?? id;
    names.set(id, { read: readName, write: readName });
  }
  for (const id of ids.filter((i) => variants.has(i))) {
    const readName = read.get(id) ?? id;
    // `Date_` (an escaped reserved word) is written `DateInput`, not `Date_Input`.
    const stem = readName.replace(/_$/u, '');
    names.set(id, { read: readName, write: allocator.allocate(`${stem}${inputSuffix}`) });
  }
  return {
    schemas,
    options: resolved,
    names,
    eagerReach: eagerReachOf(schemas, ids),
  };
}

function baseTypeName(schemas: { readonly [id: string]: NamedSchema }, id: string): string {
  return schemaTypeName(schemas[id]?.name ?? id);
}

/**
 * The exported type name of the named schema `schemaId` (`#/$defs/<id>`), in its read (response)
 * or write (request) form; undefined for an id the run does not know.
 */
export function typeNameOf(
  ctx: TypeContext,
  schemaId: string,
  direction: Direction = 'read',
): string | undefined {
  return ctx.names.get(schemaId)?.[direction];
}

/** True when the named schema has a separate request form (`TaskInput`). */
export function hasRequestForm(ctx: TypeContext, schemaId: string): boolean {
  const names = ctx.names.get(schemaId);
  return names !== undefined && names.read !== names.write;
}

/**
 * Schemas whose read and write forms differ: those with a `readOnly` or `writeOnly` property
 * of their own, and those that refer to one of them (to a fixpoint, so recursion is fine).
 */
function schemasWithVariants(
  schemas: { readonly [id: string]: NamedSchema },
  ids: readonly string[],
): Set<string> {
  const marked = new Set(
    ids.filter((id) => {
      const schema = schemas[id]?.schema;
      return schema !== undefined && hasDirectedProperty(schema, schemas);
    }),
  );
  const refs = new Map(ids.map((id) => [id, referencedIds(schemas[id]?.schema ?? true)]));
  for (let changed = true; changed;) {
    changed = false;
    for (const id of ids) {
      if (marked.has(id)) continue;
      if ((refs.get(id) ?? []).some((target) => marked.has(target))) {
        marked.add(id);
        changed = true;
      }
    }
  }
  return marked;
}

/** True when a property anywhere in `schema` (not behind a `$ref`) is read- or write-only. */
function hasDirectedProperty(
  schema: Schema,
  schemas: { readonly [id: string]: NamedSchema },
): boolean {
  return subschemas(schema).some(
    (s) =>
      typeof s === 'object' &&
      Object.values(s.properties ?? {}).some(
        (p) => isAnnotated(p, 'readOnly', schemas) || isAnnotated(p, 'writeOnly', schemas),
      ),
  );
}

/**
 * True when `schema` carries the annotation, itself or through the schemas it is a `$ref` to or
 * an `allOf` of (JSON Schema collects annotations through both).
 */
export function isAnnotated(
  schema: Schema,
  annotation: 'readOnly' | 'writeOnly',
  schemas: { readonly [id: string]: NamedSchema },
  seen: ReadonlySet<string> = new Set(),
): boolean {
  if (typeof schema !== 'object') return false;
  if (schema[annotation] === true) return true;
  if (schema.$ref !== undefined) {
    const id = refId(schema.$ref);
    const target = id === undefined ? undefined : schemas[id];
    if (id !== undefined && target !== undefined && !seen.has(id)) {
      if (isAnnotated(target.schema, annotation, schemas, new Set([...seen, id]))) return true;
    }
  }
  return (schema.allOf ?? []).some((part) => isAnnotated(part, annotation, schemas, seen));
}

/** `schema` and every schema inside it, not following `$ref`s. */
export function subschemas(schema: Schema): Schema[] {
  const out: Schema[] = [schema];
  if (typeof schema !== 'object') return out;
  const children: Schema[] = [
    ...Object.values(schema.properties ?? {}),
    ...Object.values(schema.patternProperties ?? {}),
    ...(schema.prefixItems ?? []),
    ...(schema.oneOf ?? []),
    ...(schema.anyOf ?? []),
    ...(schema.allOf ?? []),
  ];
  for (const child of [schema.additionalProperties, schema.items, schema.not]) {
    if (child !== undefined) children.push(child);
  }
  for (const child of children) out.push(...subschemas(child));
  return out;
}

/** Ids of the named schemas `schema` refers to, anywhere in it. */
function referencedIds(schema: Schema): string[] {
  return subschemas(schema).flatMap((s) => {
    const id = typeof s === 'object' && s.$ref !== undefined ? refId(s.$ref) : undefined;
    return id === undefined ? [] : [id];
  });
}

/** Refs `schema` makes through `$ref`, `oneOf`, `anyOf` and `allOf` alone. */
export function eagerIds(schema: Schema): string[] {
  if (typeof schema !== 'object') return [];
  const own = schema.$ref === undefined ? undefined : refId(schema.$ref);
  return [
    ...(own === undefined ? [] : [own]),
    ...[...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])].flatMap(
      eagerIds,
    ),
  ];
}

function eagerReachOf(
  schemas: { readonly [id: string]: NamedSchema },
  ids: readonly string[],
): Map<string, Set<string>> {
  const direct = new Map(ids.map((id) => [id, eagerIds(schemas[id]?.schema ?? true)]));
  const reach = new Map<string, Set<string>>();
  for (const id of ids) {
    const seen = new Set<string>();
    const stack = [...(direct.get(id) ?? [])];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(direct.get(next) ?? []));
    }
    reach.set(id, seen);
  }
  return reach;
}
