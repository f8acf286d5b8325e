/**
 * Named schemas of one run, shared by the OpenAPI and AsyncAPI parsers so ids are unique
 * across both specs. The same place in the same file always gets the same id; a second
 * schema with a taken name gets `Name2`, `Name3`, … in the order the parsers meet them
 * (OpenAPI first, then AsyncAPI, each in document order), which is deterministic.
 */
import type { NamedSchema } from './types.ts';

export class SchemaRegistry {
  readonly #idsByPlace = new Map<string, string>();
  readonly #taken = new Set<string>();
  readonly #schemas = new Map<string, NamedSchema>();

  /** The id for the schema named `name` written at `file` `pointer`; `isNew` on first sight. */
  reserve(name: string, file: string, pointer: string): { id: string; isNew: boolean } {
    const place = `${file}#${pointer}`;
    const known = this.#idsByPlace.get(place);
    if (known !== undefined) return { id: known, isNew: false };
    let id = name === '' ? 'Schema' : name;
    for (let n = 2; this.#taken.has(id); n++) id = `${name}${n}`;
    this.#taken.add(id);
    this.#idsByPlace.set(place, id);
    return { id, isNew: true };
  }

  define(schema: NamedSchema): void {
    this.#schemas.set(schema.id, schema);
  }

  has(id: string): boolean {
    return this.#schemas.has(id);
  }

  /** Every named schema, sorted by id (code-unit order). */
  all(): { [id: string]: NamedSchema } {
    const ids = [...this.#schemas.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: { [id: string]: NamedSchema } = {};
    for (const id of ids) {
      const schema = this.#schemas.get(id);
      if (schema !== undefined) out[id] = schema;
    }
    return out;
  }
}

/** The `$ref` text for a named schema id. */
export function schemaRef(id: string): string {
  return `#/$defs/${id.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** The id a `#/$defs/<id>` ref points at, or undefined for any other text. */
export function refId(ref: string): string | undefined {
  if (!ref.startsWith('#/$defs/')) return undefined;
  return ref.slice('#/$defs/'.length).replaceAll('~1', '/').replaceAll('~0', '~');
}
