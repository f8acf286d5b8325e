// Baseline of B5: a bare `node:http` SSE broadcaster. `GET /ticks` answers `text/event-stream`
// and stays open; a timer at 10/s serializes one `id:`/`data:` frame (the same 256-byte tick as
// the gateway streams) and writes that buffer to every open response. Reports
// `{ type: 'ready', url }` over IPC; asked `{ type: 'sent', from, to }`, answers how many ticks
// it sent in [from, to) (epoch ms): `{ type: 'sent', count, failed: 0 }`.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { epochMs, everyTick, SendLog, tickPayload } from '../lib/ticks.ts';

const open = new Set<ServerResponse>();
const server = createServer((request, response) => {
  if (request.method !== 'GET' || request.url !== '/ticks') {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write('retry: 2000\n\n');
  open.add(response);
  response.on('close', () => open.delete(response));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 511, resolve));
const { port } = server.address() as AddressInfo;

const log = new SendLog();
const stop = everyTick((n) => {
  const sentAt = epochMs();
  log.add(sentAt);
  const frame = Buffer.from(`id: ${n}\ndata: ${tickPayload(n, sentAt)}\n\n`);
  for (const response of open) response.write(frame);
});

process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
process.on('message', (message: { type?: string; from?: number; to?: number }) => {
  if (message.type === 'sent') {
    process.send?.({ type: 'sent', ...log.count(message.from ?? 0, message.to ?? 0) });
  }
});
process.once('SIGTERM', () => {
  stop();
  for (const response of open) response.destroy();
  server.close(() => process.exit(0));
});
