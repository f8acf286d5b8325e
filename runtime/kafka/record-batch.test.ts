/**
 * The reader's own record batch decoder reads every batch as kafkajs's decoder does: random
 * batches written by kafkajs's encoder (uncompressed, read here; gzip, handed to kafkajs) give
 * the same offsets, timestamps, keys, values and headers.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internals, type DecodedRecordBatch } from './internals.ts';
import { decodeRecordBatch } from './record-batch.ts';

interface LongValue {
  toString(): string;
}
interface KafkajsEncoder {
  readonly buffer: Buffer;
}
interface EncodeRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (batch: {
    compression: number;
    firstOffset: LongValue;
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
    transactional: boolean;
    producerId: LongValue;
    records: KafkajsEncoder[];
  }) => Promise<KafkajsEncoder>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  record: EncodeRecord,
) => KafkajsEncoder;
const Long = require('kafkajs/src/utils/long.js') as { fromString(text: string): LongValue };
const GZIP = 1;

const bytes = fc.uint8Array({ maxLength: 40 }).map((array) => Buffer.from(array));
const header = fc.tuple(fc.constantFrom<string>('a', 'b', 'tag', 'é'), bytes);
const record = fc.record({
  gap: fc.integer({ min: 1, max: 1000 }),
  timestampDelta: fc.integer({ min: -1_000_000, max: 10_000_000_000 }),
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.array(header, { maxLength: 4 }),
});
const batch = fc.record({
  firstOffset: fc.oneof(
    fc.bigInt({ min: 0n, max: 1_000_000n }),
    fc.bigInt({ min: 2n ** 53n - 5n, max: 2n ** 62n }),
  ),
  firstTimestamp: fc.integer({ min: 0, max: 2_000_000_000_000 }),
  transactional: fc.boolean(),
  producerId: fc.bigInt({ min: -1n, max: 2n ** 40n }),
  records: fc.array(record, { maxLength: 20 }),
  compression: fc.constantFrom(0, GZIP),
});

async function encode(input: typeof batch extends fc.Arbitrary<infer T> ? T : never) {
  let offsetDelta = -1;
  const records = input.records.map((r) => {
    offsetDelta += r.gap;
    const headers: Record<string, Buffer | Buffer[]> = {};
    for (const [name, value] of r.headers) {
      const existing = Object.hasOwn(headers, name) ? headers[name] : undefined;
      const next =
        existing === undefined
          ? value
          : Array.isArray(existing)
            ? [...existing, value]
            : [existing, value];
      Object.defineProperty(headers, name, { value: next, enumerable: true, writable: true });
    }
    return Record({
      offsetDelta,
      timestampDelta: r.timestampDelta,
      key: r.key,
      value: r.value,
      headers,
    });
  });
  const encoded = await RecordBatch({
    compression: input.compression,
    firstOffset: Long.fromString(input.firstOffset.toString()),
    firstTimestamp: input.firstTimestamp,
    maxTimestamp: input.firstTimestamp,
    lastOffsetDelta: Math.max(0, offsetDelta),
    transactional: input.transactional,
    producerId: Long.fromString(input.producerId.toString()),
    records,
  });
  return encoded.buffer;
}

describe('decodeRecordBatch', () => {
  it('reads every batch as kafkajs does', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (input) => {
        const buffer = await encode(input);
        const ours = await decodeRecordBatch(buffer);
        const theirs: DecodedRecordBatch = await internals.decodeRecordBatch(
          new internals.Decoder(buffer),
        );
        expect(ours.firstOffset).toBe(BigInt(theirs.firstOffset));
        expect(ours.lastOffsetDelta).toBe(theirs.lastOffsetDelta);
        expect(ours.producerId).toBe(theirs.producerId);
        expect(ours.inTransaction).toBe(theirs.inTransaction);
        expect(ours.isControlBatch).toBe(theirs.isControlBatch);
        expect(ours.records.length).toBe(input.records.length);
        ours.records.forEach((mine, index) => {
          const other = theirs.records[index];
          expect(other).toBeDefined();
          if (other === undefined) return;
          expect(mine.offset).toBe(other.offset);
          expect(BigInt(mine.offset) - ours.firstOffset).toBe(BigInt(mine.offsetDelta));
          expect(mine.timestamp).toBe(Number(other.timestamp));
          expect(mine.key).toEqual(other.key);
          expect(mine.value).toEqual(other.value);
          expect(mine.headers).toEqual(other.headers);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a header named __proto__ as a header (kafkajs loses it)', async () => {
    const buffer = await encode({
      firstOffset: 7n,
      firstTimestamp: 0,
      transactional: false,
      producerId: -1n,
      compression: 0,
      records: [
        {
          gap: 1,
          timestampDelta: 0,
          key: null,
          value: null,
          headers: [
            ['__proto__', Buffer.from('x')],
            ['__proto__', Buffer.from('y')],
          ],
        },
      ],
    });
    const [only] = (await decodeRecordBatch(buffer)).records;
    expect(only?.offset).toBe('7');
    expect(Object.hasOwn(only?.headers ?? {}, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(only?.headers, '__proto__')?.value).toEqual([
      Buffer.from('x'),
      Buffer.from('y'),
    ]);
  });

  it('refuses a batch whose records run past its end', async () => {
    const buffer = await encode({
      firstOffset: 0n,
      firstTimestamp: 0,
      transactional: false,
      producerId: -1n,
      compression: 0,
      records: [{ gap: 1, timestampDelta: 0, key: null, value: Buffer.alloc(30), headers: [] }],
    });
    await expect(decodeRecordBatch(buffer.subarray(0, buffer.length - 10))).rejects.toMatchObject({
      code: 'KAFKA_ERROR',
    });
  });
});
