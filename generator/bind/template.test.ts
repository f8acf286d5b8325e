/** parseTemplate: our `{name}` forms and Zilla's `${…}` forms, and names that match nothing. */
import { describe, expect, it } from 'vitest';
import type { KeyPart } from '../ir/types.ts';
import { httpOp, param, pathParam } from './fixtures/ir.ts';
import { parseTemplate, type TemplateResult } from './template.ts';

const op = httpOp('post', '/orgs/{org}/tasks/{id}', 'op', {
  parameters: [
    pathParam('org'),
    pathParam('id'),
    param('status', 'query'),
    param('id', 'query'),
    param('X-Tenant', 'header'),
  ],
});

const path = (name: string): KeyPart => ({ kind: 'param', in: 'path', name });

describe('parseTemplate', () => {
  it.each<[string, TemplateResult]>([
    ['', { parts: [], unknown: [] }],
    ['fixed', { parts: [{ kind: 'text', text: 'fixed' }], unknown: [] }],
    ['{id}', { parts: [path('id')], unknown: [] }],
    ['{ id }', { parts: [path('id')], unknown: [] }],
    ['${params.id}', { parts: [path('id')], unknown: [] }],
    ['${path.org}', { parts: [path('org')], unknown: [] }],
    // A bare name prefers the path over a same-named query parameter; `query.` picks the query.
    ['${query.id}', { parts: [{ kind: 'param', in: 'query', name: 'id' }], unknown: [] }],
    ['{status}', { parts: [{ kind: 'param', in: 'query', name: 'status' }], unknown: [] }],
    // Header names are case-insensitive; the part keeps the spec's spelling.
    [
      '{headers.x-tenant}',
      { parts: [{ kind: 'param', in: 'header', name: 'X-Tenant' }], unknown: [] },
    ],
    [
      '{header.X-TENANT}',
      { parts: [{ kind: 'param', in: 'header', name: 'X-Tenant' }], unknown: [] },
    ],
    ['{idempotencyKey}', { parts: [{ kind: 'idempotency-key' }], unknown: [] }],
    ['${idempotencyKey}', { parts: [{ kind: 'idempotency-key' }], unknown: [] }],
    ['{idempotency-key}', { parts: [{ kind: 'idempotency-key' }], unknown: [] }],
    ['{identity}', { parts: [{ kind: 'identity' }], unknown: [] }],
    ["${guarded['jwt'].identity}", { parts: [{ kind: 'identity' }], unknown: [] }],
    ['${guarded["oauth"].identity}', { parts: [{ kind: 'identity' }], unknown: [] }],
    [
      '{org}:{id}/v1',
      {
        parts: [
          path('org'),
          { kind: 'text', text: ':' },
          path('id'),
          { kind: 'text', text: '/v1' },
        ],
        unknown: [],
      },
    ],
    ['{nope}', { parts: [], unknown: ['{nope}'] }],
    ['${params.status}', { parts: [{ kind: 'param', in: 'query', name: 'status' }], unknown: [] }],
    ['${path.status}', { parts: [], unknown: ['${path.status}'] }],
    ['${query.org}', { parts: [], unknown: ['${query.org}'] }],
    ["${guarded['jwt'].claims}", { parts: [], unknown: ["${guarded['jwt'].claims}"] }],
    [
      'a-{nope}-{id}-{gone}',
      {
        parts: [
          { kind: 'text', text: 'a-' },
          { kind: 'text', text: '-' },
          path('id'),
          { kind: 'text', text: '-' },
        ],
        unknown: ['{nope}', '{gone}'],
      },
    ],
  ])('%s', (template, want) => {
    expect(parseTemplate(template, op)).toEqual(want);
  });
});
