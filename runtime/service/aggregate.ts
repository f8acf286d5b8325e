/**
 * Event-sourcing helpers for service handlers (design.md §8): an aggregate's state is its
 * events replayed over an initial state, and a command that names the version it expects
 * (`if-match`, forwarded by the gateway from HTTP `If-Match`) is refused with 412 when the
 * aggregate has moved on.
 */
import { opaqueTag } from '../gateway/progress.ts';
import type { TypedReply } from './types.ts';

/** How one aggregate type folds its events. */
export interface Aggregate<State, Event> {
  readonly initial: State;
  apply(state: State, event: Event): State;
}

/** An RFC 9457 problem, as the runner and the helpers answer with. */
export interface ProblemDetails {
  /** Extension members are allowed (RFC 9457 §3.2). */
  readonly [member: string]: unknown;
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
}

/** The state after `events`, in order, starting from `initial`. */
export function replay<State, Event>(
  aggregate: Aggregate<State, Event>,
  events: Iterable<Event>,
): State {
  let state = aggregate.initial;
  for (const event of events) state = aggregate.apply(state, event);
  return state;
}

/**
 * The 412 reply for a command whose `if-match` names another version than `current` (the etag
 * of the aggregate's latest snapshot, e.g. `v3`); undefined when the command may go on: it has
 * no `if-match`, it matches, or it is `*` and the aggregate exists. Strong comparison
 * (RFC 9110 §13.1.1): a weak `W/` tag never matches; quotes are optional; a list matches when
 * any member does.
 */
export function preconditionFailed(
  ifMatch: string | undefined,
  current: string | undefined,
): TypedReply<ProblemDetails> | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '') return undefined;
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  const matches =
    current !== undefined &&
    tags.some(
      (tag) => tag === '*' || (!tag.startsWith('W/') && opaqueTag(tag) === opaqueTag(current)),
    );
  if (matches) return undefined;
  return {
    status: 412,
    headers: { 'content-type': 'application/problem+json' },
    body: {
      type: 'about:blank',
      title: 'Precondition Failed',
      status: 412,
      detail:
        current === undefined
          ? 'the resource does not exist'
          : `the resource is at version ${opaqueTag(current)}, not ${tags.map(opaqueTag).join(', ')}`,
    },
  };
}
