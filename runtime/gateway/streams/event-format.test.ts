// SSE framing and Zilla event ids, as tables of given → want.
import { describe, expect, it } from 'vitest';
import { encodeProgress } from '../progress.ts';
import {
  encodeEventId,
  encodeKey,
  formatComment,
  formatEvent,
  formatRetry,
  parseEventId,
  type SseEvent,
} from './event-format.ts';

describe('formatEvent', () => {
  const cases: [string, SseEvent, string][] = [
    ['unnamed, one line', { data: '{"a":1}' }, 'data: {"a":1}\n\n'],
    [
      'named with id',
      { event: 'delete', id: 'x', data: 'a2V5' },
      'event: delete\nid: x\ndata: a2V5\n\n',
    ],
    ['LF splits data', { data: 'a\nb' }, 'data: a\ndata: b\n\n'],
    ['CRLF and CR split data', { data: 'a\r\nb\rc' }, 'data: a\ndata: b\ndata: c\n\n'],
    ['trailing newline keeps an empty line', { data: 'a\n' }, 'data: a\ndata: \n\n'],
    ['empty data', { data: '' }, 'data: \n\n'],
    [
      'line breaks in id and event are flattened',
      { event: 'a\nb', id: 'x\ry\0', data: 'd' },
      'event: a b\nid: x y \ndata: d\n\n',
    ],
  ];
  it.each(cases)('%s', (_name, event, want) => {
    expect(formatEvent(event)).toBe(want);
  });
});

describe('retry and comments', () => {
  it.each([
    [2000, 'retry: 2000\n\n'],
    [1.9, 'retry: 1\n\n'],
    [-5, 'retry: 0\n\n'],
  ])('retry %s', (ms, want) => {
    expect(formatRetry(ms)).toBe(want);
  });

  it.each([
    ['', ':\n'],
    ['heartbeat', ': heartbeat\n'],
    ['a\nb', ': a\n: b\n'],
  ])('comment %j', (text, want) => {
    expect(formatComment(text)).toBe(want);
  });
});

describe('event ids', () => {
  const token = encodeProgress({ 0: '5', 2: '17' });

  it.each([
    ['a UTF-8 key', 'task-1', undefined],
    ['a key needing padding', 'ab', undefined],
    ['a record etag', 'k', 'v7'],
    ['an etag with a slash', 'k', 'a/b'],
    ['an empty key', '', undefined],
  ])('round-trips %s', (_name, key, recordEtag) => {
    const id = encodeEventId(key, token, recordEtag);
    const parsed = parseEventId(id);
    expect(parsed?.key.toString('utf8')).toBe(key);
    expect(parsed?.token).toBe(token);
    expect(parsed?.progress).toEqual({ 0: '5', 2: '17' });
    expect(parsed?.recordEtag).toBe(recordEtag);
  });

  it("is Zilla's JSON array of the padded base64url key and the etag", () => {
    expect(encodeEventId('ab', token, 'v1')).toBe(`["YWI=","${token}/v1"]`);
    expect(encodeKey(Buffer.from([0xfb, 0xff]))).toBe('-_8=');
  });

  it.each([
    ['unpadded key', `["YWI","${token}"]`, 'ab'],
    ['bare progress token', token, ''],
    ['quoted ETag', `"${token}/v1"`, ''],
  ])('accepts a %s', (_name, text, key) => {
    expect(parseEventId(text)?.key.toString('utf8')).toBe(key);
    expect(parseEventId(text)?.progress).toEqual({ 0: '5', 2: '17' });
  });

  it.each([
    ['empty', ''],
    ['garbage', 'hello'],
    ['one element', '["YWI="]'],
    ['three elements', `["YWI=","${token}","x"]`],
    ['non-string key', `[1,"${token}"]`],
    ['key not base64url', `["a+b","${token}"]`],
    ['progress not a token', '["YWI=","nope!"]'],
    ['object', '{"a":1}'],
  ])('rejects %s', (_name, text) => {
    expect(parseEventId(text)).toBeUndefined();
  });
});
