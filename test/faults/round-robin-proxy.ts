// A tiny round-robin HTTP proxy for tests of several gateway instances (design §12: any load
// balancer will do). Each request goes to the next upstream in turn, whatever connection it came
// on; bodies stream both ways without buffering, so server-sent events pass through as they are
// written. It remembers which upstream served each request, so a test can check that two
// requests really went to different instances.
import {
  Agent,
  createServer,
  request as upstreamRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  readonly method: string;
  readonly url: string;
  /** Index into the upstreams the proxy was started with. */
  readonly upstream: number;
  /** The request's `x-test-tag` header, for a test to find it again. */
  readonly tag: string | undefined;
}

export interface RoundRobinProxy {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every request so far, in arrival order, with the upstream it went to. */
  readonly served: readonly Served[];
  /** Sends the next request to `upstream`; the rotation goes on from there. */
  steer(upstream: number): void;
  /** Cuts every open response mid-body (streams), as a dropped connection would. */
  dropOpenResponses(): void;
  close(): Promise<void>;
}

/** RFC 9110 §7.6.1: connection-specific fields are not forwarded. */
const hopByHop: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('startRoundRobinProxy: no upstreams');
  // A fresh upstream connection per request: nothing ties a client to one instance.
  const agent = new Agent({ keepAlive: false });
  const served: Served[] = [];
  const open = new Set<ServerResponse>();
  let next = 0;
  const server = createServer((request, response) => {
    const index = next++ % upstreams.length;
    const target = new URL(request.url ?? '/', upstreams[index]);
    const tag = request.headers['x-test-tag'];
    served.push({
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      upstream: index,
      tag: typeof tag === 'string' ? tag : undefined,
    });
    open.add(response);
    const outgoing = upstreamRequest(
      target,
      { method: request.method, headers: forwardable(request.headers, target.host), agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        // An event stream's headers go out before its first event.
        response.flushHeaders();
        answer.pipe(response);
        answer.once('aborted', () => response.destroy());
        answer.once('error', () => response.destroy());
      },
    );
    outgoing.once('error', (error) => {
      if (response.headersSent) {
        response.destroy(error);
        return;
      }
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${upstreams[index]} failed: ${error.message}`);
    });
    response.once('close', () => {
      open.delete(response);
      // The client went away (or was cut) before the answer was complete: so does the proxy.
      if (!response.writableFinished) outgoing.destroy();
    });
    request.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    steer(upstream) {
      next = upstream;
    },
    dropOpenResponses() {
      for (const response of open) response.destroy();
    },
    async close() {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function forwardable(headers: IncomingHttpHeaders, host?: string): OutgoingHttpHeaders {
  const forwarded: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name)) forwarded[name] = value;
  }
  if (host !== undefined) forwarded.host = host;
  return forwarded;
}
