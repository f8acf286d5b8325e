import { describe, expect, it } from 'vitest';
import { ClientError } from './client-error.ts';
import { backoffMs, resolveRetry, retryAfterMs, sleep } from './retry.ts';

describe('retry policy', () => {
  it('defaults, then client, then call options', () => {
    expect(resolveRetry()).toEqual({ retries: 3, baseDelayMs: 200, maxDelayMs: 10_000 });
    expect(resolveRetry({ retries: 1 }, { maxDelayMs: 5 })).toEqual({
      retries: 1,
      baseDelayMs: 200,
      maxDelayMs: 5,
    });
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { retries: 9, baseDelayMs: 100, maxDelayMs: 1000 };
    for (let i = 0; i < 200; i++) {
      expect(backoffMs(policy, 0)).toBeLessThanOrEqual(100);
      expect(backoffMs(policy, 2)).toBeLessThanOrEqual(400);
      expect(backoffMs(policy, 8)).toBeLessThanOrEqual(1000);
      expect(backoffMs(policy, 8)).toBeGreaterThanOrEqual(0);
    }
    const samples = Array.from({ length: 200 }, () => backoffMs(policy, 3));
    expect(Math.max(...samples) - Math.min(...samples)).toBeGreaterThan(100); // jittered
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:02 GMT' }), now)).toBe(
      2000,
    );
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  it('sleep stops at once on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(5000, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(slept).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(slept).rejects.toBeInstanceOf(ClientError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
