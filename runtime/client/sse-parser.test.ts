import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from './sse-parser.ts';

function parseAll(chunks: readonly string[], parser = new SseParser()): SseMessage[] {
  return chunks.flatMap((chunk) => parser.push(chunk));
}

/** Every way of splitting `text` in two: the result never depends on chunk boundaries. */
function splits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

describe('SseParser', () => {
  const cases: readonly [string, string, SseMessage[]][] = [
    ['one unnamed event', 'data: {"a":1}\n\n', [{ event: 'message', data: '{"a":1}', id: '' }]],
    [
      'multi-line data joined by LF',
      'data: [1,\ndata:2]\n\n',
      [{ event: 'message', data: '[1,\n2]', id: '' }],
    ],
    [
      'CRLF line ends',
      'event: added\r\nid: 7\r\ndata: 1\r\n\r\n',
      [{ event: 'added', data: '1', id: '7' }],
    ],
    ['CR line ends', 'id: 8\rdata: 2\r\r', [{ event: 'message', data: '2', id: '8' }]],
    [
      'comments ignored',
      ': heartbeat\n\n:x\ndata: 3\n\n',
      [{ event: 'message', data: '3', id: '' }],
    ],
    ['a leading BOM dropped', '\uFEFFdata: 4\n\n', [{ event: 'message', data: '4', id: '' }]],
    ['no space after the colon', 'data:5\n\n', [{ event: 'message', data: '5', id: '' }]],
    ['only one space removed', 'data:  6\n\n', [{ event: 'message', data: ' 6', id: '' }]],
    ['a field with no colon', 'data\n\n', [{ event: 'message', data: '', id: '' }]],
    ['no data: not dispatched', 'event: x\nid: 9\n\n', []],
    ['an unfinished event waits', 'data: 1\n', []],
    [
      'the id carries over to later events',
      'id: 3\ndata: a\n\ndata: b\n\n',
      [
        { event: 'message', data: 'a', id: '3' },
        { event: 'message', data: 'b', id: '3' },
      ],
    ],
    [
      'an id with NUL is ignored',
      'id: 1\0\ndata: a\n\n',
      [{ event: 'message', data: 'a', id: '' }],
    ],
    ['unknown fields ignored', 'foo: bar\ndata: a\n\n', [{ event: 'message', data: 'a', id: '' }]],
  ];

  it.each(cases)('%s', (_name, text, want) => {
    expect(parseAll([text])).toEqual(want);
    for (const chunks of splits(text)) expect(parseAll(chunks)).toEqual(want);
    expect(parseAll([...text])).toEqual(want); // one character at a time
  });

  it('does not take a CR then LF across chunks for two line ends', () => {
    expect(parseAll(['data: a\r', '\n', '\r', '\ndata: b\n\n'])).toEqual([
      { event: 'message', data: 'a', id: '' },
      { event: 'message', data: 'b', id: '' },
    ]);
  });

  it('reads retry: when it is digits only', () => {
    const parser = new SseParser();
    parser.push('retry: 1500\n\nretry: 2x\n\n');
    expect(parser.retryMs).toBe(1500);
  });

  it('keeps the last id across reset(), and drops a BOM once per connection', () => {
    const parser = new SseParser('start');
    expect(parser.push('data: a\n\n')).toEqual([{ event: 'message', data: 'a', id: 'start' }]);
    parser.push('id: 5\ndata: b\n\ndata: unfinished');
    parser.reset();
    expect(parser.lastEventId).toBe('5');
    // The second BOM is not at the start: it makes the field name unknown, so no event.
    expect(parser.push('\uFEFFdata: c\n\n\uFEFFdata: d\n\n')).toEqual([
      { event: 'message', data: 'c', id: '5' },
    ]);
  });
});
