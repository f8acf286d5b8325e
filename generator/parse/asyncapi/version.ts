/** Which AsyncAPI version a document declares, and whether specgate reads it. */
import type { Diagnostics } from '../../diagnostics.ts';
import type { DocumentSet } from '../../load/document-set.ts';
import { isRecord } from '../../load/pointer.ts';

export interface SpecVersion {
  /** As declared: `2.6.0`, `3.0.0`. */
  readonly text: string;
  readonly major: 2 | 3;
}

/** The versions @asyncapi/parser validates and the IR maps: 2.0–2.6 and 3.0. */
const supported = /^(?:2\.[0-6]|3\.0)\.\d+$/;

/** The declared version, or undefined (reported) when the document is not one specgate reads. */
export function detectVersion(
  run: { readonly documents: DocumentSet; readonly diagnostics: Diagnostics },
  file: string,
  data: unknown,
): SpecVersion | undefined {
  if (!isRecord(data) || !Object.hasOwn(data, 'asyncapi')) {
    const found = isRecord(data)
      ? ['openapi', 'swagger'].find((key) => Object.hasOwn(data, key))
      : undefined;
    run.diagnostics.report(
      'SG_SPEC_UNKNOWN',
      found === undefined
        ? 'not an AsyncAPI document: it has no "asyncapi" version field'
        : `not an AsyncAPI document: it declares "${found}" (an HTTP API, not the Kafka side)`,
      run.documents.locate(file, ''),
    );
    return undefined;
  }
  const declared = data.asyncapi;
  const text = typeof declared === 'string' ? declared : JSON.stringify(declared);
  if (typeof declared !== 'string' || !supported.test(declared)) {
    run.diagnostics.report(
      'SG_SPEC_VERSION_UNSUPPORTED',
      `AsyncAPI ${text} is not supported: specgate reads 2.0–2.6 and 3.0 ` +
        `(write the version as a string such as '3.0.0')`,
      run.documents.locate(file, '/asyncapi'),
    );
    return undefined;
  }
  return { text: declared, major: declared.startsWith('2.') ? 2 : 3 };
}
