import type { EventStream } from './types.ts';

/**
 * Wraps a generator as an `EventStream`. `close()`, the caller's signal and a `break` out of
 * `for await` all abort the generator's signal — which stops its pending fetch — and end the
 * iteration: whatever the aborted generator throws then is swallowed, and `next()` is done.
 * The generator runs only when pulled, so nothing is read ahead of the consumer.
 */
export function toEventStream<E>(
  run: (signal: AbortSignal) => AsyncGenerator<E, void, undefined>,
  lastEventId: () => string | undefined,
  outer: AbortSignal | undefined,
): EventStream<E> {
  const controller = new AbortController();
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
  const generator = run(controller.signal);
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

  const stream: EventStream<E> = {
    get lastEventId() {
      return lastEventId();
    },
    close() {
      controller.abort();
    },
    async next() {
      if (controller.signal.aborted) {
        // A generator not started yet never runs; one suspended at a yield runs its finally.
        await generator.return(undefined).catch(() => undefined);
        return done;
      }
      try {
        return await generator.next();
      } catch (error) {
        if (controller.signal.aborted) return done;
        throw error;
      }
    },
    async return() {
      controller.abort();
      await generator.return(undefined).catch(() => undefined);
      return done;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
