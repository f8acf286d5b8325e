import { describe, expect, it } from 'vitest';
import { preconditionFailed, replay, type Aggregate } from './aggregate.ts';

type Event =
  | { readonly type: 'created'; readonly title: string }
  | { readonly type: 'renamed'; readonly title: string }
  | { readonly type: 'deleted' };

interface Task {
  readonly title: string;
  readonly version: number;
  readonly exists: boolean;
}

const task: Aggregate<Task, Event> = {
  initial: { title: '', version: 0, exists: false },
  apply(state, event) {
    switch (event.type) {
      case 'created':
      case 'renamed':
        return { title: event.title, version: state.version + 1, exists: true };
      case 'deleted':
        return { ...state, version: state.version + 1, exists: false };
    }
  },
};

describe('replay', () => {
  it('folds the events in order over the initial state', () => {
    expect(
      replay(task, [
        { type: 'created', title: 'a' },
        { type: 'renamed', title: 'b' },
      ]),
    ).toEqual({ title: 'b', version: 2, exists: true });
    expect(replay(task, [{ type: 'created', title: 'a' }, { type: 'deleted' }])).toMatchObject({
      exists: false,
      version: 2,
    });
  });

  it('is the initial state without events', () => {
    expect(replay(task, [])).toBe(task.initial);
  });
});

describe('preconditionFailed', () => {
  it.each([
    [undefined, 'v1'],
    ['', 'v1'],
    ['v1', 'v1'],
    ['"v1"', 'v1'],
    ['v1', '"v1"'],
    ['v0, v1', 'v1'],
    ['*', 'v1'],
  ])('lets %j through when the resource is at %j', (ifMatch, current) => {
    expect(preconditionFailed(ifMatch, current)).toBeUndefined();
  });

  it.each([
    ['v1', 'v2'],
    ['W/"v2"', 'v2'],
    ['*', undefined],
    ['v1', undefined],
  ])('answers 412 to %j when the resource is at %j', (ifMatch, current) => {
    expect(preconditionFailed(ifMatch, current)).toMatchObject({
      status: 412,
      headers: { 'content-type': 'application/problem+json' },
      body: { status: 412, title: 'Precondition Failed' },
    });
  });
});
