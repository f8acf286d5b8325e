/**
 * Open-loop load at a fixed rate with sub-millisecond timing: request n is due at
 * `start + n / rate`, is sent then (or as soon as the loop gets to it), and its latency is
 * counted from when it was due, so a stall shows in the numbers instead of slowing the load
 * (coordinated omission). Used with the same code for the HTTP path and its raw-Kafka baseline.
 */
import { Agent, request } from 'node:http';

export interface OpenLoopResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly sent: number;
  readonly answered: number;
}

/** `fire` resolves true once its request is answered well, false when it failed. */
export async function openLoop(
  rate: number,
  seconds: number,
  fire: () => Promise<boolean>,
): Promise<OpenLoopResult> {
  const total = Math.round(rate * seconds);
  const start = performance.now() + 10;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / rate;
    const delay = due - performance.now();
    if (delay > 1) await new Promise((resolve) => setTimeout(resolve, delay));
    pending.push(
      fire().then(
        (ok) => {
          if (ok) latencies.push(performance.now() - due);
        },
        () => undefined,
      ),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    sent: total,
    answered: latencies.length,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** A keep-alive HTTP POST of `body` to `url`; true on a 2xx answer. */
export function httpPoster(url: string, body: string): () => Promise<boolean> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const length = String(Buffer.byteLength(body));
  return () =>
    new Promise<boolean>((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });
}
