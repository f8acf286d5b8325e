/**
 * The service runner (design.md §8): consumes the command topic in a consumer group and, per run
 * of commands of one partition, handles them in order and writes everything they came to —
 * events, snapshots, replies and the consumed offset — in one Kafka transaction.
 *
 * Exactly once: the consumer reads only committed records and commits no offsets itself; the
 * offset goes in the transaction. A crash before the commit leaves an open transaction that the
 * restarted runner aborts (fences) when it registers the same transactional id, before it
 * fetches the group's committed offset; so the commands are handled again and their first
 * effects are never visible. Runners that run at once need distinct `instanceId`s. kafkajs
 * 2.2.4 sends no group generation with the offsets (KIP-447), so a runner that has lost its
 * partitions in a rebalance is not fenced by the broker: the runner stops a run when kafkajs
 * reports the batch stale, and a rebalance during a run fails the heartbeat before the commit.
 */
import { Kafka, Partitioners, logLevel, type EachBatchPayload, type LogEntry } from 'kafkajs';
import { checkKafkaAccess, createKafkaClient, toKafkajsSasl } from '../kafka/index.ts';
import type { KafkaClient, TopicReader } from '../kafka/types.ts';
import { AggregateState, StateLayer, type WrittenEvent } from './aggregate-state.ts';
import type { OutputRecord, Outputs } from './context.ts';
import { handleCommand, type HandleContext, type Outcome } from './handle.ts';
import { resolveServiceOptions } from './options.ts';
import { serviceMetrics } from './service-metrics.ts';
import { writeRun } from './transaction.ts';
import { compilePayloadChecks } from './validation.ts';
import type { Service, ServiceLogEntry, ServiceOptions } from './types.ts';

/** Starts the runner and returns at once; `ready` resolves when it consumes. */
export function startService(options: ServiceOptions): Service {
  const { spec } = options;
  const resolved = resolveServiceOptions(options);
  const { log, groupId, security } = resolved;
  const checks = compilePayloadChecks(spec);
  const shutdown = new AbortController();
  const byTopic = new Map(spec.outputs.map((output) => [output.topic, output]));
  const partitions = new Map<string, number>();
  const outputs: Outputs = { byTopic, partitions };
  const metrics =
    options.metrics === undefined ? undefined : serviceMetrics(options.metrics, spec.commandTopic);
  const handleContext: HandleContext = {
    spec,
    handlers: options.handlers,
    checks,
    outputs,
    signal: shutdown.signal,
    log,
  };

  const kafka = new Kafka({
    clientId: groupId,
    brokers: [...resolved.brokers],
    ...(security.ssl === undefined ? {} : { ssl: security.ssl }),
    ...(security.sasl === undefined ? {} : { sasl: toKafkajsSasl(security.sasl) }),
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => forwardKafkajsLog(log, entry),
  });
  const aggregate = options.aggregate === undefined ? undefined : aggregateState(options, log);
  let stateClient: KafkaClient | undefined;
  let stateReader: TopicReader | undefined;
  // Set on every group join: runs wait until the state has read what the topic held then.
  let stateBarrier: Promise<void> = Promise.resolve();

  const producer = kafka.producer({
    transactionalId: resolved.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    // A transaction begun right after the last commit often meets CONCURRENT_TRANSACTIONS while
    // the coordinator still writes the commit markers: retriable within milliseconds. kafkajs's
    // default first retry waits 300 ms, which every such command then paid; start at 20 ms (the
    // Java client's retry for it) and double. Retries stay unlimited, as kafkajs's default for an
    // idempotent producer (a limit would weaken exactly-once).
    retry: { initialRetryTime: 20, retries: Number.MAX_SAFE_INTEGER },
  });
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: resolved.sessionTimeoutMs,
    heartbeatInterval: Math.min(3000, Math.floor(resolved.sessionTimeoutMs / 3)),
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
  });

  let closing = false;
  let handled = 0;
  const byStatus: Record<number, number> = {};

  const eachBatch = async ({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> => {
    const { messages, partition } = batch;
    await stateBarrier;
    let at = 0;
    while (at < messages.length) {
      if (closing || !isRunning() || isStale()) return;
      // A run: at least one command, then more while the first has waited less than maxMs.
      const started = Date.now();
      const outcomes: Outcome[] = [];
      const run = aggregate === undefined ? undefined : new StateLayer(aggregate, aggregate);
      let lastOffset = '';
      for (const message of messages.slice(at)) {
        if (outcomes.length >= resolved.maxCommands) break;
        if (outcomes.length > 0 && (closing || Date.now() - started >= resolved.maxMs)) break;
        const handling = performance.now();
        const outcome = await handleCommand(handleContext, partition, message, run);
        const taken = (performance.now() - handling) / 1000;
        metrics?.handled(outcome, taken);
        log({
          level: 'debug',
          message: `handled ${outcome.command ?? 'a record'}: ${outcome.status}`,
          details: {
            partition,
            offset: message.offset,
            status: outcome.status,
            ms: Math.round(taken * 1000),
            ...(outcome.traceId === undefined ? {} : { traceId: outcome.traceId }),
          },
        });
        outcomes.push(outcome);
        lastOffset = message.offset;
      }
      at += outcomes.length;
      // Fails, before anything is written, when the group is rebalancing (see above).
      await heartbeat();
      const transaction = await producer.transaction();
      let written: WrittenEvent[] = [];
      try {
        await writeRun(
          transaction,
          {
            consumerGroupId: groupId,
            commandTopic: spec.commandTopic,
            partition,
            lastOffset,
            correlationHeader: spec.correlationHeader,
            outcomes,
          },
          (offsets) => {
            if (aggregate !== undefined && run !== undefined) {
              written = writtenEvents(aggregate.topic, outcomes, offsets, run);
              aggregate.written(written);
            }
            log({
              level: 'debug',
              message: 'committing a transaction',
              details: { partition, lastOffset, commands: outcomes.length },
            });
          },
        );
      } catch (error) {
        aggregate?.aborted(written);
        metrics?.transaction('aborted', outcomes);
        throw error;
      }
      metrics?.transaction('committed', outcomes);
      aggregate?.committed(written);
      resolveOffset(lastOffset);
      for (const outcome of outcomes) {
        handled++;
        byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
      }
    }
  };

  const ready = (async () => {
    // Refused credentials or TLS fail the start at once, with a message saying which; kafkajs
    // would retry a closed connection for a while and then report only that.
    await checkKafkaAccess(
      { brokers: resolved.brokers, clientId: groupId, ...security },
      shutdown.signal,
    );
    // The producer first: registering the transactional id aborts a crashed predecessor's
    // transaction, which must be settled before the consumer reads the committed offsets.
    await producer.connect();
    if (aggregate !== undefined) {
      // After the producer: the predecessor's open transaction is aborted, so the reader's
      // end (the last stable offset) is not held back by it.
      stateClient = createKafkaClient({
        brokers: resolved.brokers,
        clientId: `${groupId}-state`,
        ...security,
      });
      stateReader = stateClient.reader(aggregate.topic, {
        from: 'earliest',
        onRecords: aggregate.onRecords,
      });
      await stateReader.caughtUp;
      const client = stateClient;
      const reader = stateReader;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        stateBarrier = readEnd(client, reader, shutdown.signal);
      });
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...byTopic.keys()] });
      for (const topic of metadata.topics) partitions.set(topic.name, topic.partitions.length);
    } finally {
      await admin.disconnect();
    }
    await consumer.connect();
    await consumer.subscribe({ topic: spec.commandTopic, fromBeginning: true });
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        log({
          level: 'error',
          message: `the consumer crashed: ${payload.error.message}`,
          details: { restart: payload.restart },
        });
        reject(payload.error);
      });
    });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
    await joined;
  })();
  // `ready` is the caller's to await; a failure must not also be an unhandled rejection.
  ready.catch(() => undefined);

  let closed: Promise<void> | undefined;
  return {
    ready,
    stats: () => ({ handled, byStatus: { ...byStatus } }),
    close() {
      closed ??= (async () => {
        closing = true;
        shutdown.abort();
        await ready.catch(() => undefined);
        // Waits for the run in hand (its commit), then leaves the group.
        await consumer.disconnect();
        await producer.disconnect();
        await stateClient?.close();
      })();
      return closed;
    },
  };
}

/** The service's aggregate state, checked against the spec. */
function aggregateState(
  options: ServiceOptions,
  log: (entry: ServiceLogEntry) => void,
): AggregateState | undefined {
  const { aggregate, spec } = options;
  if (aggregate === undefined) return undefined;
  const output = spec.outputs.find((o) => o.topic === aggregate.topic);
  if (output?.kind !== 'event') {
    throw new Error(
      `startService: the aggregate's topic ${aggregate.topic} is not an event output`,
    );
  }
  return new AggregateState(aggregate, output.typeHeader, (record, reason) =>
    log({
      level: 'warn',
      message: `skipped an event of ${aggregate.topic}: ${reason}`,
      details: { partition: record.partition, offset: record.offset },
    }),
  );
}

/**
 * The run's events on the aggregate topic with the offsets the broker gave them: the topic's
 * records of the outcomes are, in order, the events the run's layer folded.
 */
function writtenEvents(
  topic: string,
  outcomes: readonly Outcome[],
  offsets: readonly string[],
  run: StateLayer,
): WrittenEvent[] {
  const records: { record: OutputRecord; offset: string }[] = [];
  let at = 0;
  for (const record of outcomes.flatMap((outcome) => outcome.records)) {
    const offset = offsets[at++];
    if (record.topic === topic && offset !== undefined) records.push({ record, offset });
  }
  return records.flatMap(({ record, offset }, index) => {
    const event = run.events[index];
    return event === undefined ? [] : [{ partition: record.partition, offset, event }];
  });
}

/** Resolves when the reader has read what the topic held (committed) when this was called. */
async function readEnd(
  client: KafkaClient,
  reader: TopicReader,
  signal: AbortSignal,
): Promise<void> {
  const ends = await client.admin.highWatermarks(reader.topic, { isolation: 'read_committed' });
  while (!signal.aborted) {
    const positions = reader.positions();
    const behind = Object.entries(ends).some(
      ([partition, end]) => BigInt(positions[Number(partition)] ?? '0') < BigInt(end),
    );
    if (!behind) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function forwardKafkajsLog(sink: (entry: ServiceLogEntry) => void, entry: LogEntry): void {
  const { message, ...rest } = entry.log;
  const details = Object.fromEntries(
    Object.entries(rest).filter(([name]) => name !== 'timestamp' && name !== 'logger'),
  );
  // kafkajs logs every error response of the broker as an error, also the ones it retries (a
  // coordinator still loading; a transaction still committing, entries with a retryCount): the
  // first retries are routine, debug; one still failing after 3 retries is a warning; what it
  // gives up on reaches us as a failure anyway.
  const retryCount = typeof rest.retryCount === 'number' ? rest.retryCount : undefined;
  const routine =
    (entry.namespace === 'Connection' && message.startsWith('Response ')) ||
    (retryCount !== undefined && retryCount < 3);
  const level: ServiceLogEntry['level'] = routine
    ? 'debug'
    : retryCount !== undefined || entry.level === logLevel.WARN
      ? 'warn'
      : entry.level <= logLevel.ERROR
        ? 'error'
        : 'info';
  try {
    sink({ level, message: `kafkajs [${entry.namespace}] ${message}`, details });
  } catch {
    // A failing log sink must not break Kafka I/O.
  }
}
