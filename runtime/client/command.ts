import { resolveRetry, sleep } from './retry.ts';
import { send, type Answer, type ClientContext } from './request.ts';
import { toResult } from './response.ts';
import { buildUrl, resolveLocation } from './url.ts';
import type {
  ApiResult,
  ClientOptions,
  CommandOptions,
  OperationSpec,
  RawBody,
  RequestParts,
} from './types.ts';

/** `async: true`: wait up to 60 s in all, in long polls of up to 20 s. */
const defaultAsync = { waitSeconds: 20, totalMs: 60_000 };

/** A poll the server answered this fast did not hold: pause before the next one. */
const minPollMs = 100;

/**
 * A command: a JSON body (text or bytes for `rawBody`), an Idempotency-Key kept across retries
 * (so a retry never writes twice, design.md §4), and — for a command that declares 202, when
 * asked — `Prefer: respond-async` and long polls of the answer's `Location` until the reply is
 * there.
 */
export async function runCommand<T, E>(
  context: ClientContext,
  client: ClientOptions,
  op: OperationSpec,
  request: RequestParts,
  options: CommandOptions = {},
): Promise<ApiResult<T, E>> {
  const url = buildUrl(context.baseUrl, op.path, request);
  const retry = resolveRetry(client.retry, options.retry);
  const timeoutMs = options.timeoutMs ?? context.timeoutMs;
  const wait = op.accepts202 === true ? asyncSettings(options.async) : undefined;
  const idempotencyKey =
    options.idempotencyKey ??
    headerValue(request.headers, 'idempotency-key') ??
    headerValue(options.headers, 'idempotency-key') ??
    globalThis.crypto.randomUUID();
  const first = await send(context, {
    method: op.method,
    url,
    headers: [
      request.body === undefined
        ? undefined
        : { 'content-type': op.contentType ?? 'application/json' },
      request.headers,
      options.headers,
      { 'idempotency-key': idempotencyKey },
      wait === undefined ? undefined : { prefer: 'respond-async' },
    ],
    ...(request.body === undefined ? {} : { body: serializeBody(op, request.body) }),
    timeoutMs,
    retry,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const location = first.headers.get('location');
  if (wait === undefined || first.status !== 202 || location === null) return toResult(first);

  // RFC 7240: GET the location with `Prefer: wait=N`; 202 again means "not yet".
  const pollUrl = resolveLocation(location, url);
  const deadline = Date.now() + wait.totalMs;
  for (let polls = 0; ; polls++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return toResult(first);
    const waitSeconds = Math.max(1, Math.min(wait.waitSeconds, Math.ceil(remaining / 1000)));
    const started = Date.now();
    const poll: Answer = await send(context, {
      method: 'GET',
      url: pollUrl,
      headers: [options.headers, { prefer: `wait=${waitSeconds}` }],
      timeoutMs: timeoutMs + waitSeconds * 1000,
      retry,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (poll.status !== 202) return toResult(poll);
    const held = Date.now() - started;
    if (held < minPollMs) {
      await sleep(Math.min(remaining, minPollMs * 2 ** Math.min(polls, 4)), options.signal);
    }
  }
}

/** JSON text, or for an operation whose body is not JSON the text or bytes as given. */
function serializeBody(op: OperationSpec, body: unknown): RawBody {
  if (op.rawBody !== true) return JSON.stringify(body);
  if (isRawBody(body)) return body;
  throw new TypeError(`${op.operationId}: the body must be text or bytes, not JSON`);
}

/** Text or bytes `fetch` sends (a view of a `SharedArrayBuffer` it does not). */
function isRawBody(value: unknown): value is RawBody {
  return (
    typeof value === 'string' ||
    value instanceof Blob ||
    value instanceof ArrayBuffer ||
    (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer)
  );
}

function asyncSettings(
  option: CommandOptions['async'],
): { readonly waitSeconds: number; readonly totalMs: number } | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return defaultAsync;
  return {
    waitSeconds: option.waitSeconds ?? defaultAsync.waitSeconds,
    totalMs: option.totalMs ?? defaultAsync.totalMs,
  };
}

function headerValue(
  headers: { readonly [name: string]: string | number | boolean | null | undefined } | undefined,
  name: string,
): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined && value !== null) return String(value);
  }
  return undefined;
}
