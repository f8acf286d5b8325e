import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, parseFile } from './testing.ts';

describe('named schemas', () => {
  it('names a payload schema written in another file, located there', async () => {
    const { api, diagnostics, schemas } = await parseFile(
      join(fixtures, 'multi-file/asyncapi.yaml'),
    );
    expect(diagnostics).toEqual([]);
    expect(api?.messages.find((m) => m.id === 'taskCreated')?.payload).toEqual({
      $ref: '#/$defs/task',
    });
    const task = join(fixtures, 'multi-file/schemas/task.yaml');
    expect(schemas.task).toMatchObject({
      name: 'task',
      origin: 'asyncapi',
      source: { file: task, pointer: '', line: 1, column: 1 },
      schema: {
        type: 'object',
        required: ['id', 'status'],
        properties: {
          // Relative to task.yaml, not to the document that referred to it.
          status: { $ref: '#/$defs/status' },
          // `$ref: '#'`: the file itself, recursion through the name.
          subtasks: { type: 'array', items: { $ref: '#/$defs/task' } },
        },
      },
    });
    expect(schemas.status).toMatchObject({
      schema: { type: 'string', enum: ['open', 'done'] },
      source: { file: join(fixtures, 'multi-file/schemas/status.yaml'), line: 1 },
    });
  });

  it('registers every component schema, used or not', async () => {
    const { schemas } = await parseFile(join(fixtures, 'kafka-v3.yaml'));
    expect(Object.keys(schemas)).toEqual(['NewTask', 'Task']);
    expect(schemas.Task?.schema).toEqual({
      allOf: [
        { $ref: '#/$defs/NewTask' },
        { type: 'object', properties: { id: { type: 'string' } } },
      ],
    });
  });
});
