/**
 * Fetch v11 (Kafka 2.3+) with a response decoder that keeps every record batch's header. kafkajs'
 * own decoder returns only records, so a batch that compaction emptied (the cleaner keeps the
 * header of a producer's last batch) or a batch of only aborted records leaves no trace, and a
 * reader cannot tell how far the fetch got. With the headers it continues after the last batch,
 * as the Java consumer does (`nextOffset = lastOffset + 1`).
 */
import { KafkaError } from './errors.ts';
import { internals, type FetchRequestArgs, type ProtocolRequest } from './internals.ts';
import { decodeRecordBatch, noHeaders, type BatchRecord } from './record-batch.ts';
import type { KafkaRecord } from './types.ts';

export interface FetchedBatch {
  readonly firstOffset: bigint;
  /** firstOffset + lastOffsetDelta: the batch's last offset, even when compaction emptied it. */
  readonly lastOffset: bigint;
  /** '-1' unless an idempotent or transactional producer wrote it. */
  readonly producerId: string;
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  readonly records: readonly BatchRecord[];
}

export interface FetchedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly abortedTransactions: readonly { producerId: string; firstOffset: bigint }[];
  /** Size of the record set the broker sent (0: none, not even a partial batch). */
  readonly recordSetBytes: number;
  /** Complete batches only; a batch cut off by the size limit is dropped, and fetched again. */
  readonly batches: readonly FetchedBatch[];
}

export interface FetchResponse {
  /** Top-level error (fetch sessions); 0 when none. */
  readonly errorCode: number;
  /** KIP-219: the connection waits this long before its next request. */
  readonly clientSideThrottleTime: number;
  /** In the broker's order, which is the request's order. */
  readonly partitions: readonly FetchedPartition[];
}

/** A record as delivered by the reader, with what the batch header says about its writer. */
export interface FetchedRecord extends KafkaRecord {
  /** The writer's producer id; '-1' unless it was idempotent or transactional. */
  readonly producerId: string;
}

export const FETCH_VERSION = 11;

export function fetchRequest(
  args: FetchRequestArgs,
  requestTimeoutMs: number,
): ProtocolRequest<FetchResponse> {
  const { request } = internals.fetchRequest(FETCH_VERSION)(args);
  return {
    request,
    response: { decode: decodeFetchResponse, parse: async (decoded) => decoded },
    requestTimeout: requestTimeoutMs,
    logResponseError: false,
  };
}

/**
 * Fetch Response v11: throttle_time_ms error_code session_id [topic [partition error_code
 * high_watermark last_stable_offset log_start_offset [aborted_transactions] preferred_read_replica
 * records]]. https://kafka.apache.org/protocol#The_Messages_Fetch
 */
export async function decodeFetchResponse(raw: Buffer): Promise<FetchResponse> {
  const reader = new ByteReader(raw);
  const clientSideThrottleTime = reader.int32();
  const errorCode = reader.int16();
  reader.int32(); // session_id
  const partitions: FetchedPartition[] = [];
  for (let t = reader.int32(); t > 0; t--) {
    const topic = reader.string();
    for (let p = reader.int32(); p > 0; p--) {
      const partition = reader.int32();
      const partitionError = reader.int16();
      const highWatermark = reader.int64();
      const lastStableOffset = reader.int64();
      const logStartOffset = reader.int64();
      const abortedTransactions: { producerId: string; firstOffset: bigint }[] = [];
      for (let a = reader.int32(); a > 0; a--) {
        const producerId = reader.int64().toString();
        abortedTransactions.push({ producerId, firstOffset: reader.int64() });
      }
      reader.int32(); // preferred_read_replica
      const size = reader.int32();
      const records = size > 0 ? reader.bytes(size) : Buffer.alloc(0);
      partitions.push({
        topic,
        partition,
        errorCode: partitionError,
        highWatermark,
        lastStableOffset,
        logStartOffset,
        abortedTransactions,
        recordSetBytes: records.length,
        batches: await decodeBatches(records),
      });
    }
  }
  return { errorCode, clientSideThrottleTime, partitions };
}

/** baseOffset (8) + batchLength (4): the part of a batch header outside `batchLength`. */
const LOG_OVERHEAD = 12;
/** Where the magic byte sits: after baseOffset, batchLength and partitionLeaderEpoch. */
const MAGIC_AT = 16;

async function decodeBatches(records: Buffer): Promise<FetchedBatch[]> {
  const batches: FetchedBatch[] = [];
  let at = 0;
  while (records.length - at > MAGIC_AT) {
    const length = records.readInt32BE(at + 8);
    // The size limit can cut the last batch short; it comes again in the next fetch.
    if (records.length - at - LOG_OVERHEAD < length) break;
    const magic = records.readInt8(at + MAGIC_AT);
    if (magic !== 2) {
      throw new KafkaError(
        'KAFKA_ERROR',
        `Record batch with magic ${magic}: only message format v2 (Kafka 0.11+) is supported`,
      );
    }
    const end = at + LOG_OVERHEAD + length;
    const decoded = await decodeRecordBatch(records.subarray(at, end));
    const { firstOffset } = decoded;
    batches.push({
      firstOffset,
      lastOffset: firstOffset + BigInt(decoded.lastOffsetDelta),
      producerId: decoded.producerId,
      inTransaction: decoded.inTransaction,
      isControlBatch: decoded.isControlBatch,
      records: decoded.records,
    });
    at = end;
  }
  return batches;
}

export interface PartitionRecords {
  readonly records: FetchedRecord[];
  /** After the last complete batch at or past the fetch offset; undefined when there was none. */
  readonly nextOffset: bigint | undefined;
}

/**
 * The records of one fetched partition from `fetchOffset` on, as the Java consumer filters them
 * (CompletedFetch): records before the fetch offset (a batch is returned whole) are dropped;
 * with read_committed, batches of aborted transactions are dropped (a transaction is aborted
 * from its first offset in `abortedTransactions` to its ABORT marker); control batches are
 * never delivered.
 */
export function partitionRecords(
  data: FetchedPartition,
  fetchOffset: bigint,
  readCommitted: boolean,
): PartitionRecords {
  const aborted = [...data.abortedTransactions].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
  );
  const abortedProducers = new Set<string>();
  const records: FetchedRecord[] = [];
  let nextOffset: bigint | undefined;
  for (const batch of data.batches) {
    if (batch.lastOffset < fetchOffset) continue;
    const after = batch.lastOffset + 1n;
    if (nextOffset === undefined || after > nextOffset) nextOffset = after;
    if (readCommitted && batch.producerId !== '-1') {
      for (let next = aborted[0]; next !== undefined; next = aborted[0]) {
        if (next.firstOffset > batch.lastOffset) break;
        abortedProducers.add(next.producerId);
        aborted.shift();
      }
      if (batch.isControlBatch) {
        if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (batch.inTransaction && abortedProducers.has(batch.producerId)) continue;
    }
    if (batch.isControlBatch) continue;
    // A batch is returned whole: skip the records before the fetch offset.
    const skipBelow = batch.firstOffset < fetchOffset ? Number(fetchOffset - batch.firstOffset) : 0;
    for (const record of batch.records) {
      if (record.offsetDelta < skipBelow) continue;
      records.push(toRecord(data.topic, data.partition, batch.producerId, record));
    }
  }
  return { records, nextOffset };
}

/** A control record's key is version (int16) then type (int16); type 0 is ABORT, 1 COMMIT. */
function isAbortMarker(batch: FetchedBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

/** Shared by every record without headers. */
const noTextHeaders: Readonly<Record<string, string>> = Object.freeze({});
const noHeaderEntries: readonly (readonly [string, string])[] = Object.freeze([]);

function toRecord(
  topic: string,
  partition: number,
  producerId: string,
  record: BatchRecord,
): FetchedRecord {
  const { headers, headerEntries } =
    record.headers === noHeaders
      ? { headers: noTextHeaders, headerEntries: noHeaderEntries }
      : textHeaders(record.headers);
  return {
    topic,
    partition,
    offset: record.offset,
    // Copies: a slice would keep the whole fetch response alive as long as a view keeps a value.
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    headers,
    headerEntries,
    timestamp: record.timestamp,
    producerId,
  };
}

function textHeaders(grouped: Readonly<Record<string, Buffer | Buffer[]>>): {
  headers: Readonly<Record<string, string>>;
  headerEntries: readonly (readonly [string, string])[];
} {
  const headers: Record<string, string> = {};
  const headerEntries: (readonly [string, string])[] = [];
  for (const [name, raw] of Object.entries(grouped)) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const text = value.toString('utf8');
      headerEntries.push([name, text]);
      if (!Object.hasOwn(headers, name)) {
        Object.defineProperty(headers, name, { value: text, enumerable: true, writable: true });
      }
    }
  }
  return { headers, headerEntries };
}

/** Big-endian reads over a response buffer. */
class ByteReader {
  #at = 0;
  readonly #buffer: Buffer;

  constructor(buffer: Buffer) {
    this.#buffer = buffer;
  }

  int16(): number {
    const value = this.#buffer.readInt16BE(this.#at);
    this.#at += 2;
    return value;
  }

  int32(): number {
    const value = this.#buffer.readInt32BE(this.#at);
    this.#at += 4;
    return value;
  }

  int64(): bigint {
    const value = this.#buffer.readBigInt64BE(this.#at);
    this.#at += 8;
    return value;
  }

  string(): string {
    const length = this.int16();
    if (length < 0) return '';
    return this.bytes(length).toString('utf8');
  }

  bytes(length: number): Buffer {
    if (this.#at + length > this.#buffer.length) {
      throw new KafkaError('KAFKA_ERROR', 'Fetch response shorter than its sizes say');
    }
    const value = this.#buffer.subarray(this.#at, this.#at + length);
    this.#at += length;
    return value;
  }
}
