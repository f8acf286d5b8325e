/**
 * The browser side of the Zilla compatibility tests: a page served from its own origin (a
 * loopback port other than the gateway's), so every call it makes to the gateway is
 * cross-origin, as a Zilla app's calls to its Zilla are. The page holds what a Zilla todo app
 * uses: `fetch` for the commands and one `EventSource` on the task stream, whose events it
 * collects in order.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One server-sent event as the page's EventSource reported it. */
export interface SeenEvent {
  /** `message` for an unnamed event, else its `event:` name. */
  readonly type: string;
  readonly data: string;
  /** The event's `id:`, as `lastEventId`. */
  readonly id: string;
}

/** What a page's `fetch` could read from an answer. */
export interface FetchAnswer {
  readonly status: number;
  readonly body: string;
  /** Response headers the page's script can read (CORS hides the rest unless exposed). */
  readonly headers: Readonly<Record<string, string>>;
}

/** The functions and state the page script puts on `window`. */
export interface TodoPage {
  readonly seen: SeenEvent[];
  readonly streamErrors: number;
  openStream(url: string): Promise<void>;
  closeStream(): void;
  call(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<FetchAnswer>;
}

/** Plain browser JavaScript, no build step: the page has no other code. */
const pageScript = `
const seen = [];
let stream;
let streamErrors = 0;
function record(event) {
  seen.push({ type: event.type, data: event.data, id: event.lastEventId });
}
window.todo = {
  seen,
  get streamErrors() { return streamErrors; },
  openStream(url) {
    stream = new EventSource(url);
    stream.onmessage = record;
    stream.addEventListener('delete', record);
    stream.onerror = () => { streamErrors += 1; };
    return new Promise((resolve, reject) => {
      stream.onopen = () => resolve();
      setTimeout(() => reject(new Error('the EventSource did not open within 10 s')), 10000);
    });
  },
  closeStream() { stream.close(); },
  async call(method, url, headers, body) {
    const response = await fetch(url, { method, headers, body, mode: 'cors' });
    const visible = {};
    response.headers.forEach((value, name) => { visible[name] = value; });
    return { status: response.status, body: await response.text(), headers: visible };
  },
};
`;

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>Zilla todo (cross-origin)</title></head>
<body><script>${pageScript}</script></body></html>`;

/** A one-page static server on 127.0.0.1; its `origin` is the page's origin. */
export async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/' || request.url === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page);
    } else {
      response.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
