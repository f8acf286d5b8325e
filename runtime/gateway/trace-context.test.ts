import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  ensureTraceparent,
  newTraceparent,
  parseTraceparent,
  traceIdOf,
  tracedFastifyOptions,
} from './trace-context.ts';

const trace = '0af7651916cd43dd8448eb211c80319c';
const parent = 'b7ad6b7169203331';

describe('parseTraceparent', () => {
  const table: [string, string | undefined, string | undefined][] = [
    ['version 00', `00-${trace}-${parent}-01`, trace],
    ['not sampled', `00-${trace}-${parent}-00`, trace],
    ['a later version with more fields', `01-${trace}-${parent}-01-extra`, trace],
    ['version 00 with more fields', `00-${trace}-${parent}-01-extra`, undefined],
    ['version ff', `ff-${trace}-${parent}-01`, undefined],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${parent}-01`, undefined],
    ['an all-zero parent id', `00-${trace}-${'0'.repeat(16)}-01`, undefined],
    ['uppercase hex', `00-${trace.toUpperCase()}-${parent}-01`, undefined],
    ['a short trace id', `00-${trace.slice(1)}-${parent}-01`, undefined],
    ['garbage', 'hello', undefined],
    ['none', undefined, undefined],
  ];
  for (const [name, header, want] of table) {
    it(`${name} → ${want ?? 'invalid'}`, () => {
      expect(traceIdOf(header)).toBe(want);
    });
  }

  it('reads the parent id and the flags', () => {
    expect(parseTraceparent(`00-${trace}-${parent}-01`)).toEqual({
      traceId: trace,
      parentId: parent,
      flags: '01',
    });
  });
});

describe('newTraceparent', () => {
  it('makes valid, sampled, distinct traces', () => {
    const made = Array.from({ length: 50 }, () => newTraceparent());
    for (const header of made) expect(parseTraceparent(header)?.flags).toBe('01');
    expect(new Set(made.map((header) => traceIdOf(header))).size).toBe(50);
  });
});

describe('ensureTraceparent', () => {
  it("keeps a request's valid trace and its tracestate", () => {
    const headers: IncomingHttpHeaders = {
      traceparent: `00-${trace}-${parent}-01`,
      tracestate: 'vendor=1',
    };
    expect(ensureTraceparent(headers).traceId).toBe(trace);
    expect(headers).toEqual({ traceparent: `00-${trace}-${parent}-01`, tracestate: 'vendor=1' });
  });

  it('gives a request without one a new trace', () => {
    const headers: IncomingHttpHeaders = {};
    const { traceId } = ensureTraceparent(headers);
    expect(traceIdOf(headers.traceparent as string | undefined)).toBe(traceId);
  });

  it('replaces an invalid one and drops its tracestate', () => {
    const headers: IncomingHttpHeaders = { traceparent: 'bogus', tracestate: 'vendor=1' };
    const { traceId } = ensureTraceparent(headers);
    expect(traceIdOf(headers.traceparent as string | undefined)).toBe(traceId);
    expect(headers.tracestate).toBeUndefined();
  });
});

describe('tracedFastifyOptions', () => {
  it('sends the log lines to a destination, keeping the other logger options', () => {
    const destination = { write: () => undefined };
    const options = tracedFastifyOptions({ logger: { level: 'info' } }, destination);
    expect(options.logger).toEqual({ level: 'info', stream: destination });
    expect(options.childLoggerFactory).toBeTypeOf('function');
  });

  it('leaves logging off when it is off', () => {
    expect(tracedFastifyOptions({ logger: false }, undefined).logger).toBe(false);
  });
});
