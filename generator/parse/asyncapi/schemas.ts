/**
 * `components.schemas` → named schemas: every entry becomes a named type under its key, whether
 * or not anything refers to it. A v3 entry may be a multi-format object: its inner `schema` is
 * registered under the entry's key (a payload `$ref` to it gets the same id, see payload.ts);
 * one in a format that is not JSON Schema (Avro, …) has no JSON Schema to register.
 */
import { parseNamedSchema } from '../schema.ts';
import { child, type AsyncApiContext } from './context.ts';
import { formatDialect, isMultiFormat } from './payload.ts';

export function parseComponentSchemas(ctx: AsyncApiContext): void {
  const components = child(ctx.root, 'components', 'schemas');
  for (const [name, entry] of ctx.entries(components)) {
    if (ctx.major === 3 && isMultiFormat(entry.value)) {
      const dialect = formatDialect(entry.value.schemaFormat);
      if (dialect === 'opaque') continue;
      const inner = child(entry, 'schema');
      parseNamedSchema(ctx.schemaContext(dialect), name, inner.value, inner.file, inner.pointer);
    } else {
      parseNamedSchema(ctx.schemaContext(), name, entry.value, entry.file, entry.pointer);
    }
  }
}
