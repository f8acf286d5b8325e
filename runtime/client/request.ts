import { ClientError } from './client-error.ts';
import {
  abortedError,
  backoffMs,
  delayAfterAnswer,
  isRetriableStatus,
  sleep,
  type RetryPolicy,
} from './retry.ts';
import type { ClientOptions, RawBody } from './types.ts';

type HeaderValues = { readonly [name: string]: string | number | boolean | null | undefined };

/** The client's settings, resolved once. */
export interface ClientContext {
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly headers: ClientOptions['headers'];
  readonly token: ClientOptions['token'];
  readonly timeoutMs: number;
}

/** One request as sent on each attempt. */
export interface Outgoing {
  readonly method: string;
  readonly url: string;
  /** Later layers win: the client's headers come first, then these, in order. */
  readonly headers: readonly (HeaderValues | undefined)[];
  /** Already serialized (JSON text), or a raw body as the caller gave it. */
  readonly body?: RawBody;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly retry: RetryPolicy;
}

/** An HTTP answer with its body read. */
export interface Answer {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** The client's headers (asked for on each request when a function), then each layer. */
export async function buildHeaders(
  context: ClientContext,
  layers: readonly (HeaderValues | undefined)[],
): Promise<Headers> {
  const headers = new Headers();
  const own = typeof context.headers === 'function' ? await context.headers() : context.headers;
  const token = typeof context.token === 'function' ? await context.token() : context.token;
  const auth =
    token === undefined || token === '' ? undefined : { authorization: `Bearer ${token}` };
  for (const layer of [own, auth, ...layers]) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (value !== undefined && value !== null) headers.set(name, String(value));
    }
  }
  return headers;
}

/**
 * Sends `request`, retrying network errors, timeouts, 503 and 429 up to `retry.retries` times.
 * The caller's abort rejects at once with `ABORTED`; a last attempt that timed out rejects with
 * `TIMEOUT`, one that failed on the network with `NETWORK`. A 503/429 left after the retries is
 * returned as an answer.
 */
export async function send(context: ClientContext, request: Outgoing): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= request.retry.retries;
    try {
      const answer = await attemptOnce(context, request);
      if (last || !isRetriableStatus(answer.status)) return answer;
      await sleep(delayAfterAnswer(request.retry, attempt, answer.headers), request.signal);
    } catch (error) {
      const transient =
        error instanceof ClientError && (error.code === 'NETWORK' || error.code === 'TIMEOUT');
      if (last || !transient) throw error;
      await sleep(backoffMs(request.retry, attempt), request.signal);
    }
  }
}

/** One attempt, bounded by its own timeout (headers and body both). */
async function attemptOnce(context: ClientContext, request: Outgoing): Promise<Answer> {
  const { signal } = request;
  if (signal?.aborted) throw abortedError(signal);
  const headers = await buildHeaders(context, request.headers);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await context.fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: controller.signal,
    });
    const text = await response.text();
    return { url: request.url, status: response.status, headers: response.headers, text };
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal);
    if (timedOut) {
      throw new ClientError('TIMEOUT', `No answer within ${request.timeoutMs} ms`, {
        cause: error,
      });
    }
    throw new ClientError('NETWORK', `${request.method} ${request.url} failed`, { cause: error });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
