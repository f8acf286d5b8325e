/**
 * One command route of the IR as the runtime's `CommandRouteSpec` literal (runtime/gateway/
 * route-spec.ts): what to produce (topic, key, headers), how to answer (reply, status), and
 * the schemas Fastify validates the request with. Fields in the order the runtime type lists
 * them; maps sorted.
 */
import { isJsonMedia } from '../../bind/bind-routes.ts';
import type {
  Api,
  CommandRoute,
  HttpOperation,
  HttpParameter,
  KeySource,
  MediaContent,
  RouteAuth,
  Schema,
} from '../../ir/types.ts';
import { recordHeaders, requestPart } from './record-headers.ts';
import { compare, objectSchemaLiteral, schemaLiteral } from './schema-literal.ts';
import { multiline, type Literal } from './ts-literal.ts';

export function commandSpecLiteral(api: Api, route: CommandRoute): Literal {
  const { http } = route;
  const reply = route.reply;
  return multiline({
    kind: 'command',
    operationId: http.operationId,
    method: http.method.toUpperCase(),
    path: http.path,
    topic: {
      address: route.topic.address,
      params: sortedMap(route.topic.params),
      compacted: route.topic.compacted,
    },
    key: keyLiteral(route.key),
    headers: recordHeaders(api, route).map((header) => ({
      name: header.name,
      value: [...header.value],
    })),
    reply: reply && {
      topic: reply.address,
      correlationHeader: reply.correlationHeader,
      replyToHeader: reply.replyToHeader,
    },
    successStatus: route.successStatus,
    accepts202: route.accepts202,
    tombstone: route.tombstone,
    mediaTypes: (http.requestBody?.content ?? []).map((c) => c.mediaType).sort(compare),
    schemas: requestSchemas(route),
    payloads: route.messages.flatMap((id) => {
      const payload = api.kafka.messages.find((m) => m.id === id)?.payload;
      return payload === undefined ? [] : [schemaLiteral(payload)];
    }),
    auth: authLiteral(route),
    owner: route.owner,
  });
}

/** The route's `AuthSpec` (runtime/gateway/route-spec.ts); undefined when it is open. */
export function authLiteral(route: { readonly auth?: RouteAuth }): Literal | undefined {
  const { auth } = route;
  return auth && { scopes: auth.scopes.map((scopes) => [...scopes]), optional: auth.optional };
}

/** Fastify's `schema`: the JSON body, and params, querystring and headers as object schemas. */
export function requestSchemas(route: { readonly http: HttpOperation }): Literal {
  const { http } = route;
  const body = jsonBody(route);
  const of = (location: HttpParameter['in']): HttpParameter[] =>
    http.parameters.filter((p) => p.in === location);
  return {
    body: body === undefined ? undefined : schemaLiteral(body),
    params: objectSchemaLiteral(of('path')),
    querystring: objectSchemaLiteral(of('query')),
    // Node lower-cases incoming header names, and so must the schema.
    headers: objectSchemaLiteral(of('header').map((p) => ({ ...p, name: p.name.toLowerCase() }))),
  };
}

/** The schema of the first JSON media type of the request body. */
export function jsonBody(route: { readonly http: HttpOperation }): Schema | undefined {
  return jsonBodyMedia(route)?.schema;
}

/** The request body's first JSON media type (`application/json`, `…+json`) and its schema. */
export function jsonBodyMedia(route: { readonly http: HttpOperation }): MediaContent | undefined {
  return route.http.requestBody?.content.find((c) => isJsonMedia(c.mediaType));
}

function keyLiteral(key: KeySource): Literal {
  switch (key.kind) {
    case 'template':
      return { kind: 'template', template: key.parts.map(requestPart) };
    case 'const':
      return { kind: 'const', value: key.value };
    case 'path':
      return { kind: 'path', param: key.param };
    case 'idempotency-key':
    case 'none':
      return { kind: key.kind };
  }
}

export function sortedMap(map: { readonly [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const key of Object.keys(map).sort(compare)) out[key] = map[key] ?? '';
  return out;
}
