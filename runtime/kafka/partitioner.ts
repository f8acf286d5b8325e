/**
 * The key → partition mapping of the Java client's default partitioner, so a key written here
 * lands in the same partition as when a Java service (or kafkajs' DefaultPartitioner, or
 * librdkafka's `murmur2_random`) writes it: `toPositive(murmur2(keyBytes)) % partitionCount`,
 * from org.apache.kafka.common.utils.Utils (murmur2, toPositive) and BuiltInPartitioner.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's murmur2 of `data` as a signed 32-bit integer, like Java's `Utils.murmur2`. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      byteAt(data, i4) |
      (byteAt(data, i4 + 1) << 8) |
      (byteAt(data, i4 + 2) << 16) |
      (byteAt(data, i4 + 3) << 24) |
      0;
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  // Java's switch falls through from case 3 to case 1.
  const rest = length & 3;
  if (rest === 3) h ^= byteAt(data, tail + 2) << 16;
  if (rest >= 2) h ^= byteAt(data, tail + 1) << 8;
  if (rest >= 1) {
    h ^= byteAt(data, tail);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition the Java client's default partitioner picks for a record with this key. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionForKey: partition count ${partitionCount} is not positive`);
  }
  // Utils.toPositive: clear the sign bit (not Math.abs, which differs for negative values).
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

function byteAt(data: Uint8Array, index: number): number {
  return data[index] ?? 0;
}
