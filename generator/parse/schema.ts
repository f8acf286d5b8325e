/**
 * Raw schema (OpenAPI 3.0, OpenAPI 3.1 / JSON Schema 2020-12, AsyncAPI's draft-07 superset)
 * → the IR's normalised {@link Schema}. Every `$ref` target becomes a named schema in the
 * registry and the ref becomes `#/$defs/<id>`, which is how recursion terminates.
 */
import { basename, extname } from 'node:path';
import type { Diagnostics } from '../diagnostics.ts';
import { schemaRef, type SchemaRegistry } from '../ir/schema-registry.ts';
import type { JsonValue, Schema, SchemaObject, SchemaType, SpecLocation } from '../ir/types.ts';
import type { DocumentSet } from '../load/document-set.ts';
import { childPointer, isRecord, splitPointer } from '../load/pointer.ts';

export type SchemaDialect = 'openapi-3.0' | 'openapi-3.1' | 'asyncapi';

export interface SchemaContext {
  readonly documents: DocumentSet;
  readonly registry: SchemaRegistry;
  readonly diagnostics: Diagnostics;
  readonly dialect: SchemaDialect;
  readonly origin: 'openapi' | 'asyncapi';
}

const schemaTypes: ReadonlySet<string> = new Set([
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
  'null',
]);

/** Normalises the schema written at `file` `pointer` (whose value is `raw`). */
export function parseSchema(
  ctx: SchemaContext,
  raw: unknown,
  file: string,
  pointer: string,
): Schema {
  if (typeof raw === 'boolean') return raw;
  const at = (): SpecLocation => ctx.documents.locate(file, pointer);
  if (!isRecord(raw)) {
    ctx.diagnostics.report(
      'SG_SCHEMA_INVALID',
      `a schema must be an object or a boolean, found ${describe(raw)}`,
      at(),
    );
    return true;
  }
  if (typeof raw.$ref === 'string') {
    const ref = namedRef(ctx, raw.$ref, at());
    const siblings = ctx.dialect === 'openapi-3.0' ? {} : annotations(raw);
    return ref === undefined ? true : { ...siblings, $ref: ref };
  }
  const out: Record<string, unknown> = {};
  const child = (value: unknown, ...segments: (string | number)[]): Schema =>
    parseSchema(ctx, value, file, segments.reduce<string>(childPointer, pointer));

  copyType(ctx, raw, out, at);
  if (isRecord(raw.properties)) {
    const properties: Record<string, Schema> = {};
    for (const [name, value] of Object.entries(raw.properties)) {
      properties[name] = child(value, 'properties', name);
    }
    out.properties = properties;
  }
  if (Array.isArray(raw.required)) {
    out.required = raw.required.filter((name): name is string => typeof name === 'string');
  }
  for (const keyword of ['additionalProperties', 'propertyNames', 'not'] as const) {
    if (raw[keyword] !== undefined) out[keyword] = child(raw[keyword], keyword);
  }
  if (isRecord(raw.patternProperties)) {
    const patterns: Record<string, Schema> = {};
    for (const [pattern, value] of Object.entries(raw.patternProperties)) {
      patterns[pattern] = child(value, 'patternProperties', pattern);
    }
    out.patternProperties = patterns;
  }
  if (Array.isArray(raw.items)) {
    // draft-07 tuple form
    out.prefixItems = raw.items.map((value, index) => child(value, 'items', index));
  } else if (raw.items !== undefined) {
    out.items = child(raw.items, 'items');
  }
  if (Array.isArray(raw.prefixItems)) {
    out.prefixItems = raw.prefixItems.map((value, index) => child(value, 'prefixItems', index));
  }
  for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
    const list = raw[keyword];
    if (Array.isArray(list))
      out[keyword] = list.map((value, index) => child(value, keyword, index));
  }
  if (isRecord(raw.discriminator) && typeof raw.discriminator.propertyName === 'string') {
    out.discriminator = parseDiscriminator(ctx, raw.discriminator, file, pointer);
  } else if (typeof raw.discriminator === 'string') {
    // AsyncAPI 2.x writes the discriminator as a bare property name.
    out.discriminator = { propertyName: raw.discriminator };
  }
  if (Array.isArray(raw.enum)) out.enum = raw.enum as JsonValue[];
  if (raw.const !== undefined) out.const = raw.const as JsonValue;
  copyNumbers(ctx, raw, out, at);
  for (const keyword of ['format', 'pattern', 'contentMediaType', 'contentEncoding'] as const) {
    if (typeof raw[keyword] === 'string') out[keyword] = raw[keyword];
  }
  if (typeof raw.uniqueItems === 'boolean') out.uniqueItems = raw.uniqueItems;
  Object.assign(out, annotations(raw));
  applyNullable(ctx, raw, out);
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as SchemaObject;
}

/** Resolves a `$ref` to a named schema id, parsing the target on first sight. */
function namedRef(ctx: SchemaContext, ref: string, at: SpecLocation): string | undefined {
  const resolved = ctx.documents.resolveRef(ref, at);
  if (resolved === undefined) return undefined;
  const { id, isNew } = ctx.registry.reserve(
    nameOf(resolved.file, resolved.pointer),
    resolved.file,
    resolved.pointer,
  );
  if (isNew) {
    const source = ctx.documents.locate(resolved.file, resolved.pointer);
    // Define a placeholder first: a recursive schema meets its own id while being parsed.
    ctx.registry.define({
      id,
      name: nameOf(resolved.file, resolved.pointer),
      origin: ctx.origin,
      schema: true,
      source,
    });
    const schema = parseSchema(ctx, resolved.value, resolved.file, resolved.pointer);
    ctx.registry.define({
      id,
      name: nameOf(resolved.file, resolved.pointer),
      origin: ctx.origin,
      schema,
      source,
    });
  }
  return schemaRef(id);
}

/**
 * Registers the schema at a components entry under its own name even when nothing refers
 * to it (so every component becomes a named type), and returns the ref to it.
 */
export function parseNamedSchema(
  ctx: SchemaContext,
  name: string,
  raw: unknown,
  file: string,
  pointer: string,
): string {
  const { id, isNew } = ctx.registry.reserve(name, file, pointer);
  if (isNew) {
    const source = ctx.documents.locate(file, pointer);
    ctx.registry.define({ id, name, origin: ctx.origin, schema: true, source });
    ctx.registry.define({
      id,
      name,
      origin: ctx.origin,
      schema: parseSchema(ctx, raw, file, pointer),
      source,
    });
  }
  return schemaRef(id);
}

/** `#/components/schemas/Task` → `Task`; `./task.yaml` → `task`; `#/x/items/0` → `x`. */
export function nameOf(file: string, pointer: string): string {
  const segments = splitPointer(pointer).filter((s) => !/^\d+$/.test(s));
  const last = segments.at(-1);
  if (last !== undefined && !['schema', 'payload', 'items', 'properties'].includes(last))
    return last;
  if (segments.length >= 2) return segments.slice(-2).join('-');
  return basename(file, extname(file));
}

function parseDiscriminator(
  ctx: SchemaContext,
  raw: Record<string, unknown>,
  file: string,
  pointer: string,
): SchemaObject['discriminator'] {
  const propertyName = String(raw.propertyName);
  if (!isRecord(raw.mapping)) return { propertyName };
  const mapping: Record<string, string> = {};
  for (const [value, target] of Object.entries(raw.mapping)) {
    if (typeof target !== 'string') continue;
    // OpenAPI allows a bare schema name as well as a ref.
    const ref =
      target.includes('#') || target.includes('/') ? target : `#/components/schemas/${target}`;
    const at = ctx.documents.locate(
      file,
      childPointer(childPointer(childPointer(pointer, 'discriminator'), 'mapping'), value),
    );
    const named = namedRef(ctx, ref, at);
    if (named !== undefined) mapping[value] = named;
  }
  return { propertyName, mapping };
}

function copyType(
  ctx: SchemaContext,
  raw: Record<string, unknown>,
  out: Record<string, unknown>,
  at: () => SpecLocation,
): void {
  const type = raw.type;
  if (type === undefined) return;
  const list = Array.isArray(type) ? type : [type];
  const valid = list.filter((t): t is SchemaType => typeof t === 'string' && schemaTypes.has(t));
  if (valid.length !== list.length) {
    ctx.diagnostics.report('SG_SCHEMA_INVALID', `unknown type ${JSON.stringify(type)}`, at());
  }
  if (Array.isArray(type) && ctx.dialect === 'openapi-3.0') {
    ctx.diagnostics.report(
      'SG_OPENAPI_LAX',
      'a type array is OpenAPI 3.1 syntax, read as such in a 3.0 document',
      at(),
    );
  }
  if (valid.length === 1) out.type = valid[0];
  else if (valid.length > 1) out.type = valid;
}

function copyNumbers(
  ctx: SchemaContext,
  raw: Record<string, unknown>,
  out: Record<string, unknown>,
  at: () => SpecLocation,
): void {
  for (const keyword of [
    'minimum',
    'maximum',
    'multipleOf',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'minProperties',
    'maxProperties',
  ] as const) {
    if (typeof raw[keyword] === 'number') out[keyword] = raw[keyword];
  }
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const value = raw[exclusive];
    if (typeof value === 'boolean') {
      // OpenAPI 3.0 / draft-04: a boolean flag that turns the bound exclusive.
      if (value && typeof raw[bound] === 'number') {
        out[exclusive] = raw[bound];
        out[bound] = undefined;
      }
    } else if (typeof value === 'number') {
      if (ctx.dialect === 'openapi-3.0') {
        ctx.diagnostics.report(
          'SG_OPENAPI_LAX',
          `"${exclusive}: ${value}" is OpenAPI 3.1 syntax (3.0 wants a boolean beside "${bound}"); read as 3.1`,
          at(),
        );
      }
      out[exclusive] = value;
    }
  }
}

const annotationKeywords: ReadonlySet<string> = new Set([
  'title',
  'description',
  'readOnly',
  'writeOnly',
  'deprecated',
  'default',
  'examples',
]);

function annotations(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const keyword of ['title', 'description'] as const) {
    if (typeof raw[keyword] === 'string') out[keyword] = raw[keyword];
  }
  for (const keyword of ['readOnly', 'writeOnly', 'deprecated'] as const) {
    if (typeof raw[keyword] === 'boolean') out[keyword] = raw[keyword];
  }
  if (raw.default !== undefined) out.default = raw.default;
  if (Array.isArray(raw.examples)) out.examples = raw.examples;
  else if (raw.example !== undefined) out.examples = [raw.example];
  return out;
}

/** OpenAPI 3.0 `nullable: true` → a `'null'` type member, or a null branch when untyped. */
function applyNullable(
  ctx: SchemaContext,
  raw: Record<string, unknown>,
  out: Record<string, unknown>,
): void {
  if (raw.nullable !== true || ctx.dialect === 'asyncapi') return;
  const type = out.type;
  if (typeof type === 'string') out.type = type === 'null' ? type : [type, 'null'];
  else if (Array.isArray(type)) {
    if (!type.includes('null')) out.type = [...type, 'null'];
  } else {
    // Annotations stay outside the new `anyOf`: a description, `readOnly` or a default says
    // something of the property, whichever branch its value takes.
    const rest: Record<string, unknown> = {};
    for (const key of Object.keys(out)) {
      if (annotationKeywords.has(key)) continue;
      rest[key] = out[key];
      out[key] = undefined;
    }
    out.anyOf = [rest, { type: 'null' }];
    return;
  }
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)}`;
}
