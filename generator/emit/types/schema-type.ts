/**
 * IR {@link Schema} → {@link TsType}: the rules that make a JSON Schema a TypeScript type.
 *
 * - `true`/`{}` → `unknown`, `false` → `never` (never `any`); `integer` → `number`;
 *   `format: date-time` → `string` (or `Date` by option); `'null'` in `type` → `| null`.
 * - `const` → a literal; `enum` → a union of literals (values of another `type` dropped).
 * - objects → type literals: properties sorted by name, optional unless `required`;
 *   `additionalProperties`/`patternProperties` → an index signature; an object with neither
 *   named properties nor an index is `{ [key: string]: unknown }` (`never` when closed).
 * - arrays → `T[]`; `prefixItems` → a tuple (elements past `minItems` optional, `items` the rest).
 * - `oneOf`/`anyOf` → unions, `allOf` → an intersection (merged into one object type when every
 *   part is one), all three intersected with the schema's own type when it has one.
 * - `discriminator` → each `$ref` branch gets the discriminator property as a literal type, from
 *   `mapping` or, failing that, the schema's name (OpenAPI's implicit mapping); a schema whose
 *   `allOf` extends a base with a discriminator gets its own tag the same way.
 * - `readOnly` properties are left out of the write (request) form, `writeOnly` ones out of the
 *   read (response) form.
 * - a property's `description`, `default` (`@default …`) and `deprecated` are its JSDoc; a
 *   `default` leaves the property optional, since a sender may leave it out.
 */
import { refId } from '../../ir/schema-registry.ts';
import type { JsonValue, Schema, SchemaObject, SchemaType } from '../../ir/types.ts';
import { discriminatorTag, subtypeTags } from './discriminator.ts';
import {
  compareCodeUnits,
  intersection,
  jsonLiteral,
  keyword,
  neverType,
  objectType,
  reference,
  union,
  unknownType,
  type PropertyType,
  type TsType,
} from './ts-type.ts';
import { dateTimeTemplate, isAnnotated, type Direction, type TypeContext } from './type-context.ts';

export interface SchemaScope {
  readonly ctx: TypeContext;
  readonly direction: Direction;
  /**
   * The named schema being declared, while the conversion is at the top of its declaration
   * (through `oneOf`/`anyOf`/`allOf` only), where TypeScript resolves references eagerly.
   */
  readonly self?: string;
  /** True at the declaration's root schema itself. */
  readonly root?: boolean;
  /** Named schemas inlined on the way here to break a cycle. */
  readonly inlined?: ReadonlySet<string>;
}

/** The type of `schema` as it reads in `scope`. */
export function schemaType(schema: Schema, scope: SchemaScope): TsType {
  if (schema === true) return unknownType;
  if (schema === false) return neverType;
  if (schema.$ref !== undefined) return referenceType(schema.$ref, scope);
  const below: SchemaScope = { ...scope, root: false };
  const parts: TsType[] = [];
  if (schema.oneOf !== undefined) parts.push(unionType(schema.oneOf, schema, below));
  if (schema.anyOf !== undefined) parts.push(unionType(schema.anyOf, schema, below));
  if (schema.allOf !== undefined) parts.push(allOfType(schema.allOf, scope));
  const own = ownType(schema, scope);
  // `type: object` beside a composition adds nothing the composition does not say.
  if (own !== undefined && !(parts.length > 0 && isOpenObject(own))) parts.unshift(own);
  return parts.length === 0 ? unknownType : intersection(parts);
}

function referenceType(ref: string, scope: SchemaScope): TsType {
  const id = refId(ref);
  const names = id === undefined ? undefined : scope.ctx.names.get(id);
  return names === undefined ? unknownType : reference(names[scope.direction]);
}

/** The type the schema's own keywords give (`const`, `enum`, `type` and its keywords). */
function ownType(schema: SchemaObject, scope: SchemaScope): TsType | undefined {
  if (schema.const !== undefined) return jsonLiteral(schema.const);
  const types = typesOf(schema);
  if (schema.enum !== undefined) return enumType(schema.enum, types);
  if (types === undefined) return undefined;
  const nested: SchemaScope = { ctx: scope.ctx, direction: scope.direction };
  return union(types.map((type) => typeOfType(type, schema, nested)));
}

/** The declared `type`s, or the one the keywords imply (`properties` → object, …). */
function typesOf(schema: SchemaObject): readonly SchemaType[] | undefined {
  if (schema.type !== undefined)
    return typeof schema.type === 'string' ? [schema.type] : schema.type;
  if (
    schema.properties !== undefined ||
    schema.additionalProperties !== undefined ||
    schema.patternProperties !== undefined ||
    schema.required !== undefined
  ) {
    return ['object'];
  }
  if (schema.items !== undefined || schema.prefixItems !== undefined) return ['array'];
  return undefined;
}

/**
 * A union of the values' literal types. Values that no declared `type` allows are dropped,
 * unless that would drop them all: a spec that writes `type: object` beside a list of strings
 * means the strings.
 */
function enumType(values: readonly JsonValue[], types: readonly SchemaType[] | undefined): TsType {
  const allowed =
    types === undefined ? values : values.filter((v) => types.some((t) => isOfType(v, t)));
  return union((allowed.length === 0 ? values : allowed).map(jsonLiteral));
}

function isOfType(value: JsonValue, type: SchemaType): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

/** A reference prints as written, and only names `types.ts` declares are imported. */
function dateTimeType(scope: SchemaScope): TsType {
  switch (scope.ctx.options.dateTime) {
    case 'string':
      return keyword('string');
    case 'template':
      return reference(dateTimeTemplate);
    case 'Date':
      return reference('Date');
  }
}

function typeOfType(type: SchemaType, schema: SchemaObject, scope: SchemaScope): TsType {
  switch (type) {
    case 'string':
      return schema.format === 'date-time' ? dateTimeType(scope) : keyword('string');
    case 'integer':
    case 'number':
      return keyword('number');
    case 'boolean':
      return keyword('boolean');
    case 'null':
      return keyword('null');
    case 'array':
      return arrayType(schema, scope);
    case 'object':
      return objectTypeOf(schema, scope);
  }
}

function arrayType(schema: SchemaObject, scope: SchemaScope): TsType {
  const items = schema.items;
  if (schema.prefixItems === undefined) {
    if (items === false) return { kind: 'tuple', elements: [] };
    return { kind: 'array', element: schemaType(items ?? true, scope) };
  }
  if (schema.prefixItems.length === 0) {
    return items === false
      ? { kind: 'tuple', elements: [] }
      : { kind: 'array', element: schemaType(items ?? true, scope) };
  }
  const required = schema.minItems ?? 0;
  const elements = schema.prefixItems.map((item, index) => ({
    type: schemaType(item, scope),
    optional: index >= required,
  }));
  const closed =
    items === false || (schema.maxItems !== undefined && schema.maxItems <= elements.length);
  return closed
    ? { kind: 'tuple', elements }
    : { kind: 'tuple', elements, rest: schemaType(items ?? true, scope) };
}

function objectTypeOf(schema: SchemaObject, scope: SchemaScope): TsType {
  const declared = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const schemas = scope.ctx.schemas;
  const properties: PropertyType[] = [];
  for (const name of Object.keys(declared).sort(compareCodeUnits)) {
    const property = declared[name] ?? true;
    const hidden = scope.direction === 'read' ? 'writeOnly' : 'readOnly';
    if (isAnnotated(property, hidden, schemas)) continue;
    properties.push({
      name,
      type: schemaType(property, scope),
      optional: !required.has(name),
      doc: propertyDoc(property),
    });
  }
  const additional = schema.additionalProperties;
  // A required name with no schema of its own must be there, with whatever value is allowed.
  for (const name of [...required].sort(compareCodeUnits)) {
    if (Object.hasOwn(declared, name)) continue;
    const type =
      additional === undefined || additional === false
        ? unknownType
        : schemaType(additional, scope);
    properties.push({ name, type, optional: false, doc: [] });
  }
  properties.sort((a, b) => compareCodeUnits(a.name, b.name));
  const indexTypes: TsType[] = [];
  if (additional !== undefined && additional !== false) {
    indexTypes.push(schemaType(additional, scope));
  }
  for (const pattern of Object.keys(schema.patternProperties ?? {}).sort(compareCodeUnits)) {
    indexTypes.push(schemaType(schema.patternProperties?.[pattern] ?? true, scope));
  }
  let index = indexTypes.length > 0 ? union(indexTypes) : undefined;
  // `{}` means "anything but null" in TypeScript, so an object with no named property says so.
  if (index === undefined && properties.length === 0) {
    index = additional === false ? neverType : unknownType;
  }
  return objectType(properties, index);
}

function isOpenObject(type: TsType): boolean {
  return (
    type.kind === 'object' &&
    type.properties.length === 0 &&
    type.index?.kind === 'keyword' &&
    type.index.name === 'unknown'
  );
}

/**
 * JSDoc lines of a property: its description, its `@default` (the value a server assumes when
 * the property is left out; the type stays optional), and `@deprecated`.
 */
function propertyDoc(schema: Schema): string[] {
  if (typeof schema !== 'object') return [];
  const lines = docLines(schema.description, false);
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  return schema.deprecated === true ? [...lines, '@deprecated'] : lines;
}

/** The description's lines (blank lines at either end dropped), then `@deprecated`. */
export function docLines(description: string | undefined, deprecated: boolean): string[] {
  const lines = (description ?? '').split(/\r\n?|\n/u);
  while (lines.length > 0 && (lines[0] ?? '').trim() === '') lines.shift();
  while (lines.length > 0 && (lines.at(-1) ?? '').trim() === '') lines.pop();
  return deprecated ? [...lines, '@deprecated'] : lines;
}

function unionType(branches: readonly Schema[], parent: SchemaObject, scope: SchemaScope): TsType {
  return union(
    branches.map((branch) => {
      const type = schemaType(branch, scope);
      const id =
        typeof branch === 'object' && branch.$ref !== undefined ? refId(branch.$ref) : undefined;
      const tag = id === undefined ? undefined : discriminatorTag(parent, id, scope.ctx);
      return tag === undefined ? type : intersection([type, tag]);
    }),
  );
}

function allOfType(parts: readonly Schema[], scope: SchemaScope): TsType {
  const below: SchemaScope = { ...scope, root: false };
  const types = parts.map((part) => {
    const id = typeof part === 'object' && part.$ref !== undefined ? refId(part.$ref) : undefined;
    return id !== undefined && closesCycle(id, scope)
      ? inlinedType(id, below)
      : schemaType(part, below);
  });
  const tags =
    scope.root === true && scope.self !== undefined
      ? subtypeTags(parts, scope.self, scope.ctx)
      : [];
  return intersection([...types, ...tags]);
}

/**
 * True when a reference to `id` at the top of `scope.self`'s declaration would make the type
 * alias reach itself eagerly (`VehicleBase = … & (Electric | Gasoline)` while `Electric =
 * VehicleBase & …`, the usual discriminator inheritance). TypeScript rejects that, so the
 * reference is inlined instead.
 */
function closesCycle(id: string, scope: SchemaScope): boolean {
  const self = scope.self;
  if (self === undefined) return false;
  return id === self || (scope.ctx.eagerReach.get(id)?.has(self) ?? false);
}

const subtypeKeywords: ReadonlySet<string> = new Set(['oneOf', 'anyOf', 'discriminator']);

/**
 * The named schema `id` written out in place, without its `oneOf`/`anyOf` (the subtypes a base
 * lists are not part of what a subtype inherits from it).
 */
function inlinedType(id: string, scope: SchemaScope): TsType {
  const named = scope.ctx.schemas[id];
  if (named === undefined || scope.inlined?.has(id) === true) return unknownType;
  const inlined = new Set([...(scope.inlined ?? []), id]);
  if (typeof named.schema !== 'object') return schemaType(named.schema, scope);
  const own: SchemaObject = Object.fromEntries(
    Object.entries(named.schema).filter(([key]) => !subtypeKeywords.has(key)),
  );
  return schemaType(own, { ...scope, inlined });
}
