/**
 * One log sink for runtime/kafka and for kafkajs under it. Quiet unless the caller passes a
 * `log` callback (the gateway hands its pino logger here).
 */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { KafkaClientConfig, KafkaLogEntry, KafkaLogLevel } from './types.ts';

export interface KafkaLog {
  error(namespace: string, message: string, details?: Record<string, unknown>): void;
  warn(namespace: string, message: string, details?: Record<string, unknown>): void;
  info(namespace: string, message: string, details?: Record<string, unknown>): void;
  debug(namespace: string, message: string, details?: Record<string, unknown>): void;
  /** For kafkajs' `logCreator`. */
  readonly kafkajsLogCreator: logCreator;
  readonly kafkajsLevel: logLevel;
}

/** Same scale as kafkajs' own levels. */
const rank: Readonly<Record<KafkaLogLevel | 'nothing', logLevel>> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * kafkajs logs every failed connection attempt and every failed request at ERROR, before it or
 * this layer retries. Those are the broker outages this layer reports itself (reader state,
 * producer 503s), once per outage rather than once per attempt, so they go out as debug.
 */
const retriedByUs: ReadonlySet<string> = new Set(['Connection', 'BrokerPool', 'Cluster', 'Broker']);

export function createKafkaLog(config: Pick<KafkaClientConfig, 'log' | 'logLevel'>): KafkaLog {
  const sink = config.log;
  const threshold = rank[config.logLevel ?? 'warn'];
  const emit = (
    level: KafkaLogLevel,
    source: KafkaLogEntry['source'],
    namespace: string,
    message: string,
    details: Record<string, unknown>,
  ): void => {
    if (sink === undefined || rank[level] > threshold) return;
    try {
      sink({ level, source, namespace, message, details });
    } catch {
      // A failing log sink must not break Kafka I/O.
    }
  };
  const at =
    (level: KafkaLogLevel) =>
    (namespace: string, message: string, details: Record<string, unknown> = {}): void =>
      emit(level, 'specgate', namespace, message, details);

  const kafkajsLogCreator: logCreator =
    () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const details = Object.fromEntries(
        Object.entries(rest).filter(([name]) => name !== 'timestamp' && name !== 'logger'),
      );
      let mapped = levelOf(level);
      if (mapped === 'error' && retriedByUs.has(namespace)) mapped = 'debug';
      emit(mapped, 'kafkajs', namespace, message, details);
    };

  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    kafkajsLogCreator,
    // kafkajs drops entries above its level before building them; nothing to build when quiet.
    kafkajsLevel: sink === undefined ? logLevel.NOTHING : threshold,
  };
}

function levelOf(level: logLevel): KafkaLogLevel {
  switch (level) {
    case logLevel.ERROR:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}
