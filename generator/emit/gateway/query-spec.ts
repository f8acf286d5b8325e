/**
 * The read routes of the IR as the runtime's route spec literals: `QueryRouteSpec`
 * (runtime/gateway/views/query-spec.ts), `StreamRouteSpec` (streams/stream-spec.ts) and
 * `HistoryRouteSpec` (history/history-spec.ts). Fields in the order the runtime types list them.
 */
import type { SpecgateConfig } from '../../config.ts';
import type { Api, HistoryRoute, QueryRoute, Route, StreamRoute } from '../../ir/types.ts';
import { authLiteral, requestSchemas, sortedMap } from './command-spec.ts';
import { constValue, declaredHeaders, resolve } from './record-headers.ts';
import { compare } from './schema-literal.ts';
import { multiline, type Literal } from './ts-literal.ts';

export function querySpecLiteral(
  api: Api,
  route: QueryRoute,
  compat?: SpecgateConfig['compat'],
): Literal {
  return multiline({
    ...readHead('query', route),
    topic: topicLiteral(route),
    mode: route.mode,
    keyParam: route.mode === 'item' ? keyParam(route.http.path) : undefined,
    filters: filtersLiteral(route),
    pagination: route.mode === 'list' ? paginationLiteral(api, route) : undefined,
    stream: route.alsoStream ? sseMessages(api, route, compat) : undefined,
    schemas: requestSchemas(route),
    auth: authLiteral(route),
    owner: route.owner,
  });
}

export function streamSpecLiteral(
  api: Api,
  route: StreamRoute,
  compat?: SpecgateConfig['compat'],
): Literal {
  return multiline({
    ...readHead('stream', route),
    topic: route.topic.address,
    params:
      Object.keys(route.topic.params).length === 0 ? undefined : sortedMap(route.topic.params),
    compacted: route.topic.compacted,
    messages: sseMessages(api, route, compat),
    filters: filtersLiteral(route),
    schemas: requestSchemas(route),
    auth: authLiteral(route),
    owner: route.owner,
  });
}

export function historySpecLiteral(api: Api, route: HistoryRoute): Literal {
  return multiline({
    ...readHead('history', route),
    topic: topicLiteral(route),
    keyParam: route.keyParam,
    messages: streamMessages(api, route),
    schemas: requestSchemas(route),
    auth: authLiteral(route),
    owner: route.owner,
  });
}

/** What every read route spec starts with. */
function readHead(kind: Route['kind'], route: Route): { [field: string]: Literal } {
  return { kind, operationId: route.http.operationId, method: 'GET', path: route.http.path };
}

/** An item query's key is its last path parameter: `/tasks/{id}` → `id`. */
export function keyParam(path: string): string | undefined {
  return [...path.matchAll(/\{([^{}]+)\}/g)].at(-1)?.[1];
}

function topicLiteral(route: Route): Literal {
  return {
    address: route.topic.address,
    params: sortedMap(route.topic.params),
    compacted: route.topic.compacted,
  };
}

/**
 * A list that declares both a `limit` and a `cursor` query parameter is paginated: `limit`'s
 * `default` is the page size without it, its `maximum` the largest page.
 */
function paginationLiteral(api: Api, route: QueryRoute): Literal | undefined {
  const query = (name: string) =>
    route.http.parameters.find((p) => p.in === 'query' && p.name === name);
  const limit = query('limit');
  if (limit === undefined || query('cursor') === undefined) return undefined;
  const schema = resolve(api, limit.schema);
  const number = (value: unknown): number | undefined =>
    typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
  return {
    limitParam: 'limit',
    cursorParam: 'cursor',
    defaultLimit: typeof schema === 'object' ? number(schema.default) : undefined,
    maxLimit: typeof schema === 'object' ? number(schema.maximum) : undefined,
  };
}

function filtersLiteral(route: QueryRoute | StreamRoute): Literal {
  return route.filters.map((filter) => ({
    param: filter.param,
    on: filter.on,
    name: filter.name,
  }));
}

/**
 * The message names of a read route (the SSE `event:` and history `event` values) and, with
 * several, the record header that tells them apart: a header every message declares as a
 * `const` equal to its own name (`event-type: TaskCreated`). Without one, records go out
 * unnamed.
 */
export function streamMessages(
  api: Api,
  route: QueryRoute | StreamRoute | HistoryRoute,
): { names: string[]; eventNameHeader?: string } {
  const messages = route.messages.flatMap((id) => {
    const message = api.kafka.messages.find((m) => m.id === id);
    return message === undefined ? [] : [message];
  });
  const names = [...new Set(messages.map((m) => m.name))];
  if (names.length < 2) return { names };
  const [first, ...others] = messages.map((m) => ({ m, headers: declaredHeaders(api, m) }));
  const header = [...(first?.headers.keys() ?? [])]
    .sort(compare)
    .find((name) =>
      [first, ...others].every(
        (entry) => entry !== undefined && constValue(api, entry.headers.get(name)) === entry.m.name,
      ),
    );
  return header === undefined ? { names } : { names, eventNameHeader: header };
}

/**
 * The message names of a server-sent event stream. In the Zilla profile every data event is
 * unnamed, as Zilla's sse-kafka binding sends them (browser code listens with `onmessage`), so
 * the spec has no `eventNameHeader` whatever the messages declare; history keeps its names.
 */
export function sseMessages(
  api: Api,
  route: QueryRoute | StreamRoute,
  compat: SpecgateConfig['compat'] | undefined,
): { names: string[]; eventNameHeader?: string } {
  const messages = streamMessages(api, route);
  return compat === 'zilla' ? { names: messages.names } : messages;
}
