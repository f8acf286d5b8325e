/**
 * Cross-checks an HTTP request body schema with a Kafka message payload schema: a property
 * required on one side must exist on the other, and shared properties must agree on type.
 * Unions (`oneOf`/`anyOf`) are not compared: either side may legitimately narrow them.
 */
import { refId } from '../ir/schema-registry.ts';
import type { NamedSchema, Schema, SchemaObject, SchemaType } from '../ir/types.ts';

export interface PayloadProblem {
  readonly code: 'SG_BIND_PAYLOAD_REQUIRED_MISSING' | 'SG_BIND_PAYLOAD_TYPE_CLASH';
  /** JSON pointer inside the payload, `/address/street`. */
  readonly path: string;
  readonly message: string;
}

type Schemas = { readonly [id: string]: NamedSchema };

interface Flat {
  readonly types?: ReadonlySet<SchemaType>;
  readonly properties: ReadonlyMap<string, Schema>;
  readonly required: ReadonlySet<string>;
  /** False when composition we do not flatten (oneOf/anyOf/not) hides the shape. */
  readonly exact: boolean;
}

export function comparePayloads(body: Schema, payload: Schema, schemas: Schemas): PayloadProblem[] {
  const problems: PayloadProblem[] = [];
  compare(body, payload, '', schemas, problems, new Set(), 0);
  return problems;
}

function compare(
  body: Schema,
  payload: Schema,
  path: string,
  schemas: Schemas,
  problems: PayloadProblem[],
  seen: Set<string>,
  depth: number,
): void {
  const pairKey = `${JSON.stringify(body)}|${JSON.stringify(payload)}`;
  if (depth > 16 || seen.has(pairKey)) return;
  seen.add(pairKey);
  const a = flatten(body, schemas, 0);
  const b = flatten(payload, schemas, 0);
  if (a.types && b.types && !overlaps(a.types, b.types)) {
    problems.push({
      code: 'SG_BIND_PAYLOAD_TYPE_CLASH',
      path: path || '/',
      message: `the request body has type ${list(a.types)} at ${path || '/'} where the message payload has ${list(b.types)}`,
    });
    return;
  }
  if (!a.exact || !b.exact) return;
  for (const name of [...b.required].sort()) {
    if (!a.properties.has(name)) {
      problems.push({
        code: 'SG_BIND_PAYLOAD_REQUIRED_MISSING',
        path: `${path}/${name}`,
        message: `the message payload requires "${name}" at ${path || '/'}, which the request body does not declare`,
      });
    }
  }
  const openPayload = b.properties.size === 0;
  for (const name of [...a.required].sort()) {
    if (!openPayload && !b.properties.has(name)) {
      problems.push({
        code: 'SG_BIND_PAYLOAD_REQUIRED_MISSING',
        path: `${path}/${name}`,
        message: `the request body requires "${name}" at ${path || '/'}, which the message payload does not declare`,
      });
    }
  }
  for (const [name, schema] of a.properties) {
    const other = b.properties.get(name);
    if (other !== undefined) {
      compare(schema, other, `${path}/${name}`, schemas, problems, seen, depth + 1);
    }
  }
}

/** Resolves refs and merges `allOf` into one object shape. */
function flatten(schema: Schema, schemas: Schemas, depth: number): Flat {
  if (typeof schema === 'boolean' || depth > 16) {
    return { properties: new Map(), required: new Set(), exact: false };
  }
  const resolved = deref(schema, schemas);
  const properties = new Map<string, Schema>(Object.entries(resolved.properties ?? {}));
  const required = new Set(resolved.required ?? []);
  let types = typeSet(resolved);
  let exact = !resolved.oneOf && !resolved.anyOf && !resolved.not;
  for (const part of resolved.allOf ?? []) {
    const flat = flatten(part, schemas, depth + 1);
    for (const [name, value] of flat.properties)
      if (!properties.has(name)) properties.set(name, value);
    for (const name of flat.required) required.add(name);
    if (flat.types) types = types ? intersect(types, flat.types) : flat.types;
    exact &&= flat.exact;
  }
  return { ...(types ? { types } : {}), properties, required, exact };
}

function deref(schema: SchemaObject, schemas: Schemas): SchemaObject {
  let current: Schema = schema;
  for (let hops = 0; hops < 32 && typeof current !== 'boolean' && current.$ref; hops++) {
    const id = refId(current.$ref);
    const target = id === undefined ? undefined : schemas[id];
    if (target === undefined) return {};
    current = target.schema;
  }
  return typeof current === 'boolean' ? {} : current;
}

function typeSet(schema: SchemaObject): ReadonlySet<SchemaType> | undefined {
  if (schema.type === undefined) {
    if (schema.const !== undefined) return new Set([typeOfValue(schema.const)]);
    return undefined;
  }
  return new Set(typeof schema.type === 'string' ? [schema.type] : schema.type);
}

function typeOfValue(value: unknown): SchemaType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean')
    return value === true || value === false ? 'boolean' : 'string';
  return 'object';
}

function overlaps(a: ReadonlySet<SchemaType>, b: ReadonlySet<SchemaType>): boolean {
  for (const t of a) {
    if (b.has(t)) return true;
    if ((t === 'integer' && b.has('number')) || (t === 'number' && b.has('integer'))) return true;
  }
  return false;
}

/** `allOf` types: an integer is a number, so `number` ∩ `integer` is `integer`. */
function intersect(
  a: ReadonlySet<SchemaType>,
  b: ReadonlySet<SchemaType>,
): ReadonlySet<SchemaType> {
  const both = new Set([...a].filter((t) => b.has(t)));
  if ((a.has('integer') && b.has('number')) || (a.has('number') && b.has('integer'))) {
    both.add('integer');
  }
  return both;
}

function list(types: ReadonlySet<SchemaType>): string {
  return [...types].sort().join('|');
}
