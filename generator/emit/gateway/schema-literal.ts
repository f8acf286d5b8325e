/**
 * IR schemas as the JSON Schema literals the gateway hands Fastify. The runtime registers every
 * named schema under `$id: 'specgate'` (Fastify's `addSchema`), so a ref `#/$defs/<id>` becomes
 * `specgate#/$defs/<id>`. Keys are sorted (code-unit order, after `$ref` and `type`) and so is
 * `required`, a set: the literal does not depend on the order a spec wrote them in.
 */
import type { JsonValue, Schema } from '../../ir/types.ts';
import type { Literal } from './ts-literal.ts';

/** The `$id` the runtime registers the named schemas under. */
export const schemaNamespace = 'specgate';

type LiteralMap = { [key: string]: Literal | undefined };

export function schemaLiteral(schema: Schema): Literal {
  if (typeof schema === 'boolean') return schema;
  const {
    $ref,
    properties,
    patternProperties,
    additionalProperties,
    propertyNames,
    items,
    not,
    prefixItems,
    oneOf,
    anyOf,
    allOf,
    discriminator,
    required,
    ...annotations
  } = schema;
  const out: LiteralMap = {
    ...mapOf(annotations, json),
    $ref: $ref === undefined ? undefined : namespacedRef($ref),
    properties: properties && mapOf(properties, schemaLiteral),
    patternProperties: patternProperties && mapOf(patternProperties, schemaLiteral),
    additionalProperties: additionalProperties && schemaLiteral(additionalProperties),
    propertyNames: propertyNames && schemaLiteral(propertyNames),
    items: items && schemaLiteral(items),
    not: not && schemaLiteral(not),
    prefixItems: prefixItems?.map(schemaLiteral),
    oneOf: oneOf?.map(schemaLiteral),
    anyOf: anyOf?.map(schemaLiteral),
    allOf: allOf?.map(schemaLiteral),
    discriminator: discriminator && {
      propertyName: discriminator.propertyName,
      mapping: discriminator.mapping && mapOf(discriminator.mapping, namespacedRef),
    },
    required: required && requestRequired(required, properties).sort(compare),
  };
  // `$ref` and `type` first, as people write them; the rest in code-unit order.
  const { $ref: ref, type, ...rest } = sortKeys(out);
  return { $ref: ref, type, ...rest };
}

/**
 * `required` as it applies to what the gateway and the service validate, which is always data
 * being written: OpenAPI says a required `readOnly` property is required in responses only, so
 * a request that leaves it out (as the client's `…Input` types do) is valid.
 */
function requestRequired(
  required: readonly string[],
  properties: { readonly [name: string]: Schema } | undefined,
): string[] {
  return required.filter((name) => {
    const property = properties?.[name];
    return !(typeof property === 'object' && property.readOnly === true);
  });
}

/** `#/$defs/<id>` → `specgate#/$defs/<id>`; any other ref is left as written. */
export function namespacedRef(ref: string): string {
  return ref.startsWith('#/$defs/') ? `${schemaNamespace}${ref}` : ref;
}

/**
 * An object schema of named values (`properties` built from HTTP parameters, say), with its
 * `required` list; omitted when there are none.
 */
export function objectSchemaLiteral(
  members: readonly {
    readonly name: string;
    readonly required: boolean;
    readonly schema: Schema;
  }[],
): Literal | undefined {
  if (members.length === 0) return undefined;
  const properties: LiteralMap = {};
  for (const member of members) properties[member.name] = schemaLiteral(member.schema);
  const required = members.filter((m) => m.required).map((m) => m.name);
  return {
    type: 'object',
    properties: sortKeys(properties),
    required: required.length === 0 ? undefined : required.sort(compare),
  };
}

/** `enum`, `const`, `default`, `examples`, `type` and the like: JSON, with sorted object keys. */
function json(value: JsonValue | undefined): Literal | undefined {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  if (isArray(value)) return value.map((item) => json(item) ?? null);
  return mapOf(value, json);
}

function isArray(value: object): value is readonly JsonValue[] {
  return Array.isArray(value);
}

function mapOf<T>(
  map: { readonly [key: string]: T },
  each: (member: T) => Literal | undefined,
): LiteralMap {
  const out: LiteralMap = {};
  for (const [key, member] of Object.entries(map)) out[key] = each(member);
  return sortKeys(out);
}

function sortKeys(map: LiteralMap): LiteralMap {
  const out: LiteralMap = {};
  for (const key of Object.keys(map).sort(compare)) {
    if (map[key] !== undefined) out[key] = map[key];
  }
  return out;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
