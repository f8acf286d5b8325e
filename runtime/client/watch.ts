import { ClientError } from './client-error.ts';
import { toEventStream } from './event-stream.ts';
import { resolveRetry, sleep } from './retry.ts';
import { send, type Answer, type ClientContext } from './request.ts';
import { parseBody, progressHeader } from './response.ts';
import { buildUrl } from './url.ts';
import type {
  ClientOptions,
  EventStream,
  OperationSpec,
  RequestParts,
  WatchOptions,
} from './types.ts';

/**
 * A long-poll watch (design.md §5): a plain GET yields the current value, then each
 * `If-None-Match: <etag>` + `Prefer: wait=N` poll yields the new value on a 200 and polls again
 * on a 304. Each poll is retried like a query; an error answer, or a failure left after the
 * retries, ends the watch with a `ClientError`. `lastEventId` is the current ETag.
 */
export function openWatch<T>(
  context: ClientContext,
  client: ClientOptions,
  op: OperationSpec,
  request: RequestParts,
  options: WatchOptions = {},
): EventStream<T> {
  const url = buildUrl(context.baseUrl, op.path, request);
  const waitSeconds = options.waitSeconds ?? 30;
  const retry = resolveRetry(client.retry, options.retry);
  const timeoutMs = options.timeoutMs ?? context.timeoutMs;
  let etag: string | undefined;

  async function* run(signal: AbortSignal): AsyncGenerator<T, void, undefined> {
    let previous: string | undefined;
    for (let first = true; ; first = false) {
      const poll = !first;
      const started = Date.now();
      const answer: Answer = await send(context, {
        method: op.method,
        url,
        headers: [
          request.headers,
          options.headers,
          options.progress === undefined ? undefined : { [progressHeader]: options.progress },
          poll && etag !== undefined ? { 'if-none-match': etag } : undefined,
          poll ? { prefer: `wait=${waitSeconds}` } : undefined,
        ],
        timeoutMs: poll ? timeoutMs + waitSeconds * 1000 : timeoutMs,
        retry,
        signal,
      });
      if (answer.status === 304) continue;
      if (answer.status < 200 || answer.status > 299) {
        throw new ClientError('HTTP', `${url} answered ${answer.status}`, {
          status: answer.status,
          problem: parseBody(answer.headers, answer.text),
        });
      }
      etag = answer.headers.get('etag') ?? undefined;
      if (etag === undefined) {
        // No ETag to wait on: poll every `waitSeconds`, yielding only what changed.
        const unchanged = answer.text === previous;
        previous = answer.text;
        if (!unchanged) yield parseBody(answer.headers, answer.text) as T;
        await sleep(Math.max(0, waitSeconds * 1000 - (Date.now() - started)), signal);
        continue;
      }
      yield parseBody(answer.headers, answer.text) as T;
    }
  }

  return toEventStream(run, () => etag, options.signal);
}
