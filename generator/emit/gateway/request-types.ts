/**
 * `gateway/requests.ts`: for each served route, the Fastify route generic its handler is typed with
 * (`Body`, `Params`, `Querystring`, `Headers`), as the request looks once Fastify has validated
 * it. Written through the types emitter's rules, so `Body` is the very type `types.ts` exports
 * for the request schema (its request form, `TaskInput`, where `readOnly` properties differ).
 */
import type { HttpParameter, Route, Schema } from '../../ir/types.ts';
import { NameAllocator, typeName } from '../naming.ts';
import { typeDeclaration, typeReferences, type TypeContext } from '../types/index.ts';
import { jsonBody } from './command-spec.ts';
import { compare } from './schema-literal.ts';

export interface RequestType {
  /** The exported interface name (`CreateTaskRequest`). */
  readonly name: string;
  /** `export interface CreateTaskRequest { … }`, printed. */
  readonly declaration: string;
  /** Names of `types.ts` the declaration uses. */
  readonly references: readonly string[];
}

/**
 * The request types of `routes`, by operationId; a route whose request has no body and no
 * parameters has none (its route is registered without a type argument).
 */
export function requestTypes(routes: readonly Route[], ctx: TypeContext): Map<string, RequestType> {
  // Request types share requests.ts with the names they import from types.ts.
  const taken = [...ctx.names.values()].flatMap((n) => [n.read, n.write]);
  const names = new NameAllocator(taken);
  const out = new Map<string, RequestType>();
  for (const route of routes) {
    const schema = requestSchema(route);
    if (schema === undefined) continue;
    const name = names.allocate(typeName(`${route.http.operationId} Request`, 'Request'));
    const { method, path, operationId } = route.http;
    out.set(operationId, {
      name,
      declaration: typeDeclaration(name, schema, ctx, {
        direction: 'write',
        description: `The request of \`${method.toUpperCase()} ${path}\` (${operationId}) once Fastify has validated it.`,
      }),
      references: typeReferences(schema, ctx, 'write'),
    });
  }
  return out;
}

/**
 * A closed object schema of the route generic's members: only for typing (Fastify validates
 * with the open schemas of the route spec).
 */
function requestSchema(route: Route): Schema | undefined {
  const body = jsonBody(route);
  const properties: { [member: string]: Schema } = {};
  const required: string[] = [];
  if (body !== undefined) {
    properties.Body = body;
    if (route.http.requestBody?.required === true) required.push('Body');
  }
  const groups: readonly [string, HttpParameter['in']][] = [
    ['Params', 'path'],
    ['Querystring', 'query'],
    ['Headers', 'header'],
  ];
  for (const [member, location] of groups) {
    const parameters = route.http.parameters.filter((p) => p.in === location);
    if (parameters.length === 0) continue;
    properties[member] = parameterObject(parameters, location === 'header');
    required.push(member);
  }
  if (Object.keys(properties).length === 0) return undefined;
  return { type: 'object', properties, required, additionalProperties: false };
}

function parameterObject(parameters: readonly HttpParameter[], lowerCase: boolean): Schema {
  const properties: { [name: string]: Schema } = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    // Node hands Fastify header names lower-cased.
    const name = lowerCase ? parameter.name.toLowerCase() : parameter.name;
    properties[name] = parameter.schema;
    if (parameter.required) required.push(name);
  }
  return {
    type: 'object',
    properties,
    required: required.sort(compare),
    additionalProperties: false,
  };
}
