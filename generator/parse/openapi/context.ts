/**
 * What every OpenAPI parse step shares: the run's documents, named schemas and diagnostics, the
 * spec version, and the *place* (file + JSON pointer) of the raw value being read, so that each
 * IR node can say where it was written even after following `$ref`s into other files.
 */
import type { Diagnostics } from '../../diagnostics.ts';
import type { SchemaRegistry } from '../../ir/schema-registry.ts';
import type { Schema, SpecLocation } from '../../ir/types.ts';
import type { DocumentSet } from '../../load/document-set.ts';
import { child, describe, type Place } from '../place.ts';
import { isRecord } from '../../load/pointer.ts';
import { parseSchema, type SchemaContext } from '../schema.ts';

export type OpenApiDialect = 'openapi-3.0' | 'openapi-3.1';

export interface OpenApiContext {
  readonly documents: DocumentSet;
  readonly registry: SchemaRegistry;
  readonly diagnostics: Diagnostics;
  readonly dialect: OpenApiDialect;
  /** The same run, as {@link parseSchema} wants it. */
  readonly schemas: SchemaContext;
  /**
   * Spec objects already read, by kind and place: a response or parameter that many operations
   * `$ref` is read once, so its inline schemas are reported once and the IR shares the node.
   */
  readonly memo: Map<string, unknown>;
}

/** Where a raw value was written: an absolute file path and a JSON pointer into it. */

export function openApiContext(
  run: Pick<OpenApiContext, 'documents' | 'registry' | 'diagnostics'>,
  dialect: OpenApiDialect,
): OpenApiContext {
  const { documents, registry, diagnostics } = run;
  return {
    documents,
    registry,
    diagnostics,
    dialect,
    schemas: { documents, registry, diagnostics, dialect, origin: 'openapi' },
    memo: new Map(),
  };
}

/** `read()` once per kind and place of the run. */
export function once<T>(ctx: OpenApiContext, kind: string, place: Place, read: () => T): T {
  const key = `${kind} ${place.file}#${place.pointer}`;
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const value = read();
  ctx.memo.set(key, value);
  return value;
}

export function locate(ctx: OpenApiContext, place: Place): SpecLocation {
  return ctx.documents.locate(place.file, place.pointer);
}

/** Normalises the schema written at `place` (refs inside resolve relative to its file). */
export function schemaAt(ctx: OpenApiContext, raw: unknown, place: Place): Schema {
  return parseSchema(ctx.schemas, raw, place.file, place.pointer);
}

export function invalid(ctx: OpenApiContext, message: string, place: Place): void {
  ctx.diagnostics.report('SG_OPENAPI_INVALID', message, locate(ctx, place));
}

/** A spec object reached through zero or more `$ref`s. */
export interface Resolved {
  readonly value: Record<string, unknown>;
  /** Where the object itself is written (the last `$ref`'s target). */
  readonly place: Place;
  /** OpenAPI 3.1: a `description` beside a `$ref` overrides the target's. */
  readonly description?: string;
}

/**
 * Follows the `$ref` chain starting at `raw` (written at `place`) to a spec object, across files,
 * relative to each referring file. Reports and returns undefined for a broken or looping chain,
 * or when the target is not a mapping.
 */
export function resolveObject(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
  what: string,
): Resolved | undefined {
  const seen = new Set<string>();
  let value = raw;
  let at = place;
  let description: string | undefined;
  while (isRecord(value) && typeof value.$ref === 'string') {
    const key = `${at.file}#${at.pointer}`;
    if (seen.has(key)) {
      invalid(ctx, `the $ref chain of this ${what} leads back to itself`, place);
      return undefined;
    }
    seen.add(key);
    if (
      ctx.dialect === 'openapi-3.1' &&
      description === undefined &&
      typeof value.description === 'string'
    ) {
      description = value.description;
    }
    const resolved = ctx.documents.resolveRef(value.$ref, locate(ctx, at));
    if (resolved === undefined) return undefined;
    value = resolved.value;
    at = { file: resolved.file, pointer: resolved.pointer };
  }
  if (!isRecord(value)) {
    invalid(ctx, `a ${what} must be a mapping, found ${describe(value)}`, at);
    return undefined;
  }
  return description === undefined ? { value, place: at } : { value, place: at, description };
}

/** The string at `raw[key]`, or undefined. */
export function stringField(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  return typeof value === 'string' ? value : undefined;
}

/** Code-unit order, never locale order (style.md §6). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export { child, describe, type Place };
