/**
 * What other emitters use to write a type for any schema of the IR (a message payload, a
 * parameter, a response body) with the same rules, names and options as `types.ts`, and to know
 * which of its types to import.
 */
import type { Schema } from '../../ir/types.ts';
import { printDeclaration } from './declarations.ts';
import { align, printDoc } from './doc.ts';
import { interfaceDoc, typeDoc } from './print-type.ts';
import { docLines, schemaType } from './schema-type.ts';
import {
  allReferences,
  compareCodeUnits,
  keyword,
  objectType,
  reference,
  union,
  type PropertyType,
  type TsType,
} from './ts-type.ts';
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
  options: {
    readonly direction?: Direction;
    readonly description?: string;
    /**
     * Types no schema can say, by top-level property name, written as given (`RawBody` for a
     * body that is not JSON): each replaces that property's type.
     */
    readonly replace?: { readonly [property: string]: string };
  } = {},
): string {
  const type = typeOf(schema, ctx, options.direction);
  const replace = options.replace ?? {};
  return printDeclaration(
    {
      name,
      direction: options.direction ?? 'read',
      doc: docLines(options.description, false),
      type:
        type.kind !== 'object'
          ? type
          : {
              ...type,
              properties: type.properties.map((p) => {
                const replaced = Object.hasOwn(replace, p.name) ? replace[p.name] : undefined;
                return replaced === undefined ? p : { ...p, type: reference(replaced) };
              }),
            },
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
  const declared = declaredNames(ctx);
  const used = allReferences(typeOf(schema, ctx, direction)).filter((name) => declared.has(name));
  return [...new Set(used)].sort(compareCodeUnits);
}

const declaredByNames = new WeakMap<TypeContext['names'], ReadonlySet<string>>();

/** Every name `types.ts` exports (read and write forms), once per context, not once per call. */
function declaredNames(ctx: TypeContext): ReadonlySet<string> {
  let declared = declaredByNames.get(ctx.names);
  if (declared === undefined) {
    declared = new Set([...ctx.names.values()].flatMap((n) => [n.read, n.write]));
    declaredByNames.set(ctx.names, declared);
  }
  return declared;
}

function typeOf(schema: Schema, ctx: TypeContext, direction: Direction = 'read'): TsType {
  return schemaType(schema, { ctx, direction });
}

/**
 * A type an emitter composes out of schemas for a declaration of its own (the service's
 * `…Types` interface): a schema's type (`undefined` for none, a message without a payload), a
 * union (`never` when empty), or an object type of named members (`Record<never, never>` when
 * empty), members in the order given.
 */
export type ComposedType =
  | { readonly schema: Schema | undefined }
  /** A type written as it is: a name, or an indexed access such as `Outputs['events']`. */
  | { readonly reference: string }
  | { readonly union: readonly ComposedType[] }
  | { readonly object: readonly ComposedMember[] };

export type ComposedMember = readonly [name: string, type: ComposedType];

/**
 * `export interface Name { … }` of `members`, laid out as prettier would (wide unions one
 * member a line, and so on), and the names exported by `types.ts` it uses, sorted.
 */
export function composedInterface(
  name: string,
  members: readonly ComposedMember[],
  ctx: TypeContext,
  direction: Direction = 'read',
): { readonly text: string; readonly references: readonly string[] } {
  const type = objectType(members.map(([key, member]) => property(key, member, ctx, direction)));
  const declared = declaredNames(ctx);
  const used = allReferences(type).filter((n) => declared.has(n));
  return {
    text: printDoc(interfaceDoc(name, type, { readonly: ctx.options.readonly })),
    references: [...new Set(used)].sort(compareCodeUnits),
  };
}

function property(
  name: string,
  type: ComposedType,
  ctx: TypeContext,
  direction: Direction,
): PropertyType {
  return { name, type: composedType(type, ctx, direction), optional: false, doc: [] };
}

function composedType(type: ComposedType, ctx: TypeContext, direction: Direction): TsType {
  if ('schema' in type) {
    return type.schema === undefined ? keyword('undefined') : typeOf(type.schema, ctx, direction);
  }
  if ('reference' in type) return reference(type.reference);
  if ('union' in type) return union(type.union.map((m) => composedType(m, ctx, direction)));
  if (type.object.length === 0) return reference('Record<never, never>');
  return objectType(type.object.map(([key, member]) => property(key, member, ctx, direction)));
}
