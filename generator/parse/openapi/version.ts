/** Which OpenAPI version a document declares, and the schema dialect that goes with it. */
import type { Diagnostics } from '../../diagnostics.ts';
import type { DocumentSet } from '../../load/document-set.ts';
import type { LoadedDocument } from '../../load/document.ts';
import { isRecord } from '../../load/pointer.ts';
import type { OpenApiDialect } from './context.ts';

export interface OpenApiVersion {
  readonly dialect: OpenApiDialect;
  /** As declared: `3.0.3`, `3.1.0`. */
  readonly specVersion: string;
}

/** The version, or undefined (reported) for Swagger 2.0, other versions and non-OpenAPI files. */
export function detectVersion(
  run: { readonly documents: DocumentSet; readonly diagnostics: Diagnostics },
  document: LoadedDocument,
): OpenApiVersion | undefined {
  const data = isRecord(document.data) ? document.data : {};
  const at = (pointer: string) => run.documents.locate(document.file, pointer);
  if (data.openapi !== undefined) {
    const written = data.openapi;
    const specVersion =
      typeof written === 'string' || typeof written === 'number' ? String(written) : '';
    if (/^3\.0(\.\d+)?(-[\w.]+)?$/.test(specVersion))
      return { dialect: 'openapi-3.0', specVersion };
    if (/^3\.1(\.\d+)?(-[\w.]+)?$/.test(specVersion))
      return { dialect: 'openapi-3.1', specVersion };
    run.diagnostics.report(
      'SG_SPEC_VERSION_UNSUPPORTED',
      `OpenAPI ${JSON.stringify(written)} is not supported; specgate reads OpenAPI 3.0 and 3.1`,
      at('/openapi'),
    );
    return undefined;
  }
  if (data.swagger !== undefined) {
    run.diagnostics.report(
      'SG_SPEC_VERSION_UNSUPPORTED',
      `Swagger ${JSON.stringify(data.swagger)} is not supported; convert the document to OpenAPI 3 (swagger2openapi does)`,
      at('/swagger'),
    );
    return undefined;
  }
  run.diagnostics.report(
    'SG_SPEC_UNKNOWN',
    data.asyncapi !== undefined
      ? 'this is an AsyncAPI document where an OpenAPI document was expected'
      : 'not an OpenAPI document: there is no "openapi" field',
    at(''),
  );
  return undefined;
}
