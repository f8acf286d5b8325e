/**
 * Writes one micro-batch (batch-writer.ts is the protocol half of producer.ts): gives each record
 * its partition, takes sequence numbers under the current producer id, sends one Produce request
 * per partition leader, and retries what failed until the batch's deadline fires.
 *
 * Idempotence (KIP-98): a retry resends the same record batch with the same producer id and
 * sequence numbers, so a batch the broker already has is answered with its original offsets
 * instead of being written twice. A batch that did not end written leaves its sequence numbers
 * in doubt; the next batch then starts under a new producer id (InitProducerId), as the Java
 * client resets its producer id after an unresolved batch.
 *
 * Offsets: the broker answers each partition's record batch with its base offset; the records
 * of that batch got consecutive offsets in the order they were sent in the request.
 */
import type { ClusterConnection } from './connection.ts';
import { KafkaError } from './errors.ts';
import { failureOf, failureOfCode, toKafkaError, type Failure } from './failures.ts';
import {
  internals,
  type InternalBroker,
  type InternalCluster,
  type PartitionMetadata,
  type ProduceResponse,
} from './internals.ts';
import type { KafkaLog } from './log.ts';
import { partitionForKey } from './partitioner.ts';
import { produceRequest, produceResponseDecoder } from './produce-request.ts';
import type { RecordPosition } from './types.ts';
import { Aborted, abortable, addTo, Backoff, sleep } from './wait.ts';

/** A `send` waiting for its batch to be written. */
export interface PendingSend {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string | string[]>;
  readonly explicitPartition: number | undefined;
  /** Estimated encoded size. */
  readonly bytes: number;
  /** When `send` was called; the record's timestamp. */
  readonly timestamp: number;
  readonly deadline: number;
  partition: number | undefined;
  state: 'queued' | 'written' | 'failed';
  readonly resolve: (position: RecordPosition) => void;
  readonly reject: (error: KafkaError) => void;
}

/** Counters shared with the producer's `stats()`. */
export interface ProducerCounters {
  records: number;
  recordsWritten: number;
  recordsFailed: number;
  batches: number;
  produceRequests: number;
  producerIds: number;
}

/** A producer id and the next sequence number per partition under it. */
interface ProducerSession {
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly sequences: Map<string, number>;
}

/** The sends of one batch for one partition: one record batch in the produce request. */
interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly sends: PendingSend[];
  /** The session its sequence numbers were taken from; they are reused on every retry. */
  session: ProducerSession | undefined;
  firstSequence: number;
}

type PartitionOutcome =
  | { readonly batch: PartitionBatch; readonly baseOffset: bigint }
  | { readonly batch: PartitionBatch; readonly failure: Failure };

/** One micro-batch on its way: its sends, its deadline, and what went wrong so far. */
export class BatchRun {
  readonly sends: readonly PendingSend[];
  /** Set once partitions are known. */
  batches: readonly PartitionBatch[] = [];
  readonly deadline: number;
  readonly controller = new AbortController();
  lastFailure: Failure | undefined;
  requestsInFlight = 0;
  /** A produce request was unanswered when the deadline passed. */
  inFlightAtDeadline = false;

  constructor(sends: readonly PendingSend[]) {
    this.sends = sends;
    this.deadline = Math.min(...sends.map((send) => send.deadline));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

/** DefaultRecordBatch.incrementSequence: sequence numbers wrap from Integer.MAX_VALUE to 0. */
const MAX_SEQUENCE = 0x7fffffff;
/** How long the broker may keep a new producer id's open transaction; unused (no transactions). */
const TRANSACTION_TIMEOUT_MS = 60_000;

export class BatchWriter {
  readonly #connection: ClusterConnection;
  readonly #counters: ProducerCounters;
  readonly #log: KafkaLog;
  /** The producer id in use; undefined until the next batch asks for one. */
  #session: Promise<ProducerSession> | undefined;
  #currentSession: ProducerSession | undefined;
  /** Null-key records: the partition each topic's next batch writes them to (round robin). */
  readonly #nullKeyPartition = new Map<string, number>();

  constructor(connection: ClusterConnection, counters: ProducerCounters, log: KafkaLog) {
    this.#connection = connection;
    this.#counters = counters;
    this.#log = log;
  }

  /**
   * Writes the batch's sends, resolving or failing each as its partition is answered; returns
   * when all are settled, or throws Aborted when the run's deadline fires first.
   */
  async write(run: BatchRun): Promise<void> {
    try {
      await this.#write(run);
    } finally {
      // Sequence numbers taken for records the broker may or may not have must not be
      // continued: the next batch starts under a new producer id.
      for (const batch of run.batches) {
        if (batch.sends.some((send) => send.state !== 'written')) this.#dropSession(batch.session);
      }
    }
  }

  async #write(run: BatchRun): Promise<void> {
    const backoff = new Backoff(50, 1000);
    let batches: PartitionBatch[] | undefined;
    while (batches === undefined) {
      try {
        const cluster = await abortable(this.#connection.get(), run.signal);
        batches = await abortable(this.#assignPartitions(cluster, run), run.signal);
        run.batches = batches;
      } catch (error) {
        if (!(await this.#retryAfter(run, error, backoff))) return;
      }
    }
    let remaining = batches.filter(isPending);
    while (remaining.length > 0) {
      try {
        const cluster = await abortable(this.#connection.get(), run.signal);
        await abortable(this.#knownTopics(cluster, remaining, run), run.signal);
        remaining = remaining.filter(isPending);
        // A batch keeps its producer id and sequence numbers on every retry, even when newer
        // batches use a newer id: that is what lets the broker recognise a batch it already has.
        if (remaining.some((batch) => batch.session === undefined)) {
          const session = await abortable(this.#producerSession(), run.signal);
          for (const batch of remaining) {
            if (batch.session !== undefined) continue;
            batch.session = session;
            batch.firstSequence = takeSequences(session, batch);
          }
        }
        const { requests, leaderless } = groupRequests(cluster, remaining);
        const outcomes = await abortable(
          Promise.all(
            requests.map(({ leader, session, batches: group }) =>
              this.#produceTo(cluster, leader, group, session, run),
            ),
          ),
          run.signal,
        );
        const retry = this.#settle(run, outcomes.flat());
        remaining = [...retry.batches, ...leaderless];
        if (remaining.length === 0) break;
        if (retry.reconnect) this.#connection.reset();
        else await abortable(cluster.refreshMetadata(), run.signal);
        await sleep(backoff.next(), run.signal);
      } catch (error) {
        if (!(await this.#retryAfter(run, error, backoff))) return;
      }
    }
  }

  /**
   * After a failure outside the per-partition answers: false (and the sends failed) when it is
   * fatal; otherwise, after a backoff, true. Rethrows Aborted at the deadline.
   */
  async #retryAfter(run: BatchRun, error: unknown, backoff: Backoff): Promise<boolean> {
    if (error instanceof Aborted) throw error;
    const failure = failureOf(error);
    run.lastFailure = failure;
    if (failure.kind === 'fatal') {
      const kafkaError = toKafkaError(failure, 'Produce failed');
      for (const send of run.sends) this.#fail(send, kafkaError);
      return false;
    }
    // A Cluster whose metadata includes a deleted topic fails every refresh: start afresh.
    if (
      failure.kind === 'connection' ||
      failure.kind === 'timeout' ||
      failure.code === 'TOPIC_NOT_FOUND'
    ) {
      this.#connection.reset();
    }
    this.#log.debug('producer', `retrying: ${failure.message}`, { kind: failure.kind });
    await sleep(backoff.next(), run.signal);
    return true;
  }

  /** Gives every send its partition; fails the sends of missing topics and bad partitions. */
  async #assignPartitions(cluster: InternalCluster, run: BatchRun): Promise<PartitionBatch[]> {
    await cluster.refreshMetadataIfNecessary();
    const byTopic = new Map<string, PendingSend[]>();
    for (const send of run.sends) {
      if (send.state === 'queued') addTo(byTopic, send.topic, send);
    }
    const batches = new Map<string, PartitionBatch>();
    for (const [topic, sends] of byTopic) {
      const partitions = await this.#partitionsOf(cluster, topic, sends);
      if (partitions === undefined) continue;
      const count = partitions.length;
      let nullKeyPartition: number | undefined;
      for (const send of sends) {
        let partition = send.explicitPartition;
        if (partition !== undefined) {
          if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
            this.#fail(
              send,
              new KafkaError(
                'INVALID_PARTITION',
                `Partition ${partition} of ${topic} does not exist (it has ${count})`,
              ),
            );
            continue;
          }
        } else if (send.key !== null) {
          partition = partitionForKey(send.key, count);
        } else {
          nullKeyPartition ??= this.#nextNullKeyPartition(topic, partitions);
          partition = nullKeyPartition;
        }
        send.partition = partition;
        const id = `${topic}\u0000${partition}`;
        let batch = batches.get(id);
        if (batch === undefined) {
          batch = { topic, partition, sends: [], session: undefined, firstSequence: 0 };
          batches.set(id, batch);
        }
        batch.sends.push(send);
      }
    }
    return [...batches.values()];
  }

  /** Makes sure the Cluster has metadata for the batches' topics (a fresh one has none). */
  async #knownTopics(
    cluster: InternalCluster,
    batches: readonly PartitionBatch[],
    run: BatchRun,
  ): Promise<void> {
    const topics = new Set(batches.map((batch) => batch.topic));
    for (const topic of topics) {
      const sends = run.sends.filter((send) => send.topic === topic && send.state === 'queued');
      await this.#partitionsOf(cluster, topic, sends);
    }
  }

  /** The topic's partitions; undefined, with `sends` failed, when the topic does not exist. */
  async #partitionsOf(
    cluster: InternalCluster,
    topic: string,
    sends: readonly PendingSend[],
  ): Promise<readonly PartitionMetadata[] | undefined> {
    let partitions: readonly PartitionMetadata[] = [];
    try {
      await cluster.addTargetTopic(topic);
      partitions = cluster.findTopicPartitionMetadata(topic);
    } catch (error) {
      const failure = failureOf(error);
      if (failure.code !== 'TOPIC_NOT_FOUND') throw error;
    }
    if (partitions.length > 0) return partitions;
    const error = new KafkaError('TOPIC_NOT_FOUND', `Topic "${topic}" does not exist`);
    for (const send of sends) this.#fail(send, error);
    return undefined;
  }

  /**
   * Records without a key: all of one batch go to one partition, the next batch to the next
   * partition with a leader (the Java client's sticky partitioning, KIP-480, in batch steps).
   */
  #nextNullKeyPartition(topic: string, partitions: readonly PartitionMetadata[]): number {
    const count = partitions.length;
    const start = this.#nullKeyPartition.get(topic) ?? Math.floor(Math.random() * count);
    let chosen = start % count;
    for (let step = 0; step < count; step++) {
      const candidate = (start + step) % count;
      const leader = partitions.find(({ partitionId }) => partitionId === candidate)?.leader;
      if (leader !== undefined && leader >= 0) {
        chosen = candidate;
        break;
      }
    }
    this.#nullKeyPartition.set(topic, chosen + 1);
    return chosen;
  }

  /** One produce request to one leader; never throws: failures become outcomes. */
  async #produceTo(
    cluster: InternalCluster,
    leader: number,
    batches: readonly PartitionBatch[],
    session: ProducerSession,
    run: BatchRun,
  ): Promise<PartitionOutcome[]> {
    let broker: InternalBroker | undefined;
    try {
      broker = await cluster.findBroker({ nodeId: String(leader) });
      const byTopic = new Map<string, PartitionBatch[]>();
      for (const batch of batches) addTo(byTopic, batch.topic, batch);
      const version = produceVersion(broker);
      const request = produceRequest(version, {
        acks: -1,
        // How long the leader waits for the in-sync replicas before it answers.
        timeout: Math.max(1000, run.deadline - Date.now()),
        producerId: session.producerId,
        producerEpoch: session.producerEpoch,
        topicData: [...byTopic].map(([topic, topicBatches]) => ({
          topic,
          partitions: topicBatches.map((batch) => ({
            partition: batch.partition,
            firstSequence: batch.firstSequence,
            messages: batch.sends.map((send) => ({
              key: send.key,
              value: send.value,
              headers: send.headers,
              timestamp: send.timestamp,
            })),
          })),
        })),
      });
      this.#counters.produceRequests++;
      run.requestsInFlight++;
      let answer: ProduceResponse;
      try {
        // kafkajs' parse throws on the first partition error; decode keeps them all.
        answer = await broker.connectionPool.send({
          request,
          response: {
            decode: produceResponseDecoder(version).decode,
            parse: async (decoded) => decoded,
          },
          logResponseError: false,
        });
      } finally {
        run.requestsInFlight--;
      }
      return batches.map((batch) => {
        const result = answer.topics
          .find((topic) => topic.topicName === batch.topic)
          ?.partitions.find((partition) => partition.partition === batch.partition);
        if (result === undefined) return { batch, failure: failureOfCode(NOT_LEADER) };
        if (result.errorCode !== 0) return { batch, failure: failureOfCode(result.errorCode) };
        return { batch, baseOffset: BigInt(result.baseOffset) };
      });
    } catch (error) {
      // As kafkajs' Broker does: a closed connection is dropped, the next request reconnects.
      if (broker !== undefined && error instanceof Error) {
        if (error.name === 'KafkaJSConnectionClosedError') {
          void broker.disconnect().catch(() => undefined);
        }
      }
      const failure = failureOf(error);
      return batches.map((batch) => ({ batch, failure }));
    }
  }

  /** Resolves and fails sends by their partition's answer; returns the batches to retry. */
  #settle(
    run: BatchRun,
    outcomes: readonly PartitionOutcome[],
  ): { batches: PartitionBatch[]; reconnect: boolean } {
    const retry: PartitionBatch[] = [];
    let reconnect = false;
    for (const outcome of outcomes) {
      const { batch } = outcome;
      if ('baseOffset' in outcome) {
        batch.sends.forEach((send, index) => {
          const offset = (outcome.baseOffset + BigInt(index)).toString();
          this.#resolve(send, { topic: batch.topic, partition: batch.partition, offset });
        });
        continue;
      }
      const { failure } = outcome;
      run.lastFailure = failure;
      switch (failure.kind) {
        case 'fatal': {
          const error = toKafkaError(failure, `Produce to ${batch.topic}/${batch.partition}`);
          for (const send of batch.sends) this.#fail(send, error);
          break;
        }
        case 'producer-state':
          // Not written: the broker refused the id or the sequence. Retry under a new id.
          this.#dropSession(batch.session);
          batch.session = undefined;
          retry.push(batch);
          break;
        case 'connection':
        case 'timeout':
          reconnect = true;
          retry.push(batch);
          break;
        default:
          retry.push(batch);
      }
    }
    return { batches: retry, reconnect };
  }

  #producerSession(): Promise<ProducerSession> {
    if (this.#session !== undefined) return this.#session;
    const session = this.#initProducerId();
    this.#session = session;
    session.then(
      (value) => {
        if (this.#session === session) this.#currentSession = value;
      },
      () => {
        if (this.#session === session) this.#session = undefined;
      },
    );
    return session;
  }

  async #initProducerId(): Promise<ProducerSession> {
    const cluster = await this.#connection.get();
    await cluster.refreshMetadataIfNecessary();
    const broker = await cluster.findControllerBroker();
    const { producerId, producerEpoch } = await broker.initProducerId({
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
    });
    this.#counters.producerIds++;
    this.#log.debug('producer', 'new producer id', { producerId, producerEpoch });
    return { producerId, producerEpoch, sequences: new Map() };
  }

  #dropSession(session: ProducerSession | undefined): void {
    if (session === undefined || this.#currentSession !== session) return;
    this.#session = undefined;
    this.#currentSession = undefined;
  }

  #resolve(send: PendingSend, position: RecordPosition): void {
    resolveSend(send, position, this.#counters);
  }

  #fail(send: PendingSend, error: KafkaError): void {
    failSend(send, error, this.#counters);
  }
}

export function resolveSend(
  send: PendingSend,
  position: RecordPosition,
  counters: ProducerCounters,
): void {
  if (send.state !== 'queued') return;
  send.state = 'written';
  counters.recordsWritten++;
  send.resolve(position);
}

export function failSend(send: PendingSend, error: KafkaError, counters: ProducerCounters): void {
  if (send.state !== 'queued') return;
  send.state = 'failed';
  counters.recordsFailed++;
  send.reject(error);
}

function isPending(batch: PartitionBatch): boolean {
  return batch.sends.some((send) => send.state === 'queued');
}

/** NOT_LEADER_OR_FOLLOWER: what a missing partition in an answer most likely means. */
const NOT_LEADER = 6;

/** One produce request per leader and producer id; batches without a leader wait. */
function groupRequests(
  cluster: InternalCluster,
  batches: readonly PartitionBatch[],
): {
  requests: { leader: number; session: ProducerSession; batches: PartitionBatch[] }[];
  leaderless: PartitionBatch[];
} {
  const requests = new Map<
    string,
    { leader: number; session: ProducerSession; batches: PartitionBatch[] }
  >();
  const leaderless: PartitionBatch[] = [];
  for (const batch of batches) {
    const { session } = batch;
    const leader = cluster
      .findTopicPartitionMetadata(batch.topic)
      .find((partition) => partition.partitionId === batch.partition)?.leader;
    if (session === undefined || leader === undefined || leader < 0) {
      leaderless.push(batch);
      continue;
    }
    const id = `${leader}/${session.producerId}`;
    const request = requests.get(id) ?? { leader, session, batches: [] };
    request.batches.push(batch);
    requests.set(id, request);
  }
  return { requests: [...requests.values()], leaderless };
}

function takeSequences(session: ProducerSession, batch: PartitionBatch): number {
  const id = `${batch.topic}\u0000${batch.partition}`;
  const first = session.sequences.get(id) ?? 0;
  const count = batch.sends.length;
  session.sequences.set(
    id,
    first > MAX_SEQUENCE - count ? count - (MAX_SEQUENCE - first) - 1 : first + count,
  );
  return first;
}

/** Produce v3+ carries producer id and sequence (record batch v2); the newest both speak. */
function produceVersion(broker: InternalBroker): number {
  const range = broker.versions?.[internals.apiKeys.Produce];
  const usable = internals.produceVersions.filter(
    (version) =>
      version >= 3 &&
      (range === undefined || (version >= range.minVersion && version <= range.maxVersion)),
  );
  if (usable.length === 0) {
    throw new KafkaError('KAFKA_ERROR', 'The broker supports no Produce version kafkajs speaks');
  }
  return Math.max(...usable);
}
