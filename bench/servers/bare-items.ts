// Baseline of B3: bare Fastify answering GET /items/:id from a Map of precomputed JSON bytes
// (the same 100k items of ITEMS × ITEM_BYTES the gateway's view holds), with an ETag per item
// and 304 on a matching If-None-Match. Reports `{ type: 'ready', url }` over IPC.
import Fastify from 'fastify';
import { serveBenchApp } from '../lib/serve.ts';
import { itemBody, itemId } from '../lib/items.ts';

const count = Number(process.env.ITEMS ?? '100000');
const items = new Map<string, { readonly body: Buffer; readonly etag: string }>();
for (let n = 0; n < count; n++) {
  items.set(itemId(n), { body: Buffer.from(itemBody(n)), etag: `"i${n}"` });
}
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>('/items/:id', async (request, reply) => {
  const item = items.get(request.params.id);
  if (item === undefined) return reply.code(404).send();
  reply.header('etag', item.etag);
  if (request.headers['if-none-match'] === item.etag) return reply.code(304).send();
  return reply.type('application/json').send(item.body);
});
await serveBenchApp(app);
