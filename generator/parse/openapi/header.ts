/** Header Objects of a response → {@link HttpHeader}, names lower-cased. */
import type { HttpHeader, Schema } from '../../ir/types.ts';
import { isRecord } from '../../load/pointer.ts';
import {
  child,
  describe,
  invalid,
  locate,
  once,
  resolveObject,
  schemaAt,
  type OpenApiContext,
  type Place,
} from './context.ts';
import { parseContent } from './media.ts';

/** Reads a response's `headers` mapping, in declaration order. */
export function parseHeaders(ctx: OpenApiContext, raw: unknown, place: Place): HttpHeader[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) {
    invalid(ctx, `"headers" must be a mapping, found ${describe(raw)}`, place);
    return [];
  }
  const out: HttpHeader[] = [];
  const seen = new Set<string>();
  for (const [written, value] of Object.entries(raw)) {
    const name = written.toLowerCase();
    // OpenAPI: "If a response header is defined with the name Content-Type, it SHALL be ignored."
    if (name === 'content-type') continue;
    const at = child(place, written);
    if (seen.has(name)) {
      invalid(ctx, `header "${written}" is declared twice (header names ignore case)`, at);
      continue;
    }
    seen.add(name);
    const resolved = resolveObject(ctx, value, at, 'header');
    if (resolved === undefined) continue;
    const header = once(ctx, 'header', resolved.place, () => ({
      required: resolved.value.required === true,
      schema: headerSchema(ctx, resolved.value, resolved.place),
      source: locate(ctx, resolved.place),
    }));
    out.push({ name, ...header });
  }
  return out;
}

/** `schema`, else the schema of the single `content` entry, else anything. */
function headerSchema(ctx: OpenApiContext, raw: Record<string, unknown>, at: Place): Schema {
  if (raw.schema !== undefined) return schemaAt(ctx, raw.schema, child(at, 'schema'));
  return parseContent(ctx, raw.content, child(at, 'content'))[0]?.schema ?? true;
}
