import { describe, expect, it } from 'vitest';
import { zillaRecordHeaders, type ZillaRecordParts, type ZillaRequest } from './zilla-record.ts';

const request: ZillaRequest = {
  method: 'PUT',
  scheme: 'http',
  url: '/tasks/t1?x=1',
  rawHeaders: [
    'Host',
    'localhost',
    'Content-Type',
    'application/json',
    'Content-Length',
    '17',
    'Idempotency-Key',
    'k1',
    'If-Match',
    'AQID/v3',
    'Prefer',
    'return=minimal',
    'Authorization',
    'Bearer secret',
    'Cookie',
    'a=b',
    'Connection',
    'keep-alive',
    'Origin',
    'http://app.test',
    'todo-command:operation',
    'Spoofed',
    'specgate-identity',
    'mallory',
    'zilla:correlation-id',
    'forged',
  ],
};

const parts: ZillaRecordParts = {
  seed: 'k1',
  key: 't1',
  value: '{"title":"milk"}',
  replyToHeader: 'zilla:reply-to',
  replyTopic: 'task-replies',
  overrides: { 'todo-command:operation': 'RenameTaskCommand' },
  correlationHeader: 'zilla:correlation-id',
  reserved: new Set(['specgate-identity']),
  identity: undefined,
};

describe('zillaRecordHeaders', () => {
  it('writes the request headers in Zilla order, then reply-to, overrides, correlation id', () => {
    const { headers, correlationId } = zillaRecordHeaders(request, parts);
    expect(Object.entries(headers)).toEqual([
      [':scheme', 'http'],
      [':method', 'PUT'],
      [':path', '/tasks/t1?x=1'],
      [':authority', 'localhost:80'],
      ['content-type', 'application/json'],
      ['idempotency-key', 'k1'],
      ['if-match', 'v3'],
      ['origin', 'http://app.test'],
      ['zilla:reply-to', 'task-replies'],
      ['todo-command:operation', 'RenameTaskCommand'],
      ['zilla:correlation-id', correlationId],
    ]);
    expect(correlationId).toMatch(/^k1-[0-9a-f]{64}$/);
  });

  it('gives an identical request the same correlation id, and any change another', () => {
    const first = zillaRecordHeaders(request, parts).correlationId;
    expect(zillaRecordHeaders(request, parts).correlationId).toBe(first);
    // A new trace is still the same request.
    const traced = {
      ...request,
      rawHeaders: [...request.rawHeaders, 'traceparent', '00-ab-cd-01'],
    };
    expect(zillaRecordHeaders(traced, parts).correlationId).toBe(first);
    const changed = [
      zillaRecordHeaders(request, { ...parts, value: '{"title":"eggs"}' }),
      zillaRecordHeaders(request, { ...parts, key: 't2' }),
      zillaRecordHeaders({ ...request, url: '/tasks/t1' }, parts),
      zillaRecordHeaders(
        {
          ...request,
          rawHeaders: request.rawHeaders.map((v) => (v === 'AQID/v3' ? 'AQID/v4' : v)),
        },
        parts,
      ),
    ].map((r) => r.correlationId);
    for (const id of changed) expect(id).not.toBe(first);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('drops an If-Match without a slash, keeps the host port, writes the identity', () => {
    const { headers } = zillaRecordHeaders(
      {
        ...request,
        scheme: 'https',
        rawHeaders: ['Host', 'api.test:8443', 'If-Match', 'v3', 'specgate-identity', 'mallory'],
      },
      { ...parts, identity: 'alice' },
    );
    expect(headers[':authority']).toBe('api.test:8443');
    expect(headers[':scheme']).toBe('https');
    expect('if-match' in headers).toBe(false);
    expect(headers['specgate-identity']).toBe('alice');
  });

  it('keeps every value of a repeated header, and IPv6 hosts get the default port', () => {
    const { headers } = zillaRecordHeaders(
      { ...request, rawHeaders: ['Host', '[::1]', 'Accept', 'a/b', 'accept', 'c/d'] },
      parts,
    );
    expect(headers.accept).toEqual(['a/b', 'c/d']);
    expect(headers[':authority']).toBe('[::1]:80');
  });
});
