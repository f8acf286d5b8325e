/**
 * The produce encoder's record batches read back as written — by the reader's decoder and by
 * kafkajs's — and its CRC-32C is the one kafkajs (and the broker) computes. The broker itself
 * checks every batch in producer.test.ts and the end-to-end tests.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internals, type DecodedRecordBatch } from './internals.ts';
import { crc32c, encodeBatch } from './produce-request.ts';
import { decodeRecordBatch } from './record-batch.ts';

const require = createRequire(import.meta.url);
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (
  buffer: Buffer,
) => number;

const text = fc.string({ maxLength: 12, unit: 'grapheme' });
const message = fc.record({
  key: fc.option(
    fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)),
    { nil: null },
  ),
  value: fc.option(
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    { nil: null },
  ),
  headers: fc.dictionary(text, fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })), {
    maxKeys: 3,
  }),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
});

describe('encodeBatch', () => {
  it('writes batches that both decoders read back as written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 30 }),
        fc.bigInt({ min: 0n, max: 2n ** 50n }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (messages, producerId, firstSequence) => {
          const batch = encodeBatch(
            { producerId: producerId.toString(), producerEpoch: 3 },
            firstSequence,
            messages,
          );
          expect(batch.readUInt32BE(17)).toBe(kafkajsCrc32c(batch.subarray(21)));
          const ours = await decodeRecordBatch(batch);
          const theirs: DecodedRecordBatch = await internals.decodeRecordBatch(
            new internals.Decoder(batch),
          );
          expect(ours.producerId).toBe(producerId.toString());
          expect(theirs.producerId).toBe(producerId.toString());
          expect(ours.lastOffsetDelta).toBe(messages.length - 1);
          expect(batch.readInt32BE(53)).toBe(firstSequence);
          messages.forEach((sent, index) => {
            const read = ours.records[index];
            const other = theirs.records[index];
            expect(read?.offset).toBe(String(index));
            expect(other?.offset).toBe(String(index));
            expect(read?.timestamp).toBe(sent.timestamp);
            expect(read?.key).toEqual(sent.key);
            expect(other?.value).toEqual(sent.value);
            expect(read?.value).toEqual(sent.value);
            const headers = Object.fromEntries(
              Object.entries(read?.headers ?? {}).map(([name, value]) => [
                name,
                Array.isArray(value) ? value.map(String) : String(value),
              ]),
            );
            // A name with one value reads back as that value.
            const written = Object.fromEntries(
              Object.entries(sent.headers).map(([name, value]) => [
                name,
                Array.isArray(value) && value.length === 1 ? value[0] : value,
              ]),
            );
            expect(headers).toEqual(written);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('computes the CRC-32C kafkajs does, at every length and offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(20), (bytes, skip) => {
        const buffer = Buffer.from(bytes);
        const from = Math.min(skip, buffer.length);
        expect(crc32c(buffer, from)).toBe(kafkajsCrc32c(buffer.subarray(from)));
      }),
    );
    // The check value of CRC-32C (RFC 3720, B.4).
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});
