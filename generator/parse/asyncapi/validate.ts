/**
 * Validation by @asyncapi/parser (the AsyncAPI Initiative's own rules and JSON Schemas), its
 * findings mapped to located diagnostics: errors → `SG_ASYNCAPI_INVALID`, warnings →
 * `SG_ASYNCAPI_LAX`; information and hints are dropped.
 *
 * Its `$ref` resolver reads files through our {@link DocumentSet} (so texts given in memory work
 * and each file is read once), and never touches the network: a remote or unreadable ref gets an
 * empty stand-in (`{}`) at once, and is reported by us at the place it is written (see
 * external-refs.ts). What the validator then says about the stand-in is dropped.
 */
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, Parser, type Diagnostic as ParserDiagnostic } from '@asyncapi/parser';
import type { Diagnostics } from '../../diagnostics.ts';
import type { DocumentSet } from '../../load/document-set.ts';
import { childPointer } from '../../load/pointer.ts';
import type { ExternalRef } from './external-refs.ts';

/**
 * Documentation rules of the parser's "recommended" set: they ask for `info.contact`, a licence,
 * tags, a document `id`, … which a gateway does not need. The rest stay on (a missing
 * `operationId`, for one, matters: design §3 binds HTTP operations to Kafka ones by it).
 */
const documentationRules = [
  'asyncapi-id',
  'asyncapi-defaultContentType',
  'asyncapi-info-description',
  'asyncapi-info-contact',
  'asyncapi-info-contact-properties',
  'asyncapi-info-license',
  'asyncapi-info-license-url',
  'asyncapi2-tags',
  'asyncapi2-message-messageId',
] as const;

/**
 * Ajv's messages for a failed `oneOf`/`anyOf`/`if-then`: they restate, at a parent, a failure
 * that is also reported where it happened. Kept only when nothing more precise is reported.
 */
const wrapperMessage =
  /must match "(?:then|else)" schema|must match exactly one schema in oneOf|must match a schema in anyOf|must have required property "oneOf"/;

/**
 * The parser warns that it has no parser for a payload's `schemaFormat`; we handle formats
 * ourselves (OpenAPI schemas through parseSchema, others as opaque, see payload.ts).
 */
const noSchemaParser = 'No schema parser registered for';

/** Validates the document `file` (text `text`); true when the validator found no error. */
export async function validateAsyncApi(
  run: { readonly documents: DocumentSet; readonly diagnostics: Diagnostics },
  file: string,
  text: string,
  external: readonly ExternalRef[],
): Promise<boolean> {
  const standIns = new Set<string>();
  const standIn = (href: string): string => {
    standIns.add(sourcePath(href));
    return '{}';
  };
  const readFile = (href: string): string =>
    run.documents.load(sourcePath(href))?.text ?? standIn(href);
  const parser = new Parser({
    ruleset: {
      // The parser adds its own rulesets to `extends`; `rules` turns some of theirs off.
      extends: [],
      rules: Object.fromEntries(documentationRules.map((rule) => [rule, 'off' as const])),
    },
    __unstable: {
      resolver: {
        cache: false,
        // Ordered before the parser's own readers; returning a string stops the search, so its
        // http reader (node-fetch) and disk reader are never reached.
        resolvers: [
          { schema: 'file', order: 1, read: (uri) => readFile(uri.href()) },
          { schema: 'http', order: 1, read: (uri) => standIn(uri.href()) },
          { schema: 'https', order: 1, read: (uri) => standIn(uri.href()) },
        ],
      },
    },
  });
  const found = await parser.validate(text, { source: file });
  const mapped = found
    .map((d) => toFinding(d, file))
    .filter((f): f is Finding => f !== undefined && !standIns.has(f.file))
    .filter((f) => !underExternalRef(f, external));
  let valid = true;
  const seen = new Set<string>();
  for (const finding of mapped) {
    if (wrapperMessage.test(finding.message) && hasPreciser(finding, mapped, external)) continue;
    const key = `${finding.severity} ${finding.file}#${finding.pointer} ${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const isError = finding.severity === 'error';
    if (isError) valid = false;
    run.diagnostics.report(
      isError ? 'SG_ASYNCAPI_INVALID' : 'SG_ASYNCAPI_LAX',
      `${finding.message} (${finding.rule})`,
      run.documents.locate(finding.file, finding.pointer),
    );
  }
  return valid;
}

interface Finding {
  readonly severity: 'error' | 'warning';
  readonly rule: string;
  readonly message: string;
  readonly file: string;
  readonly pointer: string;
}

function toFinding(d: ParserDiagnostic, root: string): Finding | undefined {
  if (d.severity !== DiagnosticSeverity.Error && d.severity !== DiagnosticSeverity.Warning) {
    return undefined;
  }
  if (d.message.startsWith(noSchemaParser)) return undefined;
  return {
    severity: d.severity === DiagnosticSeverity.Error ? 'error' : 'warning',
    rule: String(d.code),
    message: d.message,
    file: d.source === undefined || d.source === null ? root : sourcePath(d.source),
    pointer: d.path.reduce<string>((pointer, segment) => childPointer(pointer, segment), ''),
  };
}

/** A finding inside an external ref's stand-in says nothing about the document. */
function underExternalRef(finding: Finding, external: readonly ExternalRef[]): boolean {
  return external.some(
    (ref) => ref.file === finding.file && isWithin(finding.pointer, ref.pointer),
  );
}

/** Another finding (or an external ref, reported on its own) at or below the wrapper's place. */
function hasPreciser(
  wrapper: Finding,
  findings: readonly Finding[],
  external: readonly ExternalRef[],
): boolean {
  return (
    findings.some(
      (f) =>
        f !== wrapper &&
        f.severity === 'error' &&
        !wrapperMessage.test(f.message) &&
        f.file === wrapper.file &&
        isWithin(f.pointer, wrapper.pointer),
    ) || external.some((ref) => ref.file === wrapper.file && isWithin(ref.pointer, wrapper.pointer))
  );
}

function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}

/** The parser names sources by URI or path; ours are absolute paths. */
function sourcePath(source: string): string {
  const trimmed = source.replace(/\/$/, '');
  return /^file:/i.test(trimmed) ? fileURLToPath(trimmed) : trimmed;
}
