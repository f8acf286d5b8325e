// B6 start-up baseline: plain Fastify with one route per operation of the OpenAPI document in
// OPENAPI (the same methods and paths as the generated gateway), each answering 204, listening.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { serveBenchApp } from '../lib/serve.ts';

const document = JSON.parse(readFileSync(process.env.OPENAPI ?? '', 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string }>>;
};
const methods = new Set(['get', 'put', 'post', 'delete', 'patch']);
const app = Fastify();
let routes = 0;
for (const [path, item] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!methods.has(method) || operation.operationId === undefined) continue;
    app.route({
      method: method.toUpperCase() as 'GET',
      url: path.replace(/\{([^}]+)\}/g, ':$1'),
      handler: async (_request, reply) => reply.code(204).send(),
    });
    routes++;
  }
}
await serveBenchApp(app, { routes });
