import { ClientError } from './client-error.ts';
import type { RetryOptions } from './types.ts';

/** `RetryOptions` with its defaults filled in. */
export interface RetryPolicy {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export function resolveRetry(...layers: (RetryOptions | undefined)[]): RetryPolicy {
  let policy: RetryPolicy = { retries: 3, baseDelayMs: 200, maxDelayMs: 10_000 };
  for (const layer of layers) {
    if (layer === undefined) continue;
    policy = {
      retries: layer.retries ?? policy.retries,
      baseDelayMs: layer.baseDelayMs ?? policy.baseDelayMs,
      maxDelayMs: layer.maxDelayMs ?? policy.maxDelayMs,
    };
  }
  return policy;
}

/** Exponential backoff with full jitter: random in [0, min(max, base · 2^attempt)]. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

/** Answers worth another try: the server is overloaded or asks us to slow down. */
export function isRetriableStatus(status: number): boolean {
  return status === 503 || status === 429;
}

/**
 * RFC 9110 §10.2.3 `Retry-After`: delay-seconds or an HTTP-date, in ms; undefined when absent
 * or unreadable.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The pause before retrying an answer: its `Retry-After` (capped), else the backoff. */
export function delayAfterAnswer(policy: RetryPolicy, attempt: number, headers: Headers): number {
  const asked = retryAfterMs(headers);
  return asked === undefined ? backoffMs(policy, attempt) : Math.min(asked, policy.maxDelayMs);
}

/** Waits `ms`; rejects with `ABORTED` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortedError(signal: AbortSignal | undefined): ClientError {
  return new ClientError('ABORTED', 'The request was aborted', { cause: signal?.reason });
}
