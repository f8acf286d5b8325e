/**
 * The child side of bench/lib/child.ts for a plain Fastify server: listen on loopback, say
 * `{ type: 'ready', url, ...extra }` over IPC, answer `stats` (a plain server has none), and
 * close on SIGTERM.
 */
import type { FastifyInstance } from 'fastify';

export async function serveBenchApp(
  app: FastifyInstance,
  extra: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ ...extra, type: 'ready', url });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stats') process.send?.({ type: 'stats' });
  });
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}
