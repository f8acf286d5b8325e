import { describe, expect, it } from 'vitest';
import { prefersEventStream } from './accept.ts';

describe('prefersEventStream', () => {
  it.each([
    ['text/event-stream', true],
    ['text/event-stream, application/json', true],
    ['application/json, text/event-stream', false],
    ['application/json;q=0.5, text/event-stream', true],
    ['text/event-stream;q=0.2, application/json', false],
    ['text/event-stream;q=0.2, */*;q=0.1', true],
    ['text/event-stream;q=0', false],
    ['*/*', false],
    ['text/*', false],
    ['application/json', false],
    ['TEXT/EVENT-STREAM', true],
    ['', false],
  ])('%j → %s', (accept, expected) => {
    expect(prefersEventStream(accept)).toBe(expected);
  });

  it('is false without an Accept header', () => {
    expect(prefersEventStream(undefined)).toBe(false);
  });
});
