/**
 * A todo command service written the way one is written for Zilla, with plain kafkajs and no
 * specgate code: it knows only the Kafka headers Zilla writes and reads. It consumes the
 * command topic in a consumer group and, per command,
 *
 * - dispatches on `todo-command:operation` (CreateTaskCommand, RenameTaskCommand,
 *   DeleteTaskCommand), with the record key as the task id;
 * - checks `if-match` against the task's current version: absent passes, a mismatch (or a
 *   task that does not exist) is answered `:status 412` and changes nothing;
 * - writes the task's snapshot to the compacted snapshot topic with an `etag` header (the new
 *   version: "1" on create, one more per rename), or a tombstone on delete;
 * - replies on the topic named by `zilla:reply-to`, with `zilla:correlation-id` echoed and
 *   `:status` (201 + `location` = `:path` + "/" + id on create, 204 on rename and delete, 412 on
 *   a conflict) and `etag` after a create or a rename; the reply's value is empty, as Zilla's
 *   todo service sends it.
 *
 * A command without `zilla:reply-to` or `zilla:correlation-id` is not one it can answer; it is
 * counted and skipped.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';

export interface ZillaTodoServiceOptions {
  /** The topic commands arrive on (Zilla's `task-commands`). */
  readonly commands: string;
  /** The compacted topic the task snapshots go to (Zilla's `task-snapshots`). */
  readonly snapshots: string;
}

/** What the service did with one command, in the order it handled them. */
export interface HandledCommand {
  readonly key: string;
  readonly operation: string | undefined;
  readonly correlationId: string | undefined;
  /** The reply's `:status`; undefined when it could not reply. */
  readonly status: string | undefined;
}

export interface ZillaTodoService {
  readonly handled: readonly HandledCommand[];
  stop(): Promise<void>;
}

/** Starts the service; resolves once its consumer has joined its group and been assigned. */
export async function startZillaTodoService(
  kafka: Kafka,
  options: ZillaTodoServiceOptions,
): Promise<ZillaTodoService> {
  const versions = new Map<string, number>();
  const handled: HandledCommand[] = [];
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId: `zilla-todo-service-${randomUUID()}`,
    maxWaitTimeInMs: 50,
    sessionTimeout: 10_000,
  });
  await consumer.connect();
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });
  await consumer.subscribe({ topic: options.commands, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      handled.push(await handle(message));
    },
  });
  await joined;

  async function handle(message: KafkaMessage): Promise<HandledCommand> {
    const key = message.key?.toString('utf8') ?? '';
    const headers = textHeaders(message.headers);
    const operation = headers['todo-command:operation'];
    const correlationId = headers['zilla:correlation-id'];
    const replyTo = headers['zilla:reply-to'];
    if (replyTo === undefined || correlationId === undefined) {
      return { key, operation, correlationId, status: undefined };
    }
    const reply: Record<string, string> = { 'zilla:correlation-id': correlationId };
    const current = versions.get(key);
    const ifMatch = headers['if-match'];
    if (ifMatch !== undefined && (current === undefined || ifMatch !== String(current))) {
      reply[':status'] = '412';
    } else if (operation === 'CreateTaskCommand' || operation === 'RenameTaskCommand') {
      const next = operation === 'CreateTaskCommand' ? 1 : (current ?? 0) + 1;
      versions.set(key, next);
      await producer.send({
        topic: options.snapshots,
        acks: -1,
        messages: [
          {
            key,
            value: JSON.stringify({ name: taskName(message.value) }),
            headers: { 'content-type': 'application/json', etag: String(next) },
          },
        ],
      });
      if (operation === 'CreateTaskCommand') {
        reply[':status'] = '201';
        reply.location = `${headers[':path'] ?? ''}/${key}`;
      } else reply[':status'] = '204';
      reply.etag = String(next);
    } else if (operation === 'DeleteTaskCommand') {
      versions.delete(key);
      await producer.send({
        topic: options.snapshots,
        acks: -1,
        messages: [{ key, value: null }],
      });
      reply[':status'] = '204';
    } else {
      reply[':status'] = '400';
    }
    await producer.send({
      topic: replyTo,
      acks: -1,
      messages: [{ key, value: '', headers: reply }],
    });
    return { key, operation, correlationId, status: reply[':status'] };
  }

  return {
    handled,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** Header values as text; a repeated header keeps its last value, as Kafka's `lastHeader`. */
function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

/** The `name` of a command's JSON body; a body without one is stored with an empty name. */
function taskName(value: Buffer | null): string {
  if (value === null || value.length === 0) return '';
  const body: unknown = JSON.parse(value.toString('utf8'));
  return typeof body === 'object' &&
    body !== null &&
    'name' in body &&
    typeof body.name === 'string'
    ? body.name
    : '';
}
