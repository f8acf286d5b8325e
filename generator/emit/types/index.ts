/** The types emitter and the type helpers other emitters share. */
export { checkTypeScript, type TypeCheckOptions, type TypeCheckProblem } from './check.ts';
export { emitTypes, typesFile, type EmitTypesOptions } from './emit-types.ts';
export {
  composedInterface,
  typeDeclaration,
  typeExpression,
  typeReferences,
  type ComposedMember,
  type ComposedType,
  type TypeExpressionOptions,
} from './type-expression.ts';
export {
  hasRequestForm,
  inputSuffix,
  typeContext,
  typeNameOf,
  type Direction,
  type TypeContext,
  type TypeOptions,
} from './type-context.ts';
