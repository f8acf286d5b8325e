/**
 * The copy of the root document that the validator sees. Two kinds of node are rewritten so
 * they do not hide the document's other problems:
 *
 * - In OpenAPI 3.0, the 3.1 schema syntax that parse/schema.ts reads leniently (numeric
 *   `exclusiveMinimum`/`exclusiveMaximum`, `type` lists) becomes its 3.0 form. The validator
 *   rejects it otherwise, and stops before its own checks of paths and operation ids; specgate
 *   warns instead (SG_OPENAPI_LAX), as SOURCES.md asks for text-generation-inference's spec.
 * - A local `$ref` that points at nothing is made to look external: the validator stops at the
 *   first missing pointer, but leaves external refs alone. The walk reports it (SG_REF_UNRESOLVED).
 * - A parameter behind an external `$ref` becomes a stub with its `name`, `in` and `required`:
 *   the validator does not follow external refs, and would report the path parameters it
 *   cannot see as missing.
 */
import { followPointer, isRecord } from '../../load/pointer.ts';
import type { OpenApiDialect } from './context.ts';

/** Something read leniently: the schema's pointer and what was lenient about it. */
export interface LaxSchema {
  readonly pointer: string;
  readonly message: string;
}

export interface RelaxedDocument {
  readonly data: unknown;
  readonly lax: readonly LaxSchema[];
}

/** Prefix that turns a dangling local `$ref` into one the validator does not follow. */
export const danglingRefPrefix = 'specgate-unresolved.invalid';

const jsonTypes: ReadonlySet<unknown> = new Set([
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
  'null',
]);

/** The target of an external `$ref` written in the root document, when already loaded. */
export type PeekRef = (ref: string) => unknown;

export function relaxForValidation(
  data: unknown,
  dialect: OpenApiDialect,
  peek: PeekRef = () => undefined,
): RelaxedDocument {
  const lax: LaxSchema[] = [];
  const visit = (value: unknown, pointer: string): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => visit(item, `${pointer}/${index}`));
    if (!isRecord(value)) return value;
    if (/\/parameters\/[^/]+$/.test(pointer)) {
      const stub = parameterStub(value, peek);
      if (stub !== undefined) return stub;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = visit(item, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
    if (
      typeof out.$ref === 'string' &&
      out.$ref.startsWith('#') &&
      !resolvesLocally(data, out.$ref)
    ) {
      out.$ref = danglingRefPrefix + out.$ref;
    }
    if (dialect === 'openapi-3.0') relaxSchema(out, pointer, lax);
    return out;
  };
  return { data: visit(data, ''), lax };
}

function relaxSchema(schema: Record<string, unknown>, pointer: string, lax: LaxSchema[]): void {
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const value = schema[exclusive];
    if (typeof value !== 'number') continue;
    lax.push({
      pointer,
      message: `"${exclusive}: ${value}" is OpenAPI 3.1 syntax (3.0 wants a boolean beside "${bound}"); read as 3.1`,
    });
    if (typeof schema[bound] !== 'number') schema[bound] = value;
    schema[exclusive] = true;
  }
  const type = schema.type;
  if (Array.isArray(type) && type.every((t) => jsonTypes.has(t))) {
    lax.push({
      pointer,
      message: 'a type array is OpenAPI 3.1 syntax, read as such in a 3.0 document',
    });
    const named = type.filter((t) => t !== 'null');
    if (type.includes('null')) schema.nullable = true;
    if (named.length === 1) schema.type = named[0];
    else delete schema.type;
  }
}

function parameterStub(value: Record<string, unknown>, peek: PeekRef): unknown {
  if (typeof value.$ref !== 'string' || value.$ref.startsWith('#')) return undefined;
  const target = peek(value.$ref);
  if (!isRecord(target) || typeof target.name !== 'string') return undefined;
  if (!['path', 'query', 'header', 'cookie'].includes(String(target.in))) return undefined;
  return { name: target.name, in: target.in, required: target.required === true, schema: {} };
}

function resolvesLocally(data: unknown, ref: string): boolean {
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    pointer = ref.slice(1);
  }
  return followPointer(data, pointer) !== undefined;
}
