import { describe, expect, it } from 'vitest';
import {
  covers,
  coversProgress,
  decodeProgress,
  encodeProgress,
  etagOf,
  mergeProgress,
  parseEtag,
  progressAfter,
  type Progress,
} from './progress.ts';

describe('progress tokens', () => {
  const roundTrips: readonly [string, Progress][] = [
    ['no partitions', {}],
    ['one partition at 0', { 0: '0' }],
    ['three partitions', { 0: '5', 1: '0', 2: '1234567' }],
    ['large offset', { 7: '9007199254740993' }],
    ['the largest offset worked out with numbers', { 3: '999999999999999', 4: '1000000000000000' }],
    ['max int64', { 0: '9223372036854775807' }],
    ['sparse ids', { 3: '1', 100: '2' }],
  ];
  it.each(roundTrips)('round-trips %s', (_name, progress) => {
    const token = encodeProgress(progress);
    expect(token).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    expect(token.length % 4).toBe(0);
    expect(decodeProgress(token)).toEqual(progress);
    // Unpadded input is accepted too.
    expect(decodeProgress(token.replace(/=+$/, ''))).toEqual(progress);
  });

  // Bytes worked out by hand from Zilla's codec: kind 1, zig-zag varints.
  const knownBytes: readonly [Progress, number[]][] = [
    [{}, [1, 0]],
    [{ 0: '1' }, [1, 2, 0, 2]],
    [{ 0: '2', 1: '64' }, [1, 4, 0, 4, 2, 0x80, 0x01]],
  ];
  it.each(knownBytes)('encodes %j as Zilla does', (progress, bytes) => {
    const token = encodeProgress(progress);
    expect([...Buffer.from(token, 'base64url')]).toEqual(bytes);
  });

  it('orders partitions ascending whatever the key order', () => {
    expect(encodeProgress({ 2: '1', 0: '3', 1: '2' })).toBe(
      encodeProgress({ 0: '3', 1: '2', 2: '1' }),
    );
  });

  const garbage: readonly [string, string][] = [
    ['empty', ''],
    ['not base64', 'not a token!'],
    ['wrong kind', Buffer.from([2, 0]).toString('base64url')],
    ['truncated partition', Buffer.from([1, 2, 0]).toString('base64url')],
    ['truncated varint', Buffer.from([1, 2, 0, 0x80]).toString('base64url')],
    ['trailing bytes', Buffer.from([1, 0, 9]).toString('base64url')],
    ['negative offset', Buffer.from([1, 2, 0, 1]).toString('base64url')],
    ['varint too long', Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).toString('base64url')],
    ['huge count', Buffer.from([1, 0xfe, 0xff, 0xff, 0xff, 0x07]).toString('base64url')],
    ['misplaced padding', 'AQ=A'],
    ['a single char', 'A'],
  ];
  it.each(garbage)('decodes %s to undefined', (_name, token) => {
    expect(decodeProgress(token)).toBeUndefined();
  });

  it('skips negative partition ids, as Zilla does', () => {
    // count 2: partition -1 at 0, partition 0 at 3
    expect(decodeProgress(Buffer.from([1, 4, 1, 0, 0, 6]).toString('base64url'))).toEqual({
      0: '3',
    });
  });
});

describe('comparing progress', () => {
  const coversTable: readonly [Progress, number, string, boolean][] = [
    [{ 0: '5' }, 0, '4', true],
    [{ 0: '5' }, 0, '5', false],
    [{ 0: '5' }, 1, '0', false],
    [{ 0: '9007199254740993' }, 0, '9007199254740992', true],
  ];
  it.each(coversTable)('covers(%j, %i, %s) is %s', (progress, partition, offset, want) => {
    expect(covers(progress, partition, offset)).toBe(want);
  });

  const coversProgressTable: readonly [Progress, Progress, boolean][] = [
    [{ 0: '5', 1: '2' }, { 0: '5' }, true],
    [{ 0: '5', 1: '2' }, { 0: '5', 1: '3' }, false],
    [{ 0: '5' }, { 1: '0' }, false],
    [{ 0: '5' }, {}, true],
  ];
  it.each(coversProgressTable)('coversProgress(%j, %j) is %s', (progress, required, want) => {
    expect(coversProgress(progress, required)).toBe(want);
  });

  it('merges by taking the larger offset per partition', () => {
    expect(mergeProgress({ 0: '5', 1: '1' }, { 1: '3', 2: '0' })).toEqual({
      0: '5',
      1: '3',
      2: '0',
    });
  });

  it('gives the progress just past a record', () => {
    expect(progressAfter(2, '41')).toEqual({ 2: '42' });
  });
});

describe('ETags', () => {
  const token = encodeProgress({ 0: '3', 1: '7' });
  const table: readonly [string, string | undefined, string][] = [
    ['progress only', undefined, `"${token}"`],
    ['with record etag', 'v2', `"${token}/v2"`],
    ['record etag containing a slash', 'a/b', `"${token}/a/b"`],
  ];
  it.each(table)('formats and parses %s', (_name, recordEtag, want) => {
    const etag = etagOf(token, recordEtag);
    expect(etag).toBe(want);
    const parsed = parseEtag(etag);
    expect(parsed?.progress).toEqual({ 0: '3', 1: '7' });
    expect(parsed?.token).toBe(token);
    expect(parsed?.recordEtag).toBe(recordEtag);
  });

  const forms: readonly [string, string][] = [
    ['unquoted (as Zilla clients may send it)', `${token}/v2`],
    ['weak', `W/"${token}/v2"`],
    ['with spaces', `  "${token}/v2" `],
  ];
  it.each(forms)('parses an ETag %s', (_name, etag) => {
    expect(parseEtag(etag)).toEqual({ progress: { 0: '3', 1: '7' }, token, recordEtag: 'v2' });
  });

  it('rejects an ETag whose progress is garbage', () => {
    expect(parseEtag('"v1"')).toBeUndefined();
    expect(parseEtag('*')).toBeUndefined();
  });
});
