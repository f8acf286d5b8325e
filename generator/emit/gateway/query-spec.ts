/**
 * One query route of the IR as the runtime's `QueryRouteSpec` literal (runtime/gateway/views/
 * query-spec.ts): the compacted topic its view reads, item or list, the filters, and the schemas
 * Fastify validates the request with. Fields in the order the runtime type lists them.
 */
import type { QueryRoute } from '../../ir/types.ts';
import { requestSchemas, sortedMap } from './command-spec.ts';
import { multiline, type Literal } from './ts-literal.ts';

export function querySpecLiteral(route: QueryRoute): Literal {
  const { http } = route;
  return multiline({
    kind: 'query',
    operationId: http.operationId,
    method: 'GET',
    path: http.path,
    topic: {
      address: route.topic.address,
      params: sortedMap(route.topic.params),
      compacted: route.topic.compacted,
    },
    mode: route.mode,
    keyParam: route.mode === 'item' ? keyParam(http.path) : undefined,
    filters: route.filters.map((filter) => ({
      param: filter.param,
      on: filter.on,
      name: filter.name,
    })),
    schemas: requestSchemas(route),
  });
}

/** An item query's key is its last path parameter: `/tasks/{id}` → `id`. */
export function keyParam(path: string): string | undefined {
  return [...path.matchAll(/\{([^{}]+)\}/g)].at(-1)?.[1];
}
