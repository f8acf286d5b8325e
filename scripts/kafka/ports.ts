// Loopback port helpers for the local broker.
import { createServer, type Server } from 'node:net';
import { acceptsTcp } from '../../runtime/kafka/access-check.ts';

/**
 * Asks the OS for `count` distinct free ports on 127.0.0.1. All are held open together, so they
 * differ; they are released before returning, so another process could still take one before
 * the broker binds it (the broker then fails to start and says so).
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listen(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` within `timeoutMs`. */
export function acceptsConnections(port: number, timeoutMs: number): Promise<boolean> {
  return acceptsTcp(`127.0.0.1:${port}`, timeoutMs);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('listening on 127.0.0.1:0 gave no port'));
        return;
      }
      resolve(address.port);
    });
  });
}
