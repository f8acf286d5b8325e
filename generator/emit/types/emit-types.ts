/**
 * `types.ts`: one exported type per named schema of both specs, the file the gateway, client
 * and service code all import, so that the three never disagree on a shape. Pure: IR in,
 * {@link GeneratedFile}s out; the layout is `templates/types/types.ts.hbs`.
 *
 * Choices a reader of the output should know (see schema-type.ts for the schema rules):
 * - **readonly** everywhere (properties, index signatures, arrays, tuples) by default: a value
 *   that crosses the wire is a message, not a model to mutate, and TypeScript still accepts a
 *   mutable value where a readonly one is expected. `readonly: false` turns it off.
 * - **Request forms** only where they differ: a schema with a `readOnly` or `writeOnly`
 *   property (or one that refers to such a schema) is declared twice, `Task` as read in a
 *   response (no write-only properties) and `TaskInput` as sent in a request (no read-only
 *   ones), right after each other. Every other schema has one type for both.
 * - **Names**: each named schema's spec name through the naming module (`task-created` →
 *   `TaskCreated`, `org.example.Order` → `Order`, `Date` → `Date_`), clashes numbered in id
 *   order (`Task`, `Task2`). Schemas without a name (inline ones) get none: they are written
 *   out where they are used; other emitters write them with `typeExpression`.
 * - **Order**: declarations by schema id, properties by name (code-unit order), so a spec whose
 *   keys are reordered generates the same bytes.
 * - **Layout**: exactly what prettier makes of it with the project's config (doc.ts).
 */
import type { Api } from '../../ir/types.ts';
import { generatedHeader, type GeneratedFile } from '../generated-file.ts';
import { printDeclaration, typeDeclarations } from './declarations.ts';
import { renderTemplate } from './render-template.ts';
import { typeContext, type TypeOptions } from './type-context.ts';

export interface EmitTypesOptions extends TypeOptions {
  /** The project root: the header names the spec files relative to it. */
  readonly root: string;
}

/** The path of the types file in the output folder. */
export const typesFile = 'types.ts';

export interface TypesView {
  readonly header: string;
  readonly declarations: readonly { readonly code: string }[];
}

export function emitTypes(api: Api, options: EmitTypesOptions): GeneratedFile[] {
  return [
    { path: typesFile, content: renderTemplate('types/types.ts.hbs', typesView(api, options)) },
  ];
}

export function typesView(api: Api, options: EmitTypesOptions): TypesView {
  const ctx = typeContext(api, options);
  const print = { readonly: ctx.options.readonly };
  const declarations = typeDeclarations(ctx).map((d) => ({ code: printDeclaration(d, print) }));
  return {
    header: generatedHeader([api.http.file, api.kafka.file], options.root),
    // A file with no import or export is a script, not a module.
    declarations: declarations.length > 0 ? declarations : [{ code: 'export {};' }],
  };
}
