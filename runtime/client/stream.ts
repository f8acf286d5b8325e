import { ClientError } from './client-error.ts';
import { decodeBase64Url } from './base64url.ts';
import { retryAfterMs, sleep } from './retry.ts';
import { buildHeaders, type ClientContext } from './request.ts';
import { parseBody, progressHeader } from './response.ts';
import { SseParser, type SseMessage } from './sse-parser.ts';
import { toEventStream } from './event-stream.ts';
import { buildUrl } from './url.ts';
import type {
  EventStream,
  OperationSpec,
  RequestParts,
  StreamEvent,
  StreamOptions,
} from './types.ts';

/** WHATWG: the reconnection time before the server sends `retry:`. */
const defaultRetryMs = 2000;

type Events = { readonly event: string; readonly data: unknown };

/**
 * Server-sent events over `fetch` (so headers can be sent, unlike `EventSource`): reconnects
 * when the body ends or the network fails, after the server's `retry:` and then longer on
 * repeated failures (up to `maxRetryMs`), sending `Last-Event-ID` so the gateway resumes with
 * no gap and no duplicate (design.md §6). A 4xx other than 429 ends it with a `STREAM` error.
 */
export function openStream<E extends Events>(
  context: ClientContext,
  op: OperationSpec,
  request: RequestParts,
  options: StreamOptions = {},
): EventStream<StreamEvent<E>> {
  const url = buildUrl(context.baseUrl, op.path, request);
  const parser = new SseParser(options.lastEventId ?? '');
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  let seen: string | undefined = options.lastEventId;
  // Set after a 401: the next connection asks the token provider again, a second 401 ends it.
  let refused = false;

  async function* run(signal: AbortSignal): AsyncGenerator<StreamEvent<E>, void, undefined> {
    for (let failures = 0; ;) {
      let delivered = false;
      let asked: number | undefined;
      parser.reset();
      const headers = await buildHeaders(context, [
        request.headers,
        options.headers,
        {
          accept: 'text/event-stream',
          [progressHeader]: options.progress,
          'last-event-id': parser.lastEventId === '' ? undefined : parser.lastEventId,
        },
      ]);
      let response: Response | undefined;
      try {
        response = await context.fetch(url, { method: op.method, headers, signal });
      } catch {
        if (signal.aborted) return;
        // A network failure: reconnect below.
      }
      if (response !== undefined && response.ok) {
        refused = false;
        if (response.status === 204 || response.body === null) return; // WHATWG: no reconnect
        if (!isEventStream(response.headers)) {
          await response.body.cancel().catch(() => undefined);
          throw new ClientError('STREAM', `${url} did not answer text/event-stream`, {
            status: response.status,
          });
        }
        const reader = response.body.getReader();
        const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
        try {
          for (;;) {
            const chunk = await reader.read();
            const text = chunk.done
              ? decoder.decode()
              : decoder.decode(chunk.value, { stream: true });
            for (const message of parser.push(text)) {
              const event = toEvent<E>(message);
              seen = message.id;
              delivered = true;
              yield event;
            }
            if (chunk.done) break;
          }
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof ClientError) throw error;
          // The connection broke mid-body: reconnect below.
        } finally {
          // Frees the connection when the consumer stopped or an event was unreadable.
          await reader.cancel().catch(() => undefined);
        }
        seen = parser.lastEventId === '' ? seen : parser.lastEventId;
      } else if (response !== undefined) {
        const text = await response.text().catch(() => '');
        // A token that expired between the provider's answer and the gateway's check: once more.
        if (response.status === 401 && typeof context.token === 'function' && !refused) {
          refused = true;
          continue;
        }
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          throw new ClientError('STREAM', `${url} answered ${response.status}`, {
            status: response.status,
            problem: parseBody(response.headers, text),
          });
        }
        asked = retryAfterMs(response.headers);
      }
      if (signal.aborted) return;
      failures = delivered ? 0 : failures + 1;
      const base = parser.retryMs ?? defaultRetryMs;
      const backoff = Math.min(maxRetryMs, base * 2 ** Math.max(0, failures - 1));
      try {
        await sleep(Math.max(backoff, Math.min(asked ?? 0, maxRetryMs)), signal);
      } catch {
        return;
      }
    }
  }

  return toEventStream(run, () => seen, options.signal);
}

function isEventStream(headers: Headers): boolean {
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return type === 'text/event-stream';
}

/** `data` is JSON; a delete's data is the record's base64url key (design.md §6). */
function toEvent<E extends Events>(message: SseMessage): StreamEvent<E> {
  if (message.event === 'delete') {
    return { event: 'delete', id: message.id, key: decodeKey(message) };
  }
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch (error) {
    throw new ClientError('STREAM', `Event ${message.id} is not JSON`, { cause: error });
  }
  return { event: message.event, id: message.id, data } as StreamEvent<E>;
}

function decodeKey(message: SseMessage): string {
  try {
    return decodeBase64Url(message.data);
  } catch (error) {
    throw new ClientError('STREAM', `Delete ${message.id} has no base64url key`, { cause: error });
  }
}
