import { describe, expect, it } from 'vitest';
import type { RequestParts } from './types.ts';
import { buildUrl, resolveLocation } from './url.ts';

describe('buildUrl', () => {
  const cases: readonly [string, string, string, RequestParts, string][] = [
    ['plain', 'http://h', '/tasks', {}, 'http://h/tasks'],
    ['trailing slash on the base', 'http://h/api/', '/tasks', {}, 'http://h/api/tasks'],
    [
      'path params encoded',
      'http://h',
      '/tasks/{id}/notes/{n}',
      { params: { id: 'a b/c?', n: 3 } },
      'http://h/tasks/a%20b%2Fc%3F/notes/3',
    ],
    [
      'query: undefined and null left out, arrays repeated',
      'http://h',
      '/tasks',
      { query: { tag: ['x', 'y z'], skip: undefined, guid: null, limit: 10, done: false } },
      'http://h/tasks?tag=x&tag=y+z&limit=10&done=false',
    ],
  ];
  it.each(cases)('%s', (_name, base, path, parts, want) => {
    expect(buildUrl(base, path, parts)).toBe(want);
  });

  it('rejects a missing path parameter', () => {
    expect(() => buildUrl('http://h', '/tasks/{id}', {})).toThrow(/"id"/);
  });
});

describe('resolveLocation', () => {
  it('resolves against the request URL', () => {
    expect(resolveLocation('/tasks;cid=1', 'http://h/api/tasks')).toBe('http://h/tasks;cid=1');
    expect(resolveLocation('x', 'http://h/api/tasks')).toBe('http://h/api/x');
    expect(resolveLocation('https://o/y', 'http://h/')).toBe('https://o/y');
  });
});
