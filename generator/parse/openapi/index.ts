/**
 * OpenAPI 3.0 / 3.1 → {@link HttpApi}. Loads the root document, reads it (following `$ref`s
 * across files, naming every component schema), then validates it; every problem of both
 * passes is reported at once, and the IR is built from whatever is readable.
 */
import type { Diagnostics } from '../../diagnostics.ts';
import type { SchemaRegistry } from '../../ir/schema-registry.ts';
import type { HttpApi } from '../../ir/types.ts';
import type { DocumentSet } from '../../load/document-set.ts';
import { isRecord } from '../../load/pointer.ts';
import { openApiContext } from './context.ts';
import { parseHttpApi } from './http-api.ts';
import { validateOpenApi } from './validate.ts';
import { detectVersion } from './version.ts';

export interface OpenApiRun {
  readonly documents: DocumentSet;
  readonly registry: SchemaRegistry;
  readonly diagnostics: Diagnostics;
}

/**
 * The HTTP API of the OpenAPI document at `file`; undefined (reported) when the file cannot be
 * read or is not OpenAPI 3.0/3.1. Async because the validator is.
 */
export async function parseOpenApi(run: OpenApiRun, file: string): Promise<HttpApi | undefined> {
  const document = run.documents.load(file);
  if (document === undefined || !isRecord(document.data)) return undefined;
  const version = detectVersion(run, document);
  if (version === undefined) return undefined;
  const ctx = openApiContext(run, version.dialect);
  const api = parseHttpApi(ctx, document, version.specVersion);
  await validateOpenApi(ctx, document);
  return api;
}
