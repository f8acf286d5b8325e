/**
 * A message payload by its schema format. JSON Schema (AsyncAPI's own format, `schema+json`)
 * and OpenAPI schemas become the IR's {@link Schema} through parseSchema (which also rejects
 * what is not a schema, such as an unknown `type`); any other format (Avro, Protobuf, RAML, …)
 * is kept opaque: `schemaFormat` is set, `payload` is absent, and a warning says so.
 *
 * AsyncAPI 2.x names the format on the message (`schemaFormat`); 3.0 wraps the payload in a
 * multi-format object `{ schemaFormat, schema }`, inline or behind a `$ref`.
 */
import { isRecord } from '../../load/pointer.ts';
import type { Schema } from '../../ir/types.ts';
import { nameOf, parseNamedSchema, type SchemaDialect } from '../schema.ts';
import { child, isRemote, refOf, type AsyncApiContext, type Node } from './context.ts';
import type { View } from './view.ts';

export interface Payload {
  readonly payload?: Schema;
  /** Set only for formats that are not JSON Schema (the payload is then opaque). */
  readonly schemaFormat?: string;
}

/** How a `schemaFormat` is read: as a schema of some dialect, or opaque. */
export function formatDialect(format: string | undefined): SchemaDialect | 'opaque' {
  if (format === undefined) return 'asyncapi';
  const [type = '', ...params] = format.toLowerCase().split(';');
  const mediaType = type.trim();
  if (/^application\/(?:vnd\.aai\.asyncapi|schema)(?:\+(?:json|yaml))?$/.test(mediaType)) {
    return 'asyncapi';
  }
  if (/^application\/vnd\.oai\.openapi(?:\+(?:json|yaml))?$/.test(mediaType)) {
    const version = params.map((p) => p.trim()).find((p) => p.startsWith('version='));
    return version?.startsWith('version=3.1') ? 'openapi-3.1' : 'openapi-3.0';
  }
  return 'opaque';
}

/** True for a v3 multi-format schema object. */
export function isMultiFormat(value: unknown): value is { schemaFormat: string; schema: unknown } {
  return (
    isRecord(value) && typeof value.schemaFormat === 'string' && Object.hasOwn(value, 'schema')
  );
}

export function parsePayload(ctx: AsyncApiContext, message: View): Payload {
  const written = message.field('payload');
  if (written === undefined) return {};
  if (ctx.major === 2) return payloadIn(ctx, written, message.string('schemaFormat'));
  if (isMultiFormat(written.value)) {
    return payloadIn(ctx, child(written, 'schema'), written.value.schemaFormat);
  }
  // A `$ref` may lead to a multi-format object (v3 `components.schemas` may hold them). A
  // remote one is left to parseSchema, which reports it (looking would report it twice).
  const ref = refOf(written.value);
  const target = ref === undefined || isRemote(ref) ? undefined : ctx.hop(written);
  if (target !== undefined && target !== written && isMultiFormat(target.value)) {
    return payloadIn(ctx, child(target, 'schema'), target.value.schemaFormat, target);
  }
  return payloadIn(ctx, written, undefined);
}

/**
 * The payload schema at `schema` in `format`. `named` is the multi-format object a `$ref` led
 * to: its schema is then named after it, as the component registration names it.
 */
function payloadIn(
  ctx: AsyncApiContext,
  schema: Node,
  format: string | undefined,
  named?: Node,
): Payload {
  const dialect = formatDialect(format);
  if (dialect === 'opaque') {
    // The schema is not read, but a broken or remote `$ref` to it is still reported.
    ctx.deref(schema);
    ctx.diagnostics.report(
      'SG_SCHEMA_UNSUPPORTED',
      `the payload's schema format "${format ?? ''}" is not JSON Schema; ` +
        'the payload is read as opaque bytes (no type, no validation)',
      ctx.locate(schema),
    );
    return format === undefined ? {} : { schemaFormat: format };
  }
  if (named === undefined) return { payload: ctx.schema(schema, dialect) };
  const ref = parseNamedSchema(
    ctx.schemaContext(dialect),
    nameOf(named.file, named.pointer),
    schema.value,
    schema.file,
    schema.pointer,
  );
  return { payload: { $ref: ref } };
}
