/**
 * Every diagnostic code the generator can report, with its default severity. Each one is
 * documented in docs/diagnostics.md; a test checks that the two lists agree.
 */
import type { Severity } from './diagnostics.ts';

export const diagnosticCodes = {
  // load
  SG_LOAD_FILE_NOT_FOUND: {
    severity: 'error',
    summary: 'a spec or referenced file cannot be read',
  },
  SG_LOAD_SYNTAX: { severity: 'error', summary: 'the file is not valid YAML or JSON' },
  SG_LOAD_LENIENT: {
    severity: 'warning',
    summary: 'the file breaks YAML 1.2 but a lenient reader accepts it',
  },
  SG_LOAD_NOT_AN_OBJECT: {
    severity: 'error',
    summary: 'the document is not a mapping at its top level',
  },
  SG_REF_UNRESOLVED: { severity: 'error', summary: 'a `$ref` points at nothing' },
  SG_REF_REMOTE: {
    severity: 'error',
    summary: 'a remote (http/https) `$ref` could not be fetched',
  },
  // parse
  SG_SPEC_UNKNOWN: {
    severity: 'error',
    summary: 'the document is neither OpenAPI 3.x nor AsyncAPI 2.x/3.x',
  },
  SG_SPEC_VERSION_UNSUPPORTED: { severity: 'error', summary: 'the spec version is not supported' },
  SG_OPENAPI_INVALID: {
    severity: 'error',
    summary: 'the OpenAPI document breaks its specification',
  },
  SG_OPENAPI_LAX: {
    severity: 'warning',
    summary: 'the OpenAPI document uses a construct its version does not allow, read leniently',
  },
  SG_ASYNCAPI_INVALID: {
    severity: 'error',
    summary: 'the AsyncAPI document breaks its specification',
  },
  SG_ASYNCAPI_LAX: { severity: 'warning', summary: 'the AsyncAPI parser warns about the document' },
  SG_SCHEMA_INVALID: {
    severity: 'error',
    summary: 'a schema is not a JSON Schema object or boolean',
  },
  SG_SCHEMA_UNSUPPORTED: {
    severity: 'warning',
    summary: 'a schema keyword or format is read as opaque',
  },
  SG_CONFIG_INVALID: {
    severity: 'error',
    summary: 'the config file or an `x-specgate` extension is malformed',
  },
  SG_EMIT_TYPECHECK: {
    severity: 'error',
    summary: 'the generated code does not type-check (a specgate bug)',
  },
  // bind
  SG_BIND_HTTP_UNMAPPED: {
    severity: 'warning',
    summary: 'an HTTP operation has no Kafka counterpart',
  },
  SG_BIND_KAFKA_UNMAPPED: {
    severity: 'warning',
    summary: 'a Kafka operation has no HTTP counterpart',
  },
  SG_BIND_OPERATION_NOT_FOUND: {
    severity: 'error',
    summary: 'a mapping names an operation that does not exist',
  },
  SG_BIND_KIND_MISMATCH: {
    severity: 'error',
    summary: 'the HTTP method and the Kafka action do not make a route',
  },
  SG_BIND_PAYLOAD_REQUIRED_MISSING: {
    severity: 'error',
    summary: 'a property one side requires is missing on the other',
  },
  SG_BIND_PAYLOAD_TYPE_CLASH: {
    severity: 'error',
    summary: 'the request body and the message payload disagree on a type',
  },
  SG_BIND_KEY_PARAM_UNKNOWN: {
    severity: 'error',
    summary: 'a key or override template names a parameter that does not exist',
  },
  SG_BIND_CHANNEL_PARAM_UNFILLED: {
    severity: 'error',
    summary: 'a channel parameter has no path parameter to fill it',
  },
  SG_BIND_QUERY_NOT_COMPACTED: {
    severity: 'error',
    summary: 'a query reads a topic that is not compacted',
  },
  SG_BIND_STREAM_NO_SSE: {
    severity: 'error',
    summary: 'a stream operation has no `text/event-stream` response',
  },
  SG_BIND_REPLY_CHANNEL_MISSING: {
    severity: 'error',
    summary: 'a reply names a channel that is not defined',
  },
  SG_BIND_CORRELATION_NOT_HEADER: {
    severity: 'error',
    summary: 'a `correlationId` location is not a message header',
  },
  SG_BIND_FILTER_UNKNOWN: {
    severity: 'error',
    summary: 'a filter names a query parameter the operation does not declare',
  },
  SG_BIND_NON_KAFKA: {
    severity: 'notice',
    summary: 'a server or channel is not Kafka; it is skipped',
  },
  SG_SECURITY_UNSUPPORTED: {
    severity: 'warning',
    summary: "an operation's security needs a scheme the gateway cannot check (not a bearer JWT)",
  },
  SG_OWNER_UNSECURED: {
    severity: 'error',
    summary: 'a read route is owned by identity but does not require a bearer token',
  },
  // the services the AsyncAPI document implies (emit/service/plan.ts)
  SG_SERVICE_RAW_FIELD_DISPATCH: {
    severity: 'warning',
    summary: 'commands of one topic differ only by a JSON field, but one of them is not JSON',
  },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type DiagnosticCode = keyof typeof diagnosticCodes;
