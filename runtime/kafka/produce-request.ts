/**
 * Produce requests (v3–v8: their request bodies are the same) with the record batches written
 * here in one buffer: the size worked out first, then one pass, and the batch's CRC-32C by
 * slicing-by-8. kafkajs's encoder allocates several growable encoders per record and copies each
 * into the next (a profile of bench B1 put a sixth of the gateway's CPU there). The response is
 * still decoded by kafkajs.
 * https://kafka.apache.org/protocol#The_Messages_Produce, https://kafka.apache.org/documentation/#recordbatch
 */
import {
  internals,
  type EncodableRequest,
  type ProduceRequestArgs,
  type ProduceResponse,
  type ResponseDecoder,
} from './internals.ts';

type Message = ProduceRequestArgs['topicData'][number]['partitions'][number]['messages'][number];

/** What kafkajs's connection takes: `encode()` gives something with a `buf` and a `buffer`. */
export interface ProduceRequest extends EncodableRequest {
  readonly expectResponse: () => boolean;
  encode(): Promise<{ readonly buf: Buffer; readonly buffer: Buffer }>;
}

const PRODUCE_API_KEY = 0;
/** baseOffset … recordCount. */
const BATCH_HEADER_BYTES = 61;
/** Where the CRC-32C'd part of a batch starts (attributes). */
const CRC_FROM = 21;

export function produceRequest(version: number, args: ProduceRequestArgs): ProduceRequest {
  return {
    apiKey: PRODUCE_API_KEY,
    apiVersion: version,
    apiName: 'Produce',
    expectResponse: () => args.acks !== 0,
    encode: async () => {
      const buffer = encodeProduceBody(args);
      return { buf: buffer, buffer };
    },
  };
}

const responseDecoders = new Map<number, ResponseDecoder<ProduceResponse>>();

/** kafkajs's decoder of the version's response. */
export function produceResponseDecoder(version: number): ResponseDecoder<ProduceResponse> {
  let decoder = responseDecoders.get(version);
  if (decoder === undefined) {
    decoder = internals.produceRequest(version)({
      acks: -1,
      timeout: 0,
      producerId: '-1',
      producerEpoch: 0,
      topicData: [],
    }).response;
    responseDecoders.set(version, decoder);
  }
  return decoder;
}

/**
 * transactional_id (null) acks timeout [topic [partition records]]: the records of each
 * partition are one record batch v2, uncompressed, idempotent (producer id, epoch, sequence).
 */
function encodeProduceBody(args: ProduceRequestArgs): Buffer {
  const timestamp = Date.now();
  const encoded = args.topicData.map(({ topic, partitions }) => ({
    topic: Buffer.from(topic, 'utf8'),
    partitions: partitions.map((partition) => ({
      partition: partition.partition,
      batch: encodeBatch(args, partition.firstSequence, partition.messages, timestamp),
    })),
  }));
  let size = 2 + 2 + 4 + 4;
  for (const { topic, partitions } of encoded) {
    size += 2 + topic.length + 4;
    for (const { batch } of partitions) size += 4 + 4 + batch.length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.writeInt16BE(-1, 0); // transactional_id: null
  at = out.writeInt16BE(args.acks, at);
  at = out.writeInt32BE(args.timeout, at);
  at = out.writeInt32BE(encoded.length, at);
  for (const { topic, partitions } of encoded) {
    at = out.writeInt16BE(topic.length, at);
    at += topic.copy(out, at);
    at = out.writeInt32BE(partitions.length, at);
    for (const { partition, batch } of partitions) {
      at = out.writeInt32BE(partition, at);
      at = out.writeInt32BE(batch.length, at);
      at += batch.copy(out, at);
    }
  }
  return out;
}

interface HeaderBytes {
  readonly name: string;
  readonly nameBytes: number;
  readonly value: string;
  readonly valueBytes: number;
}

/** One record batch v2 holding `messages`, offsets 0…n-1 (the broker assigns the real ones). */
export function encodeBatch(
  args: Pick<ProduceRequestArgs, 'producerId' | 'producerEpoch'>,
  firstSequence: number,
  messages: readonly Message[],
  now: number = Date.now(),
): Buffer {
  const baseTimestamp = messages[0]?.timestamp ?? now;
  let maxTimestamp = baseTimestamp;
  // Sizes first: every record's body, and the header bytes it needs.
  const bodies: number[] = [];
  const headerLists: (readonly HeaderBytes[])[] = [];
  let size = BATCH_HEADER_BYTES;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Message;
    const timestamp = message.timestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const headers = headerBytes(message.headers);
    let body =
      1 + // attributes
      varlongSize(timestamp - baseTimestamp) +
      varintSize(i) +
      bytesSize(message.key) +
      bytesSize(message.value) +
      varintSize(headers.length);
    for (const header of headers) {
      body +=
        varintSize(header.nameBytes) +
        header.nameBytes +
        varintSize(header.valueBytes) +
        header.valueBytes;
    }
    bodies.push(body);
    headerLists.push(headers);
    size += varintSize(body) + body;
  }

  const out = Buffer.allocUnsafe(size);
  out.writeBigInt64BE(0n, 0); // baseOffset
  out.writeInt32BE(size - 12, 8); // batchLength: what follows it
  out.writeInt32BE(-1, 12); // partitionLeaderEpoch
  out.writeInt8(2, 16); // magic
  out.writeInt16BE(0, 21); // attributes: no compression, create time, not transactional
  out.writeInt32BE(messages.length - 1, 23); // lastOffsetDelta
  out.writeBigInt64BE(BigInt(baseTimestamp), 27);
  out.writeBigInt64BE(BigInt(maxTimestamp), 35);
  out.writeBigInt64BE(BigInt(args.producerId), 43);
  out.writeInt16BE(args.producerEpoch, 51);
  out.writeInt32BE(firstSequence, 53);
  out.writeInt32BE(messages.length, 57);
  let at = BATCH_HEADER_BYTES;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Message;
    at = writeVarint(out, at, bodies[i] ?? 0);
    out[at++] = 0; // attributes
    at = writeVarlong(out, at, message.timestamp - baseTimestamp);
    at = writeVarint(out, at, i);
    at = writeBytes(out, at, message.key);
    at = writeBytes(out, at, message.value);
    const headers = headerLists[i] ?? [];
    at = writeVarint(out, at, headers.length);
    for (const header of headers) {
      at = writeVarint(out, at, header.nameBytes);
      at += out.write(header.name, at, 'utf8');
      at = writeVarint(out, at, header.valueBytes);
      at += out.write(header.value, at, 'utf8');
    }
  }
  out.writeUInt32BE(crc32c(out, CRC_FROM, size), 17);
  return out;
}

/** A name with several values is that many headers, in order (as kafkajs writes them). */
function headerBytes(headers: Message['headers']): HeaderBytes[] {
  const list: HeaderBytes[] = [];
  for (const name of Object.keys(headers)) {
    const values = headers[name];
    if (values === undefined) continue;
    const nameBytes = Buffer.byteLength(name, 'utf8');
    for (const value of typeof values === 'string' ? [values] : values) {
      list.push({ name, nameBytes, value, valueBytes: Buffer.byteLength(value, 'utf8') });
    }
  }
  return list;
}

function bytesSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : varintSize(bytes.length) + bytes.length;
}

function writeBytes(out: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(out, at, -1);
  const after = writeVarint(out, at, bytes.length);
  return after + bytes.copy(out, after);
}

/** Zig-zag varint of a 32-bit signed value. */
function varintSize(value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (zigzag >= 0x80) {
    zigzag >>>= 7;
    size++;
  }
  return size;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  while (zigzag >= 0x80) {
    out[at++] = (zigzag & 0x7f) | 0x80;
    zigzag >>>= 7;
  }
  out[at++] = zigzag;
  return at;
}

/** Zig-zag varint of a signed integer up to 2^52 in size (a timestamp delta). */
function zigzagLong(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function varlongSize(value: number): number {
  let zigzag = zigzagLong(value);
  let size = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 128);
    size++;
  }
  return size;
}

function writeVarlong(out: Buffer, at: number, value: number): number {
  let zigzag = zigzagLong(value);
  while (zigzag >= 0x80) {
    out[at++] = (zigzag % 128) | 0x80;
    zigzag = Math.floor(zigzag / 128);
  }
  out[at++] = zigzag;
  return at;
}

/** CRC-32C (Castagnoli) tables for slicing-by-8. */
const crcTables: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const first = tables[0] as Uint32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    first[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = first[n] as number;
    for (let t = 1; t < 8; t++) {
      c = (first[c & 0xff] as number) ^ (c >>> 8);
      (tables[t] as Uint32Array)[n] = c >>> 0;
    }
  }
  return tables;
})();

/** CRC-32C of `bytes[from, to)`, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = crcTables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let crc = 0xffffffff;
  let at = from;
  for (; at + 8 <= to; at += 8) {
    const low =
      crc ^
      ((bytes[at] as number) |
        ((bytes[at + 1] as number) << 8) |
        ((bytes[at + 2] as number) << 16) |
        ((bytes[at + 3] as number) << 24));
    crc =
      (t7[low & 0xff] as number) ^
      (t6[(low >>> 8) & 0xff] as number) ^
      (t5[(low >>> 16) & 0xff] as number) ^
      (t4[low >>> 24] as number) ^
      (t3[bytes[at + 4] as number] as number) ^
      (t2[bytes[at + 5] as number] as number) ^
      (t1[bytes[at + 6] as number] as number) ^
      (t0[bytes[at + 7] as number] as number);
  }
  for (; at < to; at++) crc = (t0[(crc ^ (bytes[at] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
