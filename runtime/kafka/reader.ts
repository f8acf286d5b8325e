/**
 * A continuous tail of every partition of one topic, without a consumer group: what the views
 * (design.md §5) and the reply reader (§4) are built on, so any gateway instance reads
 * everything and needs no coordinator.
 *
 * It is a loop of sessions. A session takes fresh metadata, starts one long-poll fetch loop per
 * partition leader, and ends when the metadata changes (partitions added, leaders moved) or a
 * fetch fails; the next session starts from `positions()`, after a backoff when it failed. A
 * position only moves after `onRecords` returned, and deliveries are serialised, so a stop or an
 * outage at any point neither skips nor repeats a record. Positions advance over whole record
 * batches as their headers say (see fetch.ts), which steps over compaction gaps, control records
 * and aborted transactions.
 */
import {
  listOffsets,
  READ_COMMITTED,
  READ_UNCOMMITTED,
  topicPartitions,
  type ClusterConnection,
} from './connection.ts';
import { KafkaError } from './errors.ts';
import { failureOf, failureOfCode, type Failure } from './failures.ts';
import {
  fetchRequest,
  partitionRecords,
  type FetchedPartition,
  type FetchedRecord,
  type FetchResponse,
} from './fetch.ts';
import type { InternalBroker, InternalCluster, PartitionMetadata } from './internals.ts';
import type { KafkaLog } from './log.ts';
import type { ReaderOptions, ReaderStart, ReaderState, TopicReader } from './types.ts';
import { Aborted, abortable, addTo, Backoff, sleep } from './wait.ts';

/** ReaderOptions whose callback also sees what the batch header says (fetch.ts). */
export interface TailOptions extends Omit<ReaderOptions, 'onRecords'> {
  readonly onRecords: (records: readonly FetchedRecord[]) => Promise<void> | void;
}

const OFFSET_OUT_OF_RANGE = 1;
/** Retry timing after a failed session (Java: reconnect.backoff.ms 50 ... max 1000). */
const BACKOFF_INITIAL_MS = 100;
const BACKOFF_MAX_MS = 1000;
/** While some partition has no leader, look again this often. */
const LEADERLESS_REFRESH_MS = 500;

/** What `onRecords` threw; it ends the reader instead of being retried. */
class DeliveryFailed extends Error {
  constructor(cause: unknown) {
    super('onRecords threw', { cause });
  }
}

export class KafkajsTopicReader implements TopicReader {
  readonly topic: string;
  readonly caughtUp: Promise<void>;
  readonly done: Promise<void>;
  readonly #connection: ClusterConnection;
  readonly #options: TailOptions;
  readonly #log: KafkaLog;
  readonly #isolationLevel: number;
  readonly #maxWaitMs: number;
  readonly #requestTimeoutMs: number;
  /** The start option, for the partitions of the first session. */
  readonly #start: ReaderStart;
  #firstSession = true;
  readonly #positions = new Map<number, bigint>();
  #targets: Map<number, bigint> | undefined;
  #state: ReaderState = 'disconnected';
  readonly #stop = new AbortController();
  #delivering: Promise<void> = Promise.resolve();
  readonly #backoff = new Backoff(BACKOFF_INITIAL_MS, BACKOFF_MAX_MS);
  #isCaughtUp = false;
  /** The last failure logged as a warning, until a fetch succeeds. */
  #reported: string | undefined;
  #resolveCaughtUp: () => void = () => undefined;
  #rejectCaughtUp: (error: unknown) => void = () => undefined;

  constructor(
    connection: ClusterConnection,
    topic: string,
    options: TailOptions,
    log: KafkaLog,
    requestTimeoutMs: number,
  ) {
    this.topic = topic;
    this.#connection = connection;
    this.#options = options;
    this.#log = log;
    this.#isolationLevel =
      options.isolation === 'read_uncommitted' ? READ_UNCOMMITTED : READ_COMMITTED;
    this.#maxWaitMs = options.maxWaitMs ?? 500;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#start = options.from ?? 'earliest';
    if (typeof this.#start === 'object') {
      for (const [partition, offset] of Object.entries(this.#start)) {
        if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset)) {
          throw new RangeError(`reader(${topic}): bad start offset ${partition}: ${offset}`);
        }
        this.#positions.set(Number(partition), BigInt(offset));
      }
    }
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.#resolveCaughtUp = resolve;
      this.#rejectCaughtUp = reject;
    });
    this.caughtUp.catch(() => undefined);
    this.done = this.#run();
    this.done.catch(() => undefined);
  }

  state(): ReaderState {
    return this.#state;
  }

  positions(): Record<number, string> {
    return Object.fromEntries([...this.#positions].map(([p, offset]) => [p, offset.toString()]));
  }

  highWatermarks(): Record<number, string> | undefined {
    const targets = this.#targets;
    if (targets === undefined) return undefined;
    return Object.fromEntries([...targets].map(([p, offset]) => [p, offset.toString()]));
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.done.catch(() => undefined);
  }

  async #run(): Promise<void> {
    try {
      while (!this.#stop.signal.aborted) {
        try {
          await this.#session();
        } catch (error) {
          if (error instanceof DeliveryFailed) throw error.cause;
          if (this.#stop.signal.aborted) break;
          this.#failed(failureOf(error));
          await sleep(this.#backoff.next(), this.#stop.signal).catch(() => undefined);
        }
      }
    } finally {
      if (!this.#isCaughtUp) {
        this.#rejectCaughtUp(new KafkaError('CLOSED', `Reader of ${this.topic} stopped`));
      }
      await this.#connection.close();
    }
  }

  #failed(failure: Failure): void {
    if (failure.kind === 'connection' || failure.kind === 'timeout') {
      this.#connection.reset();
      this.#setState('disconnected', failure.message);
    } else if (failure.kind === 'fatal' || failure.code === 'TOPIC_NOT_FOUND') {
      // The broker answers, but not with records (a missing topic, a denied ACL): say so once.
      if (this.#reported !== failure.message) {
        this.#log.warn('reader', `${this.topic}: ${failure.message}; retrying`, {
          code: failure.code,
        });
      }
      this.#reported = failure.message;
    }
    this.#log.debug('reader', `${this.topic}: ${failure.message}; retrying`, {
      kind: failure.kind,
    });
  }

  /** One metadata snapshot's worth of fetching; returns when the metadata changed. */
  async #session(): Promise<void> {
    const stop = this.#stop.signal;
    const cluster = await abortable(this.#connection.get(), stop);
    const partitions = await abortable(topicPartitions(cluster, this.topic, true), stop);
    await abortable(this.#startPositions(cluster, partitions), stop);
    if (this.#targets === undefined) {
      this.#targets = await abortable(
        listOffsets(cluster, this.topic, partitions, 'latest', this.#isolationLevel),
        stop,
      );
      this.#checkCaughtUp();
    }
    const byLeader = new Map<number, number[]>();
    let leaderless = false;
    for (const { partitionId, leader } of partitions) {
      if (leader < 0) leaderless = true;
      else addTo(byLeader, leader, partitionId);
    }

    const session = new AbortController();
    const onStop = (): void => session.abort();
    stop.addEventListener('abort', onStop, { once: true });
    const watch = setInterval(
      () => void this.#watchMetadata(cluster, describe(partitions), session),
      leaderless ? LEADERLESS_REFRESH_MS : (this.#options.metadataRefreshMs ?? 30_000),
    );
    try {
      const loops = [...byLeader].map(([leader, ids]) =>
        this.#fetchLoop(cluster, leader, ids, session.signal).catch((error: unknown) => {
          session.abort();
          throw error;
        }),
      );
      if (loops.length === 0) await abortable(new Promise<never>(() => undefined), session.signal);
      // Every loop must have ended before the next session fetches from the positions.
      const failures = (await Promise.allSettled(loops)).flatMap((result) =>
        result.status === 'rejected' && !(result.reason instanceof Aborted) ? [result.reason] : [],
      );
      const first = failures.find((error) => error instanceof DeliveryFailed) ?? failures[0];
      if (first !== undefined) throw first;
    } catch (error) {
      if (!(error instanceof Aborted)) throw error;
    } finally {
      clearInterval(watch);
      stop.removeEventListener('abort', onStop);
      session.abort();
    }
  }

  /** Positions for partitions that have none: from the start option, later from the log start. */
  async #startPositions(
    cluster: InternalCluster,
    partitions: readonly PartitionMetadata[],
  ): Promise<void> {
    const missing = partitions.filter(({ partitionId }) => !this.#positions.has(partitionId));
    if (missing.length === 0) {
      this.#firstSession = false;
      return;
    }
    const since = this.#firstSession ? this.#options.since : undefined;
    const which = since ?? (this.#firstSession && this.#start === 'latest' ? 'latest' : 'earliest');
    const offsets = await listOffsets(cluster, this.topic, missing, which, this.#isolationLevel);
    for (const [partition, offset] of offsets) this.#positions.set(partition, offset);
    if (!this.#firstSession && which === 'earliest') {
      this.#log.info('reader', `${this.topic}: reading new partitions from their start`, {
        partitions: [...offsets.keys()],
      });
    }
    this.#firstSession = false;
  }

  /** Ends the session when partitions or leaders changed; errors are left to the fetches. */
  async #watchMetadata(
    cluster: InternalCluster,
    before: string,
    session: AbortController,
  ): Promise<void> {
    try {
      const now = await topicPartitions(cluster, this.topic, true);
      if (describe(now) !== before) session.abort();
    } catch {
      // A broken connection shows in the fetch loops, which handle it.
    }
  }

  /** Long-poll fetches from one leader for its partitions, until the session ends. */
  async #fetchLoop(
    cluster: InternalCluster,
    leader: number,
    partitions: readonly number[],
    signal: AbortSignal,
  ): Promise<void> {
    const broker = await abortable(cluster.findBroker({ nodeId: String(leader) }), signal);
    // Rotated each time: the broker fills a response in request order (KIP-74).
    let rotation = 0;
    while (!signal.aborted) {
      const order = partitions.map((_, i) => partitions[(i + rotation) % partitions.length]);
      rotation++;
      const requested = new Map<number, bigint>();
      for (const partition of order) {
        const position = partition === undefined ? undefined : this.#positions.get(partition);
        if (partition !== undefined && position !== undefined) requested.set(partition, position);
      }
      const response = await abortable(this.#fetch(broker, requested, this.#maxWaitMs), signal);
      this.#setState('connected');
      this.#backoff.reset();
      this.#reported = undefined;
      const { records, positions } = await abortable(
        this.#collect(cluster, broker, requested, response),
        signal,
      );
      if (positions.size > 0) await this.#deliver(records, positions);
    }
  }

  async #fetch(
    broker: InternalBroker,
    partitions: ReadonlyMap<number, bigint>,
    maxWaitMs: number,
  ): Promise<FetchResponse> {
    const partitionMaxBytes = this.#options.partitionMaxBytes ?? 256 * 1024;
    const request = fetchRequest(
      {
        replicaId: -1,
        isolationLevel: this.#isolationLevel,
        maxWaitTime: maxWaitMs,
        minBytes: 1,
        maxBytes: this.#options.maxBytes ?? 16 * 1024 * 1024,
        topics: [
          {
            topic: this.topic,
            partitions: [...partitions].map(([partition, offset]) => ({
              partition,
              fetchOffset: offset.toString(),
              maxBytes: partitionMaxBytes,
            })),
          },
        ],
      },
      maxWaitMs + this.#requestTimeoutMs,
    );
    try {
      const response = await broker.connectionPool.send(request);
      if (response.errorCode !== 0) throw failureOfCode(response.errorCode).cause;
      return response;
    } catch (error) {
      // As kafkajs' Broker does: a closed connection is dropped, the next request reconnects.
      if (error instanceof Error && error.name === 'KafkaJSConnectionClosedError') {
        void broker.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  /** The records and next positions a fetch response yields. */
  async #collect(
    cluster: InternalCluster,
    broker: InternalBroker,
    requested: ReadonlyMap<number, bigint>,
    response: FetchResponse,
  ): Promise<{ records: FetchedRecord[]; positions: Map<number, bigint> }> {
    const records: FetchedRecord[] = [];
    const positions = new Map<number, bigint>();
    const outOfRange: number[] = [];
    const empty: number[] = [];
    for (const data of response.partitions) {
      const fetchOffset = requested.get(data.partition);
      if (data.topic !== this.topic || fetchOffset === undefined) continue;
      if (data.errorCode === OFFSET_OUT_OF_RANGE) {
        outOfRange.push(data.partition);
        continue;
      }
      if (data.errorCode !== 0) throw failureOfCode(data.errorCode).cause;
      const result = partitionRecords(data, fetchOffset, this.#isReadCommitted());
      if (result.nextOffset !== undefined && result.nextOffset > fetchOffset) {
        records.push(...result.records);
        positions.set(data.partition, result.nextOffset);
      } else if (data.recordSetBytes === 0 && this.#end(data) > fetchOffset) {
        empty.push(data.partition);
      }
    }
    for (const partition of empty) {
      const fetchOffset = requested.get(partition);
      if (fetchOffset === undefined) continue;
      const next = await this.#probe(broker, partition, fetchOffset, records);
      if (next !== undefined) positions.set(partition, next);
    }
    if (outOfRange.length > 0) {
      for (const [partition, offset] of await this.#outOfRange(cluster, outOfRange, requested)) {
        positions.set(partition, offset);
      }
    }
    return { records, positions };
  }

  /**
   * A partition that sent nothing although its end is past the position. Either the response's
   * size budget ran out before it (KIP-74 guarantees a batch only to the first partition that
   * has data), or the log holds no batch in between (the cleaner removed a tail of tombstones).
   * Asked alone it gets that guarantee: if it still sends nothing, there is nothing to read
   * before the end, and the position moves there.
   */
  async #probe(
    broker: InternalBroker,
    partition: number,
    fetchOffset: bigint,
    records: FetchedRecord[],
  ): Promise<bigint | undefined> {
    const response = await this.#fetch(broker, new Map([[partition, fetchOffset]]), 0);
    const data = response.partitions.find(
      (entry) => entry.topic === this.topic && entry.partition === partition,
    );
    if (data === undefined || data.errorCode !== 0) return undefined;
    const result = partitionRecords(data, fetchOffset, this.#isReadCommitted());
    if (result.nextOffset !== undefined && result.nextOffset > fetchOffset) {
      records.push(...result.records);
      return result.nextOffset;
    }
    const end = this.#end(data);
    if (data.recordSetBytes === 0 && end > fetchOffset) {
      this.#log.debug('reader', `${this.topic}/${partition}: no records in ${fetchOffset}..${end}`);
      return end;
    }
    return undefined;
  }

  /**
   * OFFSET_OUT_OF_RANGE: the position is before the log start (retention deleted records) or
   * after the end (the topic was recreated, or an unclean election truncated it). Like the Java
   * consumer with auto.offset.reset, continue at the log start or the end; warn, since records
   * were lost or the topic is not the one the positions came from.
   */
  async #outOfRange(
    cluster: InternalCluster,
    partitions: readonly number[],
    requested: ReadonlyMap<number, bigint>,
  ): Promise<Map<number, bigint>> {
    const metadata = cluster
      .findTopicPartitionMetadata(this.topic)
      .filter(({ partitionId }) => partitions.includes(partitionId));
    const [earliest, latest] = await Promise.all([
      listOffsets(cluster, this.topic, metadata, 'earliest', this.#isolationLevel),
      listOffsets(cluster, this.topic, metadata, 'latest', this.#isolationLevel),
    ]);
    const positions = new Map<number, bigint>();
    for (const partition of partitions) {
      const position = requested.get(partition);
      const start = earliest.get(partition);
      const end = latest.get(partition);
      if (position === undefined || start === undefined || end === undefined) continue;
      const next = position < start ? start : position > end ? end : position;
      if (next === position) continue;
      this.#log.warn('reader', `${this.topic}/${partition}: offset ${position} is out of range`, {
        start: start.toString(),
        end: end.toString(),
        continueAt: next.toString(),
      });
      positions.set(partition, next);
    }
    return positions;
  }

  /** Serialised: hands records over, then moves positions; never after stop(). */
  #deliver(
    records: readonly FetchedRecord[],
    positions: ReadonlyMap<number, bigint>,
  ): Promise<void> {
    const delivery = this.#delivering.then(async () => {
      if (this.#stop.signal.aborted) return;
      if (records.length > 0) {
        try {
          await this.#options.onRecords(records);
        } catch (error) {
          this.#stop.abort();
          throw new DeliveryFailed(error);
        }
      }
      for (const [partition, offset] of positions) this.#positions.set(partition, offset);
      this.#checkCaughtUp();
    });
    this.#delivering = delivery.catch(() => undefined);
    return delivery;
  }

  #checkCaughtUp(): void {
    const targets = this.#targets;
    if (this.#isCaughtUp || targets === undefined) return;
    for (const [partition, target] of targets) {
      if ((this.#positions.get(partition) ?? -1n) < target) return;
    }
    this.#isCaughtUp = true;
    this.#resolveCaughtUp();
  }

  #setState(state: ReaderState, reason?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    if (state === 'disconnected') {
      this.#log.warn('reader', `${this.topic}: disconnected, retrying: ${reason ?? ''}`);
    } else {
      this.#log.info('reader', `${this.topic}: connected`);
    }
    try {
      this.#options.onStateChange?.(state);
    } catch (error) {
      this.#log.error('reader', `${this.topic}: onStateChange threw`, { error });
    }
  }

  #isReadCommitted(): boolean {
    return this.#isolationLevel === READ_COMMITTED;
  }

  /** How far a fetch at this isolation level can read. */
  #end(data: FetchedPartition): bigint {
    return this.#isReadCommitted() ? data.lastStableOffset : data.highWatermark;
  }
}

/** Partitions and leaders, to notice a change. */
function describe(partitions: readonly PartitionMetadata[]): string {
  return partitions.map(({ partitionId, leader }) => `${partitionId}:${leader}`).join(',');
}
