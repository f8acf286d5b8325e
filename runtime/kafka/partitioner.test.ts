import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.ts';

describe('murmur2', () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2, plus the empty array.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681],
  ])('hashes %j to %i as the Java client does', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });
});

describe('partitionForKey', () => {
  it('clears the sign bit rather than taking the absolute value (Utils.toPositive)', () => {
    // murmur2("foobar") is negative: -790332482 & 0x7fffffff = 1357151166; % 50 = 16.
    expect(partitionForKey(Buffer.from('foobar'), 50)).toBe(16);
  });

  it('agrees with kafkajs DefaultPartitioner (Java-compatible since kafkajs 2) on any key', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const partitionMetadata: PartitionMetadata[] = Array.from({ length: n }, (_, id) => ({
          partitionId: id,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        }));
        const expected = kafkajs({
          topic: 't',
          partitionMetadata,
          message: { key: Buffer.from(key), value: null },
        });
        expect(partitionForKey(key, n)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a partition count below one', () => {
    expect(() => partitionForKey(Buffer.from('k'), 0)).toThrow(RangeError);
  });
});
