/**
 * The service runner's Prometheus metrics (design.md §11), registered in the registry the
 * service's options pass (`ServiceOptions.metrics`); the service has no HTTP server of its own,
 * so the application serves that registry where it likes. Runners of several command topics may
 * share one registry: each series names its command topic.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Outcome } from './handle.ts';

export interface ServiceMetrics {
  /** One command decoded and handled (an attempt: an aborted run handles it again). */
  handled(outcome: Outcome, seconds: number): void;
  /** A run's transaction committed (its outcomes are final) or aborted. */
  transaction(result: 'committed' | 'aborted', outcomes: readonly Outcome[]): void;
}

export function serviceMetrics(registry: Registry, topic: string): ServiceMetrics {
  const commands = metric(
    registry,
    'specgate_service_commands_total',
    () =>
      new Counter({
        name: 'specgate_service_commands_total',
        help: 'Commands committed, by command topic, message name and reply status',
        labelNames: ['topic', 'command', 'status'],
        registers: [registry],
      }),
  );
  const seconds = metric(
    registry,
    'specgate_service_handler_duration_seconds',
    () =>
      new Histogram({
        name: 'specgate_service_handler_duration_seconds',
        help: 'Time to decode, check and handle one command, by command topic and message name',
        labelNames: ['topic', 'command'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
  );
  const transactions = metric(
    registry,
    'specgate_service_transactions_total',
    () =>
      new Counter({
        name: 'specgate_service_transactions_total',
        help: 'Transactions of command runs, by command topic and result (committed, aborted)',
        labelNames: ['topic', 'result'],
        registers: [registry],
      }),
  );
  for (const result of ['committed', 'aborted']) transactions.inc({ topic, result }, 0);
  return {
    handled(outcome, taken) {
      seconds.observe({ topic, command: commandOf(outcome) }, taken);
    },
    transaction(result, outcomes) {
      transactions.inc({ topic, result });
      if (result !== 'committed') return;
      for (const outcome of outcomes) {
        commands.inc({ topic, command: commandOf(outcome), status: String(outcome.status) });
      }
    },
  };
}

/** `(undecoded)` for a record that is no command of the spec (it gets a 400 reply). */
function commandOf(outcome: Outcome): string {
  return outcome.command ?? '(undecoded)';
}

/** The registry's metric of that name (another runner made it), else a new one. */
function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
