import { describe, expect, it } from 'vitest';
import { eventName } from './sse-stream.ts';
import type { StreamRouteSpec } from './stream-spec.ts';

const route: StreamRouteSpec = {
  kind: 'stream',
  operationId: 'watchTasks',
  method: 'GET',
  path: '/tasks',
  topic: 'task-snapshots',
  compacted: true,
  messages: { names: ['TaskCreated', 'TaskRenamed'], eventNameHeader: 'event-type' },
  filters: [],
  schemas: {},
};

// The generator leaves `eventNameHeader` out in the Zilla profile: every data event is unnamed.
const zilla: StreamRouteSpec = { ...route, messages: { names: ['TaskCreated', 'TaskRenamed'] } };

describe('eventName', () => {
  it.each([
    ['a listed name', route, { 'event-type': 'TaskRenamed' }, 'TaskRenamed'],
    ['a name not listed', route, { 'event-type': 'TaskLost' }, undefined],
    ['no name header', route, {}, undefined],
    ['one message type', { ...route, messages: { names: ['TaskCreated'] } }, {}, undefined],
    [
      'the Zilla profile, whatever the header says',
      zilla,
      { 'event-type': 'TaskRenamed' },
      undefined,
    ],
  ])('%s', (_name, spec, headers: Record<string, string>, want) => {
    expect(eventName(spec, headers)).toBe(want);
  });
});
