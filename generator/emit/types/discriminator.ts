/**
 * OpenAPI's `discriminator` as literal types: the property that tells the branches of a
 * `oneOf`/`anyOf` apart gets, in each `$ref` branch, the value(s) that select it — from
 * `mapping`, else the schema's name (OpenAPI's implicit mapping) — and a schema that extends
 * (`allOf`) a base with a discriminator gets its own value the same way. Nothing is added where
 * a schema already fixes the property (`const`, `enum`), so no tag can contradict the spec.
 */
import { refId } from '../../ir/schema-registry.ts';
import type { JsonValue, NamedSchema, Schema, SchemaObject } from '../../ir/types.ts';
import { compareCodeUnits, jsonLiteral, objectType, union, type TsType } from './ts-type.ts';
import type { TypeContext } from './type-context.ts';

/**
 * The discriminator property of `parent`, as the literal value(s) that select the branch `id`;
 * undefined when there is no discriminator or the branch already fixes the property itself.
 */
export function discriminatorTag(
  parent: SchemaObject,
  id: string,
  ctx: TypeContext,
): TsType | undefined {
  const discriminator = parent.discriminator;
  const branch = ctx.schemas[id];
  if (discriminator === undefined || branch === undefined) return undefined;
  if (fixedValues(branch.schema, discriminator.propertyName, ctx) !== undefined) return undefined;
  // A branch that extends this very schema carries its tag already (see subtypeTags).
  if (extendsSchema(branch.schema, parent, ctx)) return undefined;
  return tagType(discriminator.propertyName, tagValues(parent, branch));
}

/**
 * Tags for a schema that extends (`allOf`) a base with a discriminator: the base's discriminator
 * property with the value that selects this schema. Only when the base lists no subtypes or
 * lists this one, and neither side fixes the property to other values already.
 */
export function subtypeTags(parts: readonly Schema[], self: string, ctx: TypeContext): TsType[] {
  const named = ctx.schemas[self];
  if (named === undefined) return [];
  const tags: TsType[] = [];
  for (const part of parts) {
    const id = typeof part === 'object' && part.$ref !== undefined ? refId(part.$ref) : undefined;
    const base = id === undefined ? undefined : ctx.schemas[id];
    if (base === undefined || typeof base.schema !== 'object') continue;
    const discriminator = base.schema.discriminator;
    if (discriminator === undefined) continue;
    const listed = [...(base.schema.oneOf ?? []), ...(base.schema.anyOf ?? [])];
    const listsSelf = listed.some(
      (s) => typeof s === 'object' && s.$ref !== undefined && refId(s.$ref) === self,
    );
    if (listed.length > 0 && !listsSelf) continue;
    const property = discriminator.propertyName;
    if (fixesOwnProperty(named.schema, property, ctx)) continue;
    const values = tagValues(base.schema, named);
    const allowed = fixedValues(base.schema, property, ctx);
    if (allowed !== undefined && !values.every((v) => allowed.includes(v))) continue;
    tags.push(tagType(property, values));
  }
  return tags;
}

/** True when `schema` has `base` (a named schema's root) among its `allOf` references. */
function extendsSchema(schema: Schema, base: SchemaObject, ctx: TypeContext): boolean {
  if (typeof schema !== 'object') return false;
  return (schema.allOf ?? []).some((part) => {
    const id = typeof part === 'object' && part.$ref !== undefined ? refId(part.$ref) : undefined;
    return id !== undefined && ctx.schemas[id]?.schema === base;
  });
}

/** True when `schema` fixes `property` itself, not through the schemas it extends. */
function fixesOwnProperty(schema: Schema, property: string, ctx: TypeContext): boolean {
  if (typeof schema !== 'object') return false;
  const own = schema.properties?.[property];
  if (own !== undefined && literalValues(own, ctx, new Set()) !== undefined) return true;
  return (schema.allOf ?? []).some(
    (part) =>
      typeof part === 'object' &&
      part.$ref === undefined &&
      fixedValues(part, property, ctx) !== undefined,
  );
}

/** The discriminator values that select `branch`: its `mapping` keys, else its name. */
function tagValues(parent: SchemaObject, branch: NamedSchema): string[] {
  const mapping = parent.discriminator?.mapping ?? {};
  const mapped = Object.keys(mapping)
    .filter((value) => refId(mapping[value] ?? '') === branch.id)
    .sort(compareCodeUnits);
  return mapped.length > 0 ? mapped : [branch.name];
}

function tagType(property: string, values: readonly string[]): TsType {
  return objectType([
    {
      name: property,
      type: union(values.map((value) => jsonLiteral(value))),
      optional: false,
      doc: [],
    },
  ]);
}

/**
 * The values `schema` allows for `property` when it fixes them (`const` or `enum`, directly or
 * through `$ref`s and `allOf`), else undefined.
 */
function fixedValues(
  schema: Schema,
  property: string,
  ctx: TypeContext,
  seen: ReadonlySet<string> = new Set(),
): JsonValue[] | undefined {
  if (typeof schema !== 'object') return undefined;
  if (schema.$ref !== undefined) {
    const id = refId(schema.$ref);
    const target = id === undefined ? undefined : ctx.schemas[id];
    if (id === undefined || target === undefined || seen.has(id)) return undefined;
    return fixedValues(target.schema, property, ctx, new Set([...seen, id]));
  }
  const own = schema.properties?.[property];
  const values = own === undefined ? undefined : literalValues(own, ctx, seen);
  if (values !== undefined) return values;
  for (const part of schema.allOf ?? []) {
    const found = fixedValues(part, property, ctx, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

function literalValues(
  schema: Schema,
  ctx: TypeContext,
  seen: ReadonlySet<string>,
): JsonValue[] | undefined {
  if (typeof schema !== 'object') return undefined;
  if (schema.const !== undefined) return [schema.const];
  if (schema.enum !== undefined) return [...schema.enum];
  if (schema.$ref !== undefined) {
    const id = refId(schema.$ref);
    const target = id === undefined ? undefined : ctx.schemas[id];
    if (id === undefined || target === undefined || seen.has(id)) return undefined;
    return literalValues(target.schema, ctx, new Set([...seen, id]));
  }
  return undefined;
}
