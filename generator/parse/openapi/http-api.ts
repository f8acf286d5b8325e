/**
 * The OpenAPI Object → {@link HttpApi}: every component schema becomes a named schema, then
 * paths and webhooks become operations. Reads the raw document (not a dereferenced copy) so each
 * node keeps its place and each schema its name; problems are reported and reading goes on.
 */
import type { HttpApi, HttpOperation } from '../../ir/types.ts';
import type { LoadedDocument } from '../../load/document.ts';
import { isRecord } from '../../load/pointer.ts';
import { parseNamedSchema } from '../schema.ts';
import {
  child,
  compareText,
  describe,
  invalid,
  locate,
  stringField,
  type OpenApiContext,
  type Place,
} from './context.ts';
import type { OperationScope } from './operation.ts';
import { uniqueDerivedIds } from './operation-id.ts';
import { parsePathItem } from './path-item.ts';
import { parseSecurity, parseSecuritySchemes } from './security.ts';

export function parseHttpApi(
  ctx: OpenApiContext,
  document: LoadedDocument,
  specVersion: string,
): HttpApi {
  const root = isRecord(document.data) ? document.data : {};
  const place: Place = { file: document.file, pointer: '' };
  const info = isRecord(root.info) ? root.info : {};
  const components = isRecord(root.components) ? root.components : {};
  // Components first, so each keeps its own name when operations refer to it.
  parseComponentSchemas(ctx, components.schemas, child(place, 'components', 'schemas'));
  const securitySchemes = parseSecuritySchemes(
    ctx,
    components.securitySchemes,
    child(place, 'components', 'securitySchemes'),
  );
  const schemes = new Set(securitySchemes.map((scheme) => scheme.name));
  const scope: Omit<OperationScope, 'pathParameters'> = {
    schemes,
    security: parseSecurity(ctx, root.security, child(place, 'security'), schemes) ?? [],
  };
  const operations = sortOperations(parsePaths(ctx, root.paths, child(place, 'paths'), scope));
  const webhooks = sortOperations(
    parseWebhooks(ctx, root.webhooks, child(place, 'webhooks'), scope),
  );
  const unique = uniqueDerivedIds([...operations, ...webhooks]);
  return {
    file: document.file,
    specVersion,
    title: stringField(info, 'title') ?? '',
    version: stringField(info, 'version') ?? '',
    operations: unique.slice(0, operations.length),
    webhooks: unique.slice(operations.length),
    securitySchemes,
    source: locate(ctx, place),
  };
}

/** Every `components.schemas` entry becomes a named schema, referenced or not. */
function parseComponentSchemas(ctx: OpenApiContext, raw: unknown, place: Place): void {
  if (raw === undefined) return;
  if (!isRecord(raw)) {
    invalid(ctx, `"schemas" must be a mapping, found ${describe(raw)}`, place);
    return;
  }
  for (const [name, schema] of Object.entries(raw)) {
    const at = child(place, name);
    parseNamedSchema(ctx.schemas, name, schema, at.file, at.pointer);
  }
}

function parsePaths(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
  scope: Omit<OperationScope, 'pathParameters'>,
): HttpOperation[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) {
    invalid(ctx, `"paths" must be a mapping, found ${describe(raw)}`, place);
    return [];
  }
  return Object.entries(raw).flatMap(([path, item]) => {
    if (path.startsWith('x-')) return [];
    if (!path.startsWith('/')) {
      invalid(ctx, `path "${path}" must begin with "/"`, child(place, path));
      return [];
    }
    return parsePathItem(ctx, path, item, child(place, path), scope);
  });
}

/** OpenAPI 3.1 `webhooks`: name → path item (often a `$ref` to `components.pathItems`). */
function parseWebhooks(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
  scope: Omit<OperationScope, 'pathParameters'>,
): HttpOperation[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) {
    invalid(ctx, `"webhooks" must be a mapping, found ${describe(raw)}`, place);
    return [];
  }
  return Object.entries(raw).flatMap(([name, item]) =>
    name.startsWith('x-') ? [] : parsePathItem(ctx, name, item, child(place, name), scope),
  );
}

/** By path, then method (code-unit order). */
function sortOperations(operations: HttpOperation[]): HttpOperation[] {
  return operations.sort((a, b) => compareText(a.path, b.path) || compareText(a.method, b.method));
}
