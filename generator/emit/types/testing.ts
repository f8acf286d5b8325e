/**
 * Helpers for the emit tests: an `Api` from named schemas alone, or from one spec file of the
 * corpus (the other side of the pair left empty), and prettier with the project's config.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Diagnostics } from '../../diagnostics.ts';
import { SchemaRegistry } from '../../ir/schema-registry.ts';
import type { Api, HttpApi, KafkaApi, NamedSchema, Schema, SpecLocation } from '../../ir/types.ts';
import { DocumentSet } from '../../load/document-set.ts';
import { parseAsyncApi } from '../../parse/asyncapi/index.ts';
import { parseOpenApi } from '../../parse/openapi/index.ts';

const nowhere: SpecLocation = { file: '', pointer: '', line: 1, column: 1 };

export function emptyHttpApi(file = ''): HttpApi {
  return {
    file,
    specVersion: '3.1.0',
    title: '',
    version: '',
    operations: [],
    webhooks: [],
    securitySchemes: [],
    source: nowhere,
  };
}

export function emptyKafkaApi(file = ''): KafkaApi {
  return {
    file,
    specVersion: '3.0.0',
    title: '',
    version: '',
    servers: [],
    channels: [],
    messages: [],
    operations: [],
    source: nowhere,
  };
}

/**
 * An Api whose named schemas are `schemas` (id → schema; the name is the id unless `names`
 * says otherwise), with no operations.
 */
export function apiOf(
  schemas: { readonly [id: string]: Schema },
  names: { readonly [id: string]: string } = {},
): Api {
  const named: { [id: string]: NamedSchema } = {};
  for (const [id, schema] of Object.entries(schemas)) {
    named[id] = { id, name: names[id] ?? id, origin: 'openapi', schema, source: nowhere };
  }
  return {
    http: emptyHttpApi('/project/openapi.yaml'),
    kafka: emptyKafkaApi('/project/asyncapi.yaml'),
    schemas: named,
    routes: [],
  };
}

export interface ParsedSpec {
  readonly api: Api | undefined;
  readonly kind: 'openapi' | 'asyncapi';
  readonly errors: number;
}

/** The Api of one OpenAPI or AsyncAPI file; the other side is empty and has no file. */
export async function apiOfSpecFile(file: string): Promise<ParsedSpec> {
  const kind = /^\s*["']?asyncapi["']?\s*:/mu.test(readFileSync(file, 'utf8'))
    ? 'asyncapi'
    : 'openapi';
  const diagnostics = new Diagnostics();
  const run = {
    documents: new DocumentSet(diagnostics),
    registry: new SchemaRegistry(),
    diagnostics,
  };
  const errors = (): number => diagnostics.items.filter((d) => d.severity === 'error').length;
  if (kind === 'openapi') {
    const http = await parseOpenApi(run, file);
    const api =
      http === undefined
        ? undefined
        : { http, kafka: emptyKafkaApi(), schemas: run.registry.all(), routes: [] };
    return { api, kind, errors: errors() };
  }
  const kafka = await parseAsyncApi(run, file);
  const api =
    kafka === undefined
      ? undefined
      : { http: emptyHttpApi(), kafka, schemas: run.registry.all(), routes: [] };
  return { api, kind, errors: errors() };
}

/** Every schema of an Api outside `schemas`: parameters, bodies, payloads, headers, keys. */
export function inlineSchemas(api: Api): Schema[] {
  const out: Schema[] = [];
  for (const op of [...api.http.operations, ...api.http.webhooks]) {
    out.push(...op.parameters.map((p) => p.schema));
    for (const media of op.requestBody?.content ?? []) {
      if (media.schema !== undefined) out.push(media.schema);
    }
    for (const response of op.responses) {
      out.push(...response.headers.map((h) => h.schema));
      for (const media of response.content) {
        if (media.schema !== undefined) out.push(media.schema);
      }
    }
  }
  for (const channel of api.kafka.channels) out.push(...channel.parameters.map((p) => p.schema));
  for (const message of api.kafka.messages) {
    for (const schema of [message.payload, message.headers, message.key]) {
      if (schema !== undefined) out.push(schema);
    }
  }
  return out;
}

/** `text` formatted by prettier with the project's own config. */
export async function formatWithPrettier(text: string): Promise<string> {
  const prettier = await import('prettier');
  const config = await prettier.resolveConfig(fileURLToPath(import.meta.url));
  return prettier.format(text, { ...config, parser: 'typescript' });
}
