/**
 * Validates the root document with `@readme/openapi-parser` and reports each of its findings
 * where it points (SG_OPENAPI_INVALID), after the walk has reported its own.
 *
 * The validator gets an in-memory copy (see relax.ts) with `resolve.external: false`: it never
 * reads a file or the network and cannot hang on a URL (external refs are the DocumentSet's
 * job, and files other than the root are not validated by it). Its stages stop early: a
 * security scheme problem used to hide everything else, so that rule is turned into warnings
 * (and reported as errors here); a JSON Schema error still hides its checks of paths and
 * operation ids, which run once the schema errors are fixed.
 */
import { validate, type ParserOptions, type ValidationResult } from '@readme/openapi-parser';
import { dirname, resolve } from 'node:path';
import type { OpenAPI } from 'openapi-types';
import type { LoadedDocument } from '../../load/document.ts';
import { followPointer, isRecord } from '../../load/pointer.ts';
import { locate, type OpenApiContext } from './context.ts';
import { relaxForValidation } from './relax.ts';
import { ValidatorMessageLocator } from './validator-messages.ts';

const options: ParserOptions = {
  resolve: { external: false },
  timeoutMs: 20_000,
  validate: { rules: { openapi: { 'invalid-security-scheme-properties': 'warning' } } },
};

export async function validateOpenApi(
  ctx: OpenApiContext,
  document: LoadedDocument,
): Promise<void> {
  const file = document.file;
  const relaxed = relaxForValidation(document.data, ctx.dialect, (ref) => peekRef(ctx, file, ref));
  let result: ValidationResult;
  try {
    // The copy is a mapping with an `openapi` field; the validator checks the rest.
    result = await validate(relaxed.data as OpenAPI.Document, options);
  } catch (error) {
    ctx.diagnostics.report(
      'SG_OPENAPI_INVALID',
      `the OpenAPI validator failed: ${error instanceof Error ? error.message : String(error)}`,
      locate(ctx, { file, pointer: '' }),
    );
    return;
  }
  const locator = new ValidatorMessageLocator(document.data, relaxed.data);
  const known = walkedAlready(ctx, file);
  const findings = [
    ...(result.valid ? [] : result.errors.map((e) => ({ message: e.message, error: true }))),
    // With the rule above as a warning, the security scheme findings are these; they are errors.
    ...result.warnings.map((w) => ({
      message: w.message,
      error: w.message.startsWith('`/components/securitySchemes/'),
    })),
  ];
  const said = new Set<string>();
  for (const { message, error } of findings) {
    const { pointer, text } = locator.locate(message);
    // One report per place: the walk may have said it already, and a schema shared through
    // `$ref`s fails once per use in the validator's dereferenced copy.
    if (said.has(`${pointer} ${text}`) || (error && known(pointer))) continue;
    said.add(`${pointer} ${text}`);
    ctx.diagnostics.report(
      error ? 'SG_OPENAPI_INVALID' : 'SG_OPENAPI_LAX',
      text,
      locate(ctx, { file, pointer }),
    );
  }
  if (!result.valid && result.additionalErrors > 0) {
    ctx.diagnostics.report(
      'SG_OPENAPI_INVALID',
      `and ${result.additionalErrors} more validation errors; fix the above and run again`,
      locate(ctx, { file, pointer: '' }),
    );
  }
  reportLax(ctx, file, relaxed.lax);
}

/**
 * Whether the walk reported an error the validator's finding at a pointer repeats: at the same
 * place; at the schema holding this keyword; or, more precisely, at a member of this node (the
 * validator's oneOf errors name an odd branch: "must have required property 'required'" for a
 * parameter whose `in` is wrong).
 */
function walkedAlready(ctx: OpenApiContext, file: string): (pointer: string) => boolean {
  const walked = ctx.diagnostics.items.filter(
    (d) => d.severity === 'error' && d.location?.file === file,
  );
  const pointersOf = (codes: readonly string[] | undefined): Set<string | undefined> =>
    new Set(
      walked
        .filter((d) => codes === undefined || codes.includes(d.code))
        .map((d) => d.location?.pointer),
    );
  const errorAt = pointersOf(undefined);
  const schemaErrorAt = pointersOf(['SG_SCHEMA_INVALID']);
  const parentOfErrorAt = new Set(
    [...pointersOf(['SG_SCHEMA_INVALID', 'SG_OPENAPI_INVALID'])].map((p) =>
      p?.slice(0, p.lastIndexOf('/')),
    ),
  );
  return (pointer) =>
    errorAt.has(pointer) ||
    schemaErrorAt.has(pointer.slice(0, pointer.lastIndexOf('/'))) ||
    (pointer !== '' && parentOfErrorAt.has(pointer));
}

/**
 * The value an external `$ref` written in `file` leads to, following further refs, but only
 * through files the walk has loaded already: silent, no I/O, no second report of a broken ref.
 */
function peekRef(ctx: OpenApiContext, file: string, ref: string): unknown {
  let value: unknown = { $ref: ref };
  let at = file;
  for (let hops = 0; hops < 16 && isRecord(value) && typeof value.$ref === 'string'; hops++) {
    const written = value.$ref;
    const hash = written.indexOf('#');
    const target = hash === -1 ? written : written.slice(0, hash);
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
    if (target !== '') at = resolve(dirname(at), safeDecode(target));
    if (!ctx.documents.files.includes(at)) return undefined;
    const data = ctx.documents.load(at)?.data;
    value = followPointer(data, safeDecode(hash === -1 ? '' : written.slice(hash + 1)));
  }
  return value;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The lenient readings the schema walk did not reach (and so did not warn about) itself. */
function reportLax(
  ctx: OpenApiContext,
  file: string,
  lax: readonly { pointer: string; message: string }[],
): void {
  const warned = new Set(
    ctx.diagnostics.items
      .filter((d) => d.code === 'SG_OPENAPI_LAX' && d.location?.file === file)
      .map((d) => `${d.location?.pointer} ${d.message}`),
  );
  for (const { pointer, message } of lax) {
    if (warned.has(`${pointer} ${message}`)) continue;
    warned.add(`${pointer} ${message}`);
    ctx.diagnostics.report('SG_OPENAPI_LAX', message, locate(ctx, { file, pointer }));
  }
}
