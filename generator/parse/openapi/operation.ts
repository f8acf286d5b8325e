/** Operation Objects → {@link HttpOperation}. */
import type {
  HttpMethod,
  HttpOperation,
  HttpParameter,
  SecurityRequirement,
} from '../../ir/types.ts';
import { isRecord } from '../../load/pointer.ts';
import {
  child,
  describe,
  invalid,
  locate,
  stringField,
  type OpenApiContext,
  type Place,
} from './context.ts';
import { parseSpecgateExtension, parseZillaExtension } from './extensions.ts';
import { deriveOperationId } from './operation-id.ts';
import { mergeParameters, parseParameters } from './parameter.ts';
import { parseRequestBody } from './request-body.ts';
import { parseResponses } from './response.ts';
import { parseSecurity } from './security.ts';

/** What an operation inherits from its path item and from the document. */
export interface OperationScope {
  readonly pathParameters: readonly HttpParameter[];
  /** The document's `security`, applied when the operation declares none. */
  readonly security: readonly SecurityRequirement[];
  /** Names of the declared security schemes. */
  readonly schemes: ReadonlySet<string>;
}

export function parseOperation(
  ctx: OpenApiContext,
  method: HttpMethod,
  path: string,
  raw: unknown,
  place: Place,
  scope: OperationScope,
): HttpOperation | undefined {
  if (!isRecord(raw)) {
    invalid(
      ctx,
      `${method.toUpperCase()} ${path} must be a mapping, found ${describe(raw)}`,
      place,
    );
    return undefined;
  }
  const declaredId = stringField(raw, 'operationId');
  const hasOperationId = declaredId !== undefined && declaredId !== '';
  const summary = stringField(raw, 'summary');
  const description = stringField(raw, 'description');
  const requestBody = parseRequestBody(ctx, raw.requestBody, child(place, 'requestBody'));
  const specgate = parseSpecgateExtension(ctx, raw['x-specgate'], child(place, 'x-specgate'));
  const zilla = parseZillaExtension(
    ctx,
    raw['x-zilla-http-kafka'],
    child(place, 'x-zilla-http-kafka'),
  );
  return {
    operationId: hasOperationId ? declaredId : deriveOperationId(method, path),
    hasOperationId,
    method,
    path,
    ...(summary === undefined ? {} : { summary }),
    ...(description === undefined ? {} : { description }),
    tags: Array.isArray(raw.tags)
      ? raw.tags.filter((tag): tag is string => typeof tag === 'string')
      : [],
    deprecated: raw.deprecated === true,
    parameters: mergeParameters(
      scope.pathParameters,
      parseParameters(ctx, raw.parameters, child(place, 'parameters')),
    ),
    ...(requestBody === undefined ? {} : { requestBody }),
    responses: parseResponses(ctx, raw.responses, child(place, 'responses')),
    security:
      parseSecurity(ctx, raw.security, child(place, 'security'), scope.schemes) ?? scope.security,
    ...(specgate === undefined ? {} : { specgate }),
    ...(zilla === undefined ? {} : { zilla }),
    source: locate(ctx, place),
  };
}
