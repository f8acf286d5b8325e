/**
 * One exported declaration per named schema, in id order, plus its request form right after it
 * when it has one (`Task`, then `TaskInput`). An object type becomes an `interface`, anything
 * else a `type` alias. Aliases that would still reach themselves eagerly after schema-type.ts
 * inlined the usual cycles (only pathological specs: `A = B | …`, `B = A | …`) have the closing
 * reference replaced by `unknown`, so the file always compiles.
 */
import type { NamedSchema } from '../../ir/types.ts';
import { schemaTypeName, typeName } from '../naming.ts';
import { printDoc, type Doc } from './doc.ts';
import { interfaceDoc, jsDocDoc, typeAliasDoc, type PrintOptions } from './print-type.ts';
import { docLines, schemaType } from './schema-type.ts';
import {
  compareCodeUnits,
  eagerReferences,
  withoutEagerReference,
  type TsType,
} from './ts-type.ts';
import type { Direction, TypeContext } from './type-context.ts';

export interface TypeDeclaration {
  /** The named schema declared; absent for a declaration of an inline schema. */
  readonly schemaId?: string;
  readonly name: string;
  readonly direction: Direction;
  /** JSDoc lines. */
  readonly doc: readonly string[];
  readonly type: TsType;
}

export function typeDeclarations(ctx: TypeContext): TypeDeclaration[] {
  const declarations: TypeDeclaration[] = [];
  for (const id of Object.keys(ctx.schemas).sort(compareCodeUnits)) {
    const named = ctx.schemas[id];
    const names = ctx.names.get(id);
    if (named === undefined || names === undefined) continue;
    const directions: Direction[] = names.read === names.write ? ['read'] : ['read', 'write'];
    for (const direction of directions) {
      const name = names[direction];
      declarations.push({
        schemaId: id,
        name,
        direction,
        doc: declarationDocLines(named, name, direction, names.read),
        type: schemaType(named.schema, { ctx, direction, self: id, root: true }),
      });
    }
  }
  return withoutEagerCycles(declarations);
}

function declarationDocLines(
  named: NamedSchema,
  name: string,
  direction: Direction,
  readName: string,
): string[] {
  const schema = typeof named.schema === 'object' ? named.schema : {};
  const title =
    schema.title !== undefined && schema.title !== named.name && typeName(schema.title) !== name
      ? schema.title
      : undefined;
  const lines = docLines(schema.description ?? title, false);
  const notes: string[] = [];
  if (typeName(named.name, 'Schema') !== schemaTypeName(named.name)) {
    notes.push(`Schema \`${named.name}\`.`);
  }
  if (direction === 'write') {
    notes.push(
      `{@link ${readName}} as sent in a request: without its read-only properties, with its write-only ones.`,
    );
  }
  const withNotes =
    notes.length === 0 ? lines : [...lines, ...(lines.length > 0 ? [''] : []), ...notes];
  return schema.deprecated === true ? [...withNotes, '@deprecated'] : withNotes;
}

/**
 * Cuts every reference that closes an eager cycle, in a depth-first walk from each declaration
 * in order (deterministic): the reference from the last alias of the cycle back to the first.
 */
function withoutEagerCycles(declarations: readonly TypeDeclaration[]): TypeDeclaration[] {
  const byName = new Map(declarations.map((d) => [d.name, d]));
  const state = new Map<string, 'open' | 'done'>();
  const cuts = new Map<string, Set<string>>();
  const visit = (name: string): void => {
    state.set(name, 'open');
    const declaration = byName.get(name);
    for (const target of declaration === undefined ? [] : eagerReferences(declaration.type)) {
      if (!byName.has(target)) continue;
      const seen = state.get(target);
      if (seen === 'open') cuts.set(name, new Set([...(cuts.get(name) ?? []), target]));
      else if (seen === undefined) visit(target);
    }
    state.set(name, 'done');
  };
  for (const declaration of declarations) {
    if (!state.has(declaration.name)) visit(declaration.name);
  }
  return declarations.map((declaration) => {
    const cut = cuts.get(declaration.name);
    if (cut === undefined) return declaration;
    let type = declaration.type;
    for (const target of cut) type = withoutEagerReference(type, target);
    return { ...declaration, type };
  });
}

/** The declaration's doc: its JSDoc, then `export interface …` or `export type … = …;`. */
export function declarationDoc(declaration: TypeDeclaration, options: PrintOptions): Doc {
  const { name, type } = declaration;
  return [
    jsDocDoc(declaration.doc),
    type.kind === 'object' ? interfaceDoc(name, type, options) : typeAliasDoc(name, type, options),
  ];
}

/** The declaration's text, formatted as prettier would (printWidth 100). */
export function printDeclaration(declaration: TypeDeclaration, options: PrintOptions): string {
  return printDoc(declarationDoc(declaration, options));
}
