/**
 * HTTP load with autocannon: closed loop (`connections` requests in flight, as fast as the
 * server answers) for throughput, open loop (`overallRate`, which autocannon corrects for
 * coordinated omission) for latency; and the arithmetic the reports share.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Answers by status code. */
  readonly statuses: Readonly<Record<string, number>>;
}

export interface LoadOptions {
  readonly url: string;
  readonly method: 'POST' | 'GET';
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly seconds: number;
  readonly connections: number;
  /** Requests per second in all (open loop); absent: closed loop. */
  readonly rate?: number;
  /** Each request's path and extra headers (a random item, say); default `url`'s. */
  readonly next?: () => { readonly path: string; readonly headers?: Record<string, string> };
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method,
    ...(options.body === undefined ? {} : { body: options.body }),
    headers: { 'content-type': 'application/json', ...options.headers },
    duration: options.seconds,
    connections: options.connections,
    pipelining: 1,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    ...(options.next === undefined
      ? {}
      : {
          requests: [
            {
              setupRequest: (request: autocannon.Request): autocannon.Request => {
                const next = options.next?.();
                if (next === undefined) return request;
                return {
                  ...request,
                  path: next.path,
                  headers: { ...request.headers, ...next.headers },
                };
              },
            },
          ],
        }),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
    ),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A 256-byte JSON body (UTF-8), as the benchmark rules ask. */
export function payload256(id: string): string {
  const head = JSON.stringify({ id, data: '' });
  const body = JSON.stringify({ id, data: 'x'.repeat(256 - head.length) });
  if (Buffer.byteLength(body) !== 256) throw new Error('payload256: not 256 bytes');
  return body;
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
