/** ServiceOptions resolved once into a typed, defaulted object (style.md §22). */
import { resolveKafkaSecurity, type KafkaSecurity } from '../kafka/security.ts';
import type { ServiceLogEntry, ServiceOptions } from './types.ts';

export interface ResolvedServiceOptions {
  readonly brokers: readonly string[];
  /** TLS and SASL: declared, completed from the environment. */
  readonly security: KafkaSecurity;
  readonly groupId: string;
  readonly transactionalId: string;
  readonly sessionTimeoutMs: number;
  readonly maxCommands: number;
  readonly maxMs: number;
  readonly log: (entry: ServiceLogEntry) => void;
}

export function resolveServiceOptions(options: ServiceOptions): ResolvedServiceOptions {
  const brokers =
    options.brokers ??
    (process.env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker !== '');
  if (brokers.length === 0) {
    throw new Error('startService: no brokers; pass `brokers` or set KAFKA_BROKERS');
  }
  const title = kebabCase(options.spec.title) || 'specgate';
  const groupId = options.groupId ?? (title.endsWith('-service') ? title : `${title}-service`);
  const prefix = options.transactionalId ?? groupId;
  return {
    brokers,
    security: resolveKafkaSecurity(options.kafka, options.kafkaEnv),
    groupId,
    transactionalId: `${prefix}-${options.instanceId ?? '0'}`,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    maxCommands: Math.max(1, options.batch?.maxCommands ?? 100),
    maxMs: Math.max(0, options.batch?.maxMs ?? 100),
    log: options.log ?? logToStderr,
  };
}

/** `Todo Service` → `todo-service`. */
export function kebabCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function logToStderr({ level, message, details }: ServiceLogEntry): void {
  if (level !== 'error' && level !== 'warn') return;
  const extra = Object.keys(details).length > 0 ? ` ${safeJson(details)}` : '';
  console.error(`specgate/service ${level}: ${message}${extra}`);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[details not serializable]';
  }
}
