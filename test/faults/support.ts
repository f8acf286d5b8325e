// What the fault tests share: the generated todo gateway as a process of its own, a bounded wait,
// and counting what Kafka holds per command.
import { fileURLToPath } from 'node:url';
import { formatTopicProgress } from '../../runtime/gateway/progress.ts';
import { readTopic, type TopicRecord } from '../kafka/read-topic.ts';
import { startReadyChild, type ReadyChild } from '../process/ready-child.ts';

const gatewayMain = fileURLToPath(new URL('gateway-main.ts', import.meta.url));

export interface GatewayProcessOptions {
  /** Bootstrap servers, `127.0.0.1:<port>`. */
  readonly brokers: string;
  readonly port: number;
  readonly replyTimeoutMs: number;
}

/** The todo gateway (examples/todo/generated) in a child process; `ready` once it serves. */
export function startGatewayProcess(options: GatewayProcessOptions): ReadyChild {
  return startReadyChild(gatewayMain, {
    KAFKA_BROKERS: options.brokers,
    PORT: String(options.port),
    REPLY_TIMEOUT_MS: String(options.replyTimeoutMs),
    STREAM_RETRY_MS: '200',
  });
}

/** Resolves once `check()` is true; throws, naming `what`, after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A record header's (first) value. */
export function headerOf(record: TopicRecord, name: string): string | undefined {
  const value = record.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

/** How many records of `task-commands` carry each `idempotency-key` header value. */
export async function commandsPerIdempotencyKey(brokers: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const record of await readTopic('task-commands', { brokers: [brokers] })) {
    const key = headerOf(record, 'idempotency-key');
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * The commands Kafka does not hold as it must: an acknowledged (2xx) command exactly once, any
 * other at most once. Each entry names the key, whether it was acknowledged, and its count.
 */
export function exactlyOnceViolations(
  commands: readonly { readonly key: string; readonly acknowledged: boolean }[],
  counts: ReadonlyMap<string, number>,
): string[] {
  return commands.flatMap(({ key, acknowledged }) => {
    const count = counts.get(key) ?? 0;
    const ok = acknowledged ? count === 1 : count <= 1;
    return ok ? [] : [`${key} (${acknowledged ? 'acknowledged' : 'not acknowledged'}): ${count}`];
  });
}

/** A `specgate-progress` value just past every record of `records` (read-your-writes). */
export function progressPast(topic: string, records: readonly TopicRecord[]): string {
  const progress: Record<number, string> = {};
  for (const record of records) {
    progress[record.partition] = (BigInt(record.offset) + 1n).toString();
  }
  return formatTopicProgress([[topic, progress]]);
}

/** The values of `items` sorted by code unit, for comparing multisets. */
export function sorted(items: Iterable<string>): string[] {
  return [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
