/**
 * The errors met before a request has a route, answered as problems like every other error
 * (design §10): Node's HTTP parser refusing the bytes (a malformed request line or header, a
 * bad chunk, a head over the header limit, a request that took too long), an HTTP/1.1 request
 * without `Host`, a `CONNECT` (the gateway is no proxy), and Fastify's router refusing the URL
 * (a broken percent-encoding). Node and Fastify answer these with an empty body, a JSON body of
 * another shape, or by closing the connection.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import { HttpProblem, sendProblem } from './problems.ts';

/**
 * The Fastify constructor options that answer these errors. (Turn Node's own `Host` check off,
 * `http.requireHostHeader: false`: it answers an empty 400; {@link registerProtocolErrors} makes
 * the same check.)
 */
export function protocolErrorOptions(): Pick<
  FastifyServerOptions,
  'clientErrorHandler' | 'frameworkErrors'
> {
  return { clientErrorHandler: answerClientError, frameworkErrors: answerFrameworkError };
}

/** The checks and handlers that need the app: the `Host` header, `CONNECT`. */
export function registerProtocolErrors(app: FastifyInstance): void {
  // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request that lacks a Host header.
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      return sendProblem(
        reply,
        new HttpProblem('MALFORMED_REQUEST', 'an HTTP/1.1 request must have a Host header'),
      );
    }
  });
  // Without a listener, Node closes the connection of a CONNECT without a word.
  app.server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    writeProblem(
      socket,
      new HttpProblem('MALFORMED_REQUEST', 'CONNECT is for proxies; the gateway is none'),
    );
    socket.destroy();
  });
}

/** A request Node's HTTP parser refused: the problem, then the connection closes. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Bytes written now must not land inside a response that has started on this connection.
  const current = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (current?.headersSent !== true) writeProblem(socket, clientProblem(error));
  socket.destroy(error);
}

/** A whole HTTP/1.1 answer written to the socket itself, for requests Fastify never sees. */
function writeProblem(socket: Duplex, error: HttpProblem): void {
  if (!socket.writable) return;
  const problem = error.toProblem();
  const body = JSON.stringify(problem);
  socket.write(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? problem.title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function clientProblem(error: Error & { code?: string }): HttpProblem {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpProblem(
        'HEADERS_TOO_LARGE',
        'the request line and headers are larger than the gateway accepts',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpProblem('REQUEST_TIMEOUT', 'the request did not arrive in time');
    default:
      return new HttpProblem(
        'MALFORMED_REQUEST',
        `the request is not well-formed HTTP/1.1${error.code === undefined ? '' : ` (${error.code})`}`,
      );
  }
}

/** A URL Fastify's router refused (`FST_ERR_BAD_URL`, …), with the request still to answer. */
function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  void sendProblem(
    reply,
    new HttpProblem('MALFORMED_REQUEST', `the URL cannot be routed: ${error.message}`),
  );
}
