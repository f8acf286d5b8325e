/**
 * The connection half of a server-sent events stream, shared by the streams of views
 * (sse-stream.ts) and of event topics (live-stream.ts): taking the response over from Fastify,
 * the head and `retry:`, heartbeats, writes, waiting for the socket to drain, and one close —
 * whoever asks first (the client leaving, the server shutting down, a client too slow).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { progressFor, progressHeader, type ProgressRequest } from '../progress.ts';
import { invalidRequest, sendProblem } from '../problems.ts';
import { callerOf } from '../auth/caller.ts';
import { formatComment, formatRetry } from './event-format.ts';

import type { StreamEnd, StreamEndReason } from './stream-spec.ts';

export type { StreamEnd, StreamEndReason } from './stream-spec.ts';

export type StreamHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export interface SseConnectionOptions {
  /** Sent as `retry:`. */
  readonly retryMs: number;
  /** A comment line this often while the socket is idle; 0 for none. */
  readonly heartbeatMs: number;
  /** Aborting ends the stream (server shutdown). */
  readonly signal?: AbortSignal;
  /** Told when the connection is made (before it opens); `onStreamEnd` follows once. */
  readonly onStreamStart?: () => void;
  /** Told when the stream ends, and why. */
  readonly onStreamEnd?: (end: StreamEnd) => void;
  /**
   * When the caller's token expires (ms since the epoch): the stream ends then, and the client
   * reconnects with a fresh token (design.md §9).
   */
  readonly endsAt?: number;
}

/** The connection options of a stream handler's resolved context, for one request. */
export function connectionOptions(
  ctx: {
    readonly retryMs: number;
    readonly heartbeatMs: number;
    readonly ctx: Pick<SseConnectionOptions, 'signal' | 'onStreamStart' | 'onStreamEnd'>;
  },
  endsAt: number | undefined,
): SseConnectionOptions {
  return {
    retryMs: ctx.retryMs,
    heartbeatMs: ctx.heartbeatMs,
    ...(ctx.ctx.signal === undefined ? {} : { signal: ctx.ctx.signal }),
    ...(ctx.ctx.onStreamStart === undefined ? {} : { onStreamStart: ctx.ctx.onStreamStart }),
    ...(ctx.ctx.onStreamEnd === undefined ? {} : { onStreamEnd: ctx.ctx.onStreamEnd }),
    ...(endsAt === undefined ? {} : { endsAt }),
  };
}

/**
 * Read-your-writes for streams: the `specgate-progress` header, or the same-named query
 * parameter for clients that cannot set headers (`EventSource`).
 */
export function progressOf(request: FastifyRequest, topic: string): ProgressRequest {
  const header = request.headers[progressHeader];
  const query = (request.query ?? {}) as Record<string, unknown>;
  const value = typeof header === 'string' ? header : query[progressHeader];
  return typeof value === 'string' ? progressFor(value, topic) : { kind: 'none' };
}

/**
 * The request's read-your-writes progress for `topic`; undefined after answering 400 for one
 * that is not a progress token (the stream then does not start).
 */
export function streamProgress(
  request: FastifyRequest,
  reply: FastifyReply,
  topic: string,
): ProgressRequest | undefined {
  const asked = progressOf(request, topic);
  if (asked.kind !== 'invalid') return asked;
  const pointer = typeof request.headers[progressHeader] === 'string' ? 'headers' : 'query';
  void sendProblem(
    reply,
    invalidRequest(`/${pointer}/${progressHeader}`, 'is not a progress token'),
  );
  return undefined;
}

/** When a stream of this request must end: its caller's token expiry, if any. */
export function streamEndsAt(request: FastifyRequest): number | undefined {
  return callerOf(request)?.expiresAt;
}

/**
 * Takes the response over from Fastify; returns the headers hooks set (CORS, say), which still
 * go out: the stream writes the head itself.
 */
export function hijack(reply: FastifyReply): Record<string, string | number | string[]> {
  const headers = Object.fromEntries(
    Object.entries(reply.getHeaders()).filter((header) => header[1] !== undefined),
  ) as Record<string, string | number | string[]>;
  reply.hijack();
  return headers;
}

export class SseConnection {
  readonly #raw: ServerResponse;
  readonly #headers: Readonly<Record<string, string | number | string[]>>;
  readonly #options: SseConnectionOptions;
  readonly #onClose: (reason: StreamEndReason) => void;
  /** Aborted once the stream is closed: ends any wait of its owner. */
  readonly #closing = new AbortController();
  #events = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  readonly #onAbort = (): void => this.close('server');

  /** `onClose` runs once, first thing when the stream closes (stop readers, unsubscribe). */
  constructor(
    raw: ServerResponse,
    headers: Readonly<Record<string, string | number | string[]>>,
    options: SseConnectionOptions,
    onClose: (reason: StreamEndReason) => void,
  ) {
    this.#raw = raw;
    this.#headers = headers;
    this.#options = options;
    this.#onClose = onClose;
    options.onStreamStart?.();
    raw.on('close', () => this.close('client'));
    raw.on('drain', () => this.wake());
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (options.signal?.aborted === true) this.close('server');
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Aborts when the stream closes. */
  get signal(): AbortSignal {
    return this.#closing.signal;
  }

  /** Bytes written but not yet taken by the client. */
  get buffered(): number {
    return this.#raw.writableLength;
  }

  /** The head, `retry:`, and the heartbeat (only an idle socket needs one). */
  open(): void {
    if (this.closed) return;
    this.#raw.writeHead(200, {
      ...this.#headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    this.#raw.write(formatRetry(this.#options.retryMs));
    if (this.#options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => {
        if (!this.closed && this.#raw.writableLength === 0) {
          this.#raw.write(formatComment('heartbeat'));
        }
      }, this.#options.heartbeatMs);
      this.#heartbeat.unref();
    }
    const { endsAt } = this.#options;
    if (endsAt !== undefined) {
      // setTimeout fires at once beyond ~24.8 days; such a token outlives any stream anyway.
      const left = endsAt - Date.now();
      if (left <= 0) this.close('token-expired');
      else if (left < 2_147_483_647) {
        this.#expiry = setTimeout(() => this.close('token-expired'), left);
        this.#expiry.unref();
      }
    }
  }

  /** Writes one formatted event. */
  writeEvent(text: string): void {
    if (this.closed) return;
    this.#raw.write(text);
    this.#events++;
  }

  /** Resolves at the next `drain`, `wake()`, close, or after `timeoutMs` when given. */
  async waitForDrain(timeoutMs?: number): Promise<void> {
    if (this.closed) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (timeoutMs !== undefined) timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  /** Ends a `waitForDrain` early (the owner has something else to do). */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  close(reason: StreamEndReason): void {
    if (this.closed) return;
    this.#closing.abort();
    const bufferedBytes = this.#raw.writableLength;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#expiry);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#onClose(reason);
    this.wake();
    // A slow client's buffered bytes are dropped now (destroy), not flushed at its pace (end).
    if (reason === 'buffer-full') this.#raw.destroy();
    // At shutdown the stream ends, and so does its connection: an SSE connection is not reused,
    // and one left open would hold the server's close until its keep-alive timeout.
    else if (reason === 'server' || reason === 'token-expired') {
      // The hint again, last: the client reconnects after it (to another instance, at shutdown).
      if (this.#raw.headersSent) {
        this.#raw.write(formatComment(reason === 'server' ? 'closing' : 'token expired'));
        this.#raw.write(formatRetry(this.#options.retryMs));
      }
      this.#raw.end(() => this.#raw.socket?.destroy());
    }
    this.#options.onStreamEnd?.({ reason, events: this.#events, bufferedBytes });
  }
}
