/**
 * Record batch v2 (message format of Kafka 0.11+) decoding for the reader. An uncompressed batch
 * — what the gateway, the runtime's producers and most writers send — is read here in one pass
 * with plain numbers (no Long objects, no per-record decoder, no object spread per header); a
 * compressed one goes to kafkajs, which has the codecs. Both give the same records.
 * https://kafka.apache.org/documentation/#recordbatch
 */
import { KafkaError } from './errors.ts';
import { internals, type DecodedRecord, type DecodedRecordBatch } from './internals.ts';

/** One record of a batch. `headers` groups a repeated name's values, as kafkajs does. */
export interface BatchRecord {
  /** Int64 as a decimal string. */
  readonly offset: string;
  /** The batch's first offset plus this: the record's offset. */
  readonly offsetDelta: number;
  readonly timestamp: number;
  /** Slices of the fetch response: copy what outlives it. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | Buffer[]>>;
}

export interface DecodedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  /** '-1' unless an idempotent or transactional producer wrote it. */
  readonly producerId: string;
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  readonly records: readonly BatchRecord[];
}

/** Shared by every record without headers (most of them). */
export const noHeaders: Readonly<Record<string, Buffer | Buffer[]>> = Object.freeze({});

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;
const TRANSACTIONAL_MASK = 0x10;
const CONTROL_MASK = 0x20;
/** Header bytes before the records: baseOffset … recordCount. */
const RECORDS_AT = 61;

/** One whole batch (its 12-byte log overhead included), magic 2. */
export async function decodeRecordBatch(batch: Buffer): Promise<DecodedBatch> {
  const attributes = batch.readInt16BE(21);
  if ((attributes & COMPRESSION_MASK) !== 0) return fromKafkajs(batch);
  const firstOffset = batch.readBigInt64BE(0);
  const lastOffsetDelta = batch.readInt32BE(23);
  const producerId = batch.readBigInt64BE(43);
  const logAppendTime = (attributes & TIMESTAMP_TYPE_MASK) !== 0;
  const baseTimestamp = Number(batch.readBigInt64BE(27));
  const maxTimestamp = Number(batch.readBigInt64BE(35));
  const count = batch.readInt32BE(57);
  // Offsets fit a double in practice; past 2^53 the strings are made exactly, with BigInt.
  const base = Number(firstOffset);
  // base + any int32 delta stays exact.
  const exact = base <= Number.MAX_SAFE_INTEGER - 2 ** 31;
  const reader = new VarintReader(batch, RECORDS_AT);
  const records: BatchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.varint();
    const end = reader.at + length;
    if (length < 0 || end > batch.length) {
      throw new KafkaError('KAFKA_ERROR', 'Record batch shorter than its records say');
    }
    reader.at++; // attributes (unused)
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const key = reader.bytes();
    const value = reader.bytes();
    const headerCount = reader.varint();
    let headers = noHeaders;
    if (headerCount > 0) {
      const grouped: Record<string, Buffer | Buffer[]> = {};
      for (let h = 0; h < headerCount; h++) {
        const name = reader.text();
        const headerValue = reader.bytes() ?? Buffer.alloc(0);
        const existing = Object.hasOwn(grouped, name) ? grouped[name] : undefined;
        if (Array.isArray(existing)) existing.push(headerValue);
        else {
          const next = existing === undefined ? headerValue : [existing, headerValue];
          // defineProperty: a header named `__proto__` is a header, not a prototype.
          Object.defineProperty(grouped, name, { value: next, enumerable: true, writable: true });
        }
      }
      headers = grouped;
    }
    reader.at = end;
    records.push({
      offset: exact ? String(base + offsetDelta) : String(firstOffset + BigInt(offsetDelta)),
      offsetDelta,
      timestamp: logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return {
    firstOffset,
    lastOffsetDelta,
    producerId: producerId.toString(),
    inTransaction: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControlBatch: (attributes & CONTROL_MASK) !== 0,
    records,
  };
}

/** A compressed batch, through kafkajs's decoder and codecs. */
async function fromKafkajs(batch: Buffer): Promise<DecodedBatch> {
  const decoded: DecodedRecordBatch = await internals.decodeRecordBatch(
    new internals.Decoder(batch),
  );
  const firstOffset = BigInt(decoded.firstOffset);
  return {
    firstOffset,
    lastOffsetDelta: decoded.lastOffsetDelta,
    producerId: decoded.producerId,
    inTransaction: decoded.inTransaction,
    isControlBatch: decoded.isControlBatch,
    records: decoded.records.map((record: DecodedRecord) => ({
      offset: record.offset,
      offsetDelta: Number(BigInt(record.offset) - firstOffset),
      timestamp: Number(record.timestamp),
      key: record.key,
      value: record.value,
      headers: record.headers,
    })),
  };
}

/** Zig-zag varints (protobuf style) over a batch. */
class VarintReader {
  at: number;
  readonly #buffer: Buffer;

  constructor(buffer: Buffer, at: number) {
    this.#buffer = buffer;
    this.at = at;
  }

  /** A signed varint of up to 32 bits. */
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.#byte();
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new KafkaError('KAFKA_ERROR', 'Record batch: varint too long');
    }
    return (result >>> 1) ^ -(result & 1);
  }

  /** A signed varint of up to 64 bits, as a double (exact up to 2^53). */
  varlong(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const byte = this.#byte();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
      if (i >= 9) throw new KafkaError('KAFKA_ERROR', 'Record batch: varlong too long');
    }
    // Zig-zag: even → n/2, odd → -(n+1)/2.
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  /** varint length, then that many bytes; -1 is null. */
  bytes(): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    const end = this.at + length;
    if (end > this.#buffer.length) {
      throw new KafkaError('KAFKA_ERROR', 'Record batch shorter than a record says');
    }
    const value = this.#buffer.subarray(this.at, end);
    this.at = end;
    return value;
  }

  text(): string {
    return (this.bytes() ?? Buffer.alloc(0)).toString('utf8');
  }

  #byte(): number {
    if (this.at >= this.#buffer.length) {
      throw new KafkaError('KAFKA_ERROR', 'Record batch shorter than a record says');
    }
    return this.#buffer[this.at++] ?? 0;
  }
}
