/**
 * B5's events and its latency arithmetic: tick n is a 256-byte JSON payload carrying the time it
 * was sent, read off the same wall clock by every process; latencies go into a histogram of
 * buckets 1% wide, which the client processes send over IPC and the benchmark merges.
 */

/** Ticks per second, as issue 8 asks. */
export const ticksPerSecond = 10;

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Tick `n` sent at `sentAt`: `{"id","sentAt","data"}`, exactly 256 bytes of UTF-8. */
export function tickPayload(n: number, sentAt: number): string {
  const id = `tick-${String(n).padStart(9, '0')}`;
  const head = JSON.stringify({ id, sentAt, data: '' });
  const body = JSON.stringify({ id, sentAt, data: 'x'.repeat(256 - head.length) });
  if (Buffer.byteLength(body) !== 256) throw new Error('tickPayload: not 256 bytes');
  return body;
}

/**
 * Calls `tick(n)` for n = 0, 1, … at `start + n / ticksPerSecond` (no drift from slow turns: a
 * late tick is sent at once, the next one when it is due). Returns a function that stops it.
 */
export function everyTick(tick: (n: number) => void): () => void {
  const start = performance.now();
  let n = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = (): void => {
    tick(n);
    n++;
    timer = setTimeout(next, Math.max(0, start + (n * 1000) / ticksPerSecond - performance.now()));
  };
  timer = setTimeout(next, 0);
  return () => clearTimeout(timer);
}

/** Send times of the ticks, to count those of a window. */
export class SendLog {
  readonly #sentAt: number[] = [];
  readonly #failedAt: number[] = [];

  add(sentAt: number): void {
    this.#sentAt.push(sentAt);
  }

  /** The send of the tick sent at `sentAt` failed (a publisher's produce timed out, say). */
  fail(sentAt: number): void {
    this.#failedAt.push(sentAt);
  }

  /** Ticks sent in [from, to) and not failed (so far), and those failed. */
  count(from: number, to: number): { readonly count: number; readonly failed: number } {
    const within = (t: number) => t >= from && t < to;
    const failed = this.#failedAt.filter(within).length;
    return { count: this.#sentAt.filter(within).length - failed, failed };
  }
}

/** Bucket upper bounds grow by 1% from 10 µs: ~1 600 buckets up to a minute. */
const smallestMs = 0.01;
const growth = Math.log(1.01);

/** A latency histogram; `entries()` are `[upper bound in ms, count]`, sparse. */
export class LatencyHistogram {
  readonly #counts = new Map<number, number>();

  record(ms: number): void {
    const index = ms <= smallestMs ? 0 : Math.ceil(Math.log(ms / smallestMs) / growth);
    this.#counts.set(index, (this.#counts.get(index) ?? 0) + 1);
  }

  entries(): [number, number][] {
    return [...this.#counts].map(([index, count]) => [
      smallestMs * Math.exp(index * growth),
      count,
    ]);
  }
}

/** The `p`th percentile (0–100) of merged histogram entries; NaN when empty. */
export function histogramPercentile(
  entries: readonly (readonly [number, number])[],
  p: number,
): number {
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const [ms, count] of sorted) {
    seen += count;
    if (seen >= rank) return ms;
  }
  return sorted.at(-1)?.[0] ?? Number.NaN;
}
