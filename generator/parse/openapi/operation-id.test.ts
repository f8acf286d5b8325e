import { describe, expect, it } from 'vitest';
import type { HttpOperation } from '../../ir/types.ts';
import { deriveOperationId, uniqueDerivedIds } from './operation-id.ts';

const at = { file: '/f.yaml', pointer: '', line: 1, column: 1 };

describe('deriveOperationId', () => {
  it.each([
    ['get', '/tasks', 'getTasks'],
    ['get', '/tasks/{id}/history', 'getTasksIdHistory'],
    ['post', '/v1/chat/completions', 'postV1ChatCompletions'],
    ['delete', '/consumers/{groupid}/instances/{name}', 'deleteConsumersGroupidInstancesName'],
    ['put', '/user-profiles/{userId}', 'putUserProfilesUserId'],
    ['get', '/', 'get'],
  ])('%s %s → %s', (method, path, id) => {
    expect(deriveOperationId(method, path)).toBe(id);
  });
});

describe('uniqueDerivedIds', () => {
  const op = (operationId: string, hasOperationId: boolean): HttpOperation => ({
    operationId,
    hasOperationId,
    method: 'get',
    path: '/',
    tags: [],
    deprecated: false,
    parameters: [],
    responses: [],
    security: [],
    source: at,
  });
  it('numbers derived ids that clash, never declared ones', () => {
    const ids = uniqueDerivedIds([
      op('getTasksId', false),
      op('getTasksId', true),
      op('getTasksId', false),
      op('other', true),
    ]).map((o) => o.operationId);
    expect(ids).toEqual(['getTasksId2', 'getTasksId', 'getTasksId3', 'other']);
  });
});
