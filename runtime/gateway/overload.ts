/**
 * Load shedding with @fastify/under-pressure (design.md §10): the plugin samples the event-loop
 * delay and the memory, and while one is past its limit every request is answered `503` with
 * `Retry-After` straight away, in the first hook, before parsing, validation or Kafka — so an
 * overloaded gateway answers quickly and recovers instead of queueing work it cannot do. The
 * probes (`/livez`, `/readyz`, `/metrics`) are always served: an orchestrator must see the
 * process alive, and not ready.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { OverloadLimits } from './http-limits.ts';
import { HttpProblem, sendProblem } from './problems.ts';

const what: Record<string, string> = {
  eventLoopDelay: 'its event loop is saturated',
  heapUsedBytes: 'its heap is full',
  rssBytes: 'its memory is full',
};

export function registerOverload(
  app: FastifyInstance,
  limits: OverloadLimits,
  probes: ReadonlySet<string>,
): void {
  const delay = limits.maxEventLoopDelayMs ?? 0;
  const retryAfter = limits.retryAfterSeconds ?? 2;
  void app.register(underPressure, {
    maxEventLoopDelay: delay,
    maxHeapUsedBytes: limits.maxHeapUsedBytes ?? 0,
    maxRssBytes: limits.maxRssBytes ?? 0,
    // Often enough that a short limit is seen promptly; the plugin's default is 1 s.
    sampleInterval: delay > 0 ? Math.max(5, Math.min(1000, Math.floor(delay / 2))) : 1000,
    pressureHandler: (request, reply, type) => {
      if (probes.has(request.url.split('?')[0] ?? '')) return;
      void sendProblem(
        reply,
        new HttpProblem('OVERLOADED', `the gateway is overloaded: ${what[type] ?? type}`, {
          retryAfter,
        }),
      );
    },
  });
}
