/**
 * What other emitters use to write a type for any schema of the IR (a message payload, a
 * parameter, a response body) with the same rules, names and options as `types.ts`, and to know
 * which of its types to import.
 */
import type { Schema } from '../../ir/types.ts';
import { printDeclaration } from './declarations.ts';
import { align, printDoc } from './doc.ts';
import { typeDoc } from './print-type.ts';
import { docLines, schemaType } from './schema-type.ts';
import { allReferences, compareCodeUnits, type TsType } from './ts-type.ts';
import type { Direction, TypeContext } from './type-context.ts';

export interface TypeExpressionOptions {
  /** Request (`write`) or response (`read`, the default) form; see {@link Direction}. */
  readonly direction?: Direction;
  /** Spaces before each continuation line, for an expression placed inside indented code. */
  readonly indent?: number;
  /** The column the expression starts at on its first line (default: `indent`). */
  readonly column?: number;
}

/** The type of `schema` as TypeScript text, e.g. `readonly Task[]` or `{ … } | null`. */
export function typeExpression(
  schema: Schema,
  ctx: TypeContext,
  options: TypeExpressionOptions = {},
): string {
  const indent = options.indent ?? 0;
  const doc = typeDoc(typeOf(schema, ctx, options.direction), { readonly: ctx.options.readonly });
  return printDoc(align(indent, doc), { column: options.column ?? indent });
}

/**
 * `export interface Name { … }` or `export type Name = …;` for `schema`, with `description`
 * as its JSDoc: for an emitter that names an inline schema in its own file.
 */
export function typeDeclaration(
  name: string,
  schema: Schema,
  ctx: TypeContext,
  options: { readonly direction?: Direction; readonly description?: string } = {},
): string {
  return printDeclaration(
    {
      name,
      direction: options.direction ?? 'read',
      doc: docLines(options.description, false),
      type: typeOf(schema, ctx, options.direction),
    },
    { readonly: ctx.options.readonly },
  );
}

/** The names exported by `types.ts` that `typeExpression(schema, …)` uses, sorted. */
export function typeReferences(
  schema: Schema,
  ctx: TypeContext,
  direction: Direction = 'read',
): string[] {
  const declared = new Set([...ctx.names.values()].flatMap((n) => [n.read, n.write]));
  const used = allReferences(typeOf(schema, ctx, direction)).filter((name) => declared.has(name));
  return [...new Set(used)].sort(compareCodeUnits);
}

function typeOf(schema: Schema, ctx: TypeContext, direction: Direction = 'read'): TsType {
  return schemaType(schema, { ctx, direction });
}
