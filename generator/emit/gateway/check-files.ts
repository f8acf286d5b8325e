/**
 * What the in-memory type check of the gateway's files (design §2, step 4) needs besides them:
 * `specgate/runtime`, made of the runtime's own API types (runtime/gateway/api.ts, route-spec.ts
 * and the route spec files it imports, read as text so the check always uses the current ones),
 * a declaration of its entry function, and a small stand-in for the part of Fastify's types that generated code touches.
 * The full check, against Fastify's real types, is the type check of the golden files.
 */
import { readFileSync } from 'node:fs';
import type { GeneratedFile } from '../generated-file.ts';

const runtimeFolder = new URL('../../../runtime/gateway/', import.meta.url);

/** `specgate/runtime` as generated code sees it: the gateway API and its entry. */
const runtimeIndex = `export type { GatewayOptions, GatewayRuntime, RegisterRoutes } from './gateway/api.ts';
export type * from './gateway/route-spec.ts';
import type { GatewayOptions } from './gateway/api.ts';
export declare function startGateway(options: GatewayOptions): Promise<void>;
import type { AuthConfig, AuthOptions } from './gateway/auth/auth-options.ts';
export declare function authFromConfig(config: AuthConfig, base: string | URL): AuthOptions | undefined;
`;

/** Fastify's route generic, request, reply and `route()`, as far as generated routes use them. */
const fastifyTypes = `export interface RouteGenericInterface {
  Body?: unknown;
  Querystring?: unknown;
  Params?: unknown;
  Headers?: unknown;
  Reply?: unknown;
}
export interface FastifyRequest<G extends RouteGenericInterface = RouteGenericInterface> {
  readonly body: G['Body'];
  readonly query: G['Querystring'];
  readonly params: G['Params'];
  readonly headers: { readonly [name: string]: string | string[] | undefined } & G['Headers'];
}
export interface FastifyReply {
  code(status: number): FastifyReply;
  send(payload?: unknown): FastifyReply;
}
export interface FastifySchema {
  readonly body?: unknown;
  readonly querystring?: unknown;
  readonly params?: unknown;
  readonly headers?: unknown;
}
export interface FastifyInstance {
  route<G extends RouteGenericInterface = RouteGenericInterface>(options: {
    readonly method: 'DELETE' | 'GET' | 'HEAD' | 'PATCH' | 'POST' | 'PUT' | 'OPTIONS';
    readonly url: string;
    readonly schema?: FastifySchema;
    readonly onRequest?: (request: FastifyRequest<G>, reply: FastifyReply) => Promise<unknown>;
    readonly handler: (request: FastifyRequest<G>, reply: FastifyReply) => void | Promise<unknown>;
  }): FastifyInstance;
}
`;

/**
 * `specgate`'s package.json as the in-memory checks see it, mapping every entry generated code
 * imports, so the gateway's and the client's check files can be given together in any order.
 */
export const specgatePackage: GeneratedFile = {
  path: 'node_modules/specgate/package.json',
  content: JSON.stringify({
    name: 'specgate',
    type: 'module',
    exports: {
      './runtime': './runtime/index.ts',
      './client': './client/index.ts',
      './service': './service/index.ts',
    },
  }),
};

let cached: GeneratedFile[] | undefined;

/** Extra files for `checkTypeScript`, under `node_modules/` of the output folder. */
export function gatewayCheckFiles(): GeneratedFile[] {
  cached ??= [
    specgatePackage,
    { path: 'node_modules/specgate/runtime/index.ts', content: runtimeIndex },
    ...[
      'api.ts',
      'route-spec.ts',
      'views/query-spec.ts',
      'streams/stream-spec.ts',
      'history/history-spec.ts',
      'auth/auth-options.ts',
      'http-limits.ts',
      'operations-options.ts',
      '../kafka/security-spec.ts',
    ].map((name) => ({
      path: `node_modules/specgate/runtime/gateway/${name}`,
      content: readFileSync(new URL(name, runtimeFolder), 'utf8'),
    })),
    {
      path: 'node_modules/fastify/package.json',
      content: JSON.stringify({ name: 'fastify', types: './index.d.ts' }),
    },
    { path: 'node_modules/fastify/index.d.ts', content: fastifyTypes },
  ];
  return cached;
}
