/** Path Item Objects (in `paths`, `webhooks`, or reached by `$ref`) → their operations. */
import type { HttpMethod, HttpOperation } from '../../ir/types.ts';
import { child, resolveObject, type OpenApiContext, type Place } from './context.ts';
import { parseOperation, type OperationScope } from './operation.ts';
import { parseParameters } from './parameter.ts';

export const httpMethods: readonly HttpMethod[] = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
];

/** The operations of the path item written at `place` for `path` (a webhook's name for webhooks). */
export function parsePathItem(
  ctx: OpenApiContext,
  path: string,
  raw: unknown,
  place: Place,
  scope: Omit<OperationScope, 'pathParameters'>,
): HttpOperation[] {
  const resolved = resolveObject(ctx, raw, place, 'path item');
  if (resolved === undefined) return [];
  const { value: item, place: at } = resolved;
  const pathParameters = parseParameters(ctx, item.parameters, child(at, 'parameters'));
  return httpMethods.flatMap((method) =>
    item[method] === undefined
      ? []
      : (parseOperation(ctx, method, path, item[method], child(at, method), {
          ...scope,
          pathParameters,
        }) ?? []),
  );
}
