/**
 * The contract between a generated client (`client/index.ts`) and the client runtime
 * (`specgate/client`, design.md §7): what generated code passes in, and what callers get back.
 * Types only. The runtime uses nothing but platform APIs (`fetch`, `Headers`, `ReadableStream`,
 * `AbortSignal`, `TextDecoder`), so the same code runs in browsers and in Node ≥ 20, and a
 * browser bundle never pulls in fastify, kafkajs or `node:` modules.
 *
 * Errors are values: every call resolves to an {@link ApiResult}, discriminated by `ok`, whose
 * error side is the operation's `application/problem+json` type. Only failures that have no
 * HTTP answer (the network, a timeout, an abort after the retries) reject, with
 * {@link ClientError}. Iterators (`watch`, `stream`) have nothing to return a result to, so they
 * throw {@link ClientError} (with the problem when there was one).
 */

/** How a generated function describes its operation to the runtime. */
export interface OperationSpec {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, `/tasks/{id}`. */
  readonly path: string;
  /**
   * `command`: gets an Idempotency-Key and may answer 202 + Location; `query`: a GET with
   * ETags; `stream`: server-sent events; `history`: a plain GET.
   */
  readonly kind: 'command' | 'query' | 'stream' | 'history';
  /** A command that declares 202: `async` options apply to it. */
  readonly accepts202?: boolean;
  /**
   * The media type the operation's request body is declared with, when it is not
   * `application/json` (`application/vnd.kafka.json.v2+json`, `image/png`): the body's
   * `content-type`.
   */
  readonly contentType?: string;
  /** The body is not JSON: it is sent as given (a {@link RawBody}), with `contentType`. */
  readonly rawBody?: boolean;
}

/**
 * A request body that is not JSON (`text/plain`, `image/png`, …): text, or bytes as `fetch`
 * takes them (a `Blob`, an `ArrayBuffer`, or a view of one such as a `Uint8Array`).
 */
export type RawBody = string | Blob | BufferSource;

/** A request's parts, as the generated function's typed parameters give them. */
export interface RequestParts {
  /** Path parameters, by name; filled into the path template, URI-encoded. */
  readonly params?: { readonly [name: string]: string | number | boolean };
  /**
   * Query parameters; undefined and null values (a nullable parameter's schema allows null) are
   * left out, arrays repeat the name.
   */
  readonly query?: {
    readonly [name: string]:
      string | number | boolean | readonly (string | number | boolean)[] | null | undefined;
  };
  /** Header parameters; undefined and null values are left out. */
  readonly headers?: { readonly [name: string]: string | number | boolean | null | undefined };
  /** Sent as JSON when present; as it is (a {@link RawBody}) for an operation with `rawBody`. */
  readonly body?: unknown;
}

export interface RetryOptions {
  /** Attempts after the first; default 3. 0 turns retries off. */
  readonly retries?: number;
  /** The first backoff; default 200 ms, doubled each time, with full jitter. */
  readonly baseDelayMs?: number;
  /** The longest backoff, and the longest `Retry-After` honoured; default 10 s. */
  readonly maxDelayMs?: number;
}

export interface ClientOptions {
  /** `https://api.example.com` (a trailing `/` is fine). */
  readonly baseUrl: string;
  /** Sent with every request (auth, say); a function is asked before each request. */
  readonly headers?:
    | { readonly [name: string]: string }
    | (() => { readonly [name: string]: string } | Promise<{ readonly [name: string]: string }>);
  /**
   * A bearer token for secured operations (design.md §9), sent as `Authorization: Bearer …`. A
   * function is a token provider: asked before every request and every stream (re)connection,
   * so a refreshed token is used as soon as it has one; a stream the gateway ends when its token
   * expires reconnects with the provider's fresh token, and a 401 on a stream asks it once more
   * before giving up. Undefined from the provider: no header.
   */
  readonly token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  readonly retry?: RetryOptions;
  /** Per attempt, unless a call says otherwise; default 30 s. Not applied to streams. */
  readonly timeoutMs?: number;
}

/** Options every call takes. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Per attempt; overrides the client's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Extra headers for this call. */
  readonly headers?: { readonly [name: string]: string };
  readonly retry?: RetryOptions;
}

export interface CommandOptions extends CallOptions {
  /** Default: a fresh random key, kept across this call's retries (so a retry is safe). */
  readonly idempotencyKey?: string;
  /**
   * For a command that declares 202: send `Prefer: respond-async`, then wait on the answer's
   * `Location` with `Prefer: wait=N` until the reply is there. `true` waits up to 60 s in all.
   */
  readonly async?: boolean | { readonly waitSeconds?: number; readonly totalMs?: number };
}

export interface QueryOptions extends CallOptions {
  /** Read-your-writes: a command's `progress` (its `specgate-progress`). */
  readonly progress?: string;
  /**
   * Default true: the client keeps the last answer per URL and sends `If-None-Match`; a 304 is
   * answered from that copy (`notModified: true` on the result).
   */
  readonly cache?: boolean;
}

export interface WatchOptions extends Omit<QueryOptions, 'cache'> {
  /** `Prefer: wait=N` of each long poll; default 30. */
  readonly waitSeconds?: number;
}

export interface StreamOptions {
  readonly signal?: AbortSignal;
  readonly headers?: { readonly [name: string]: string };
  /** Read-your-writes: the state is sent once the gateway's view has this command's effect. */
  readonly progress?: string;
  /** Resume after this event id (as a reconnect does with the last id it saw). */
  readonly lastEventId?: string;
  /** Longest pause between reconnects; the server's `retry:` is the first. Default 10 s. */
  readonly maxRetryMs?: number;
}

/** A successful answer. */
export interface ApiSuccess<T> {
  readonly ok: true;
  readonly status: number;
  readonly data: T;
  readonly headers: Headers;
  /** The answer's `ETag`, when it has one. */
  readonly etag?: string;
  /** Read-your-writes: the answer's `specgate-progress` (commands), for a later query or stream. */
  readonly progress?: string;
  /** The query was answered 304 and `data` is the cached copy. */
  readonly notModified?: boolean;
  /** A command accepted for later (202) whose reply was not awaited: where it will be. */
  readonly location?: string;
}

/** An answer with an error status, its body the operation's problem type. */
export interface ApiFailure<E> {
  readonly ok: false;
  readonly status: number;
  readonly error: E;
  readonly headers: Headers;
}

export type ApiResult<T, E> = ApiSuccess<T> | ApiFailure<E>;

/** One server-sent event of a stream, typed by the generated client. */
export type StreamEvent<Events extends { readonly event: string; readonly data: unknown }> =
  | (Events & { readonly id: string })
  | { readonly event: 'delete'; readonly id: string; readonly key: string };

/** An async iterator of events that can be stopped (it then ends; no error). */
export interface EventStream<E> extends AsyncIterableIterator<E> {
  /** The last event id seen: resume from it later with `lastEventId`. */
  readonly lastEventId: string | undefined;
  close(): void;
}

/** What the generated client calls. */
export interface ClientCore {
  /** A command: Idempotency-Key, retries, optional async reply. JSON body parsed when present. */
  command<T, E>(
    op: OperationSpec,
    request: RequestParts,
    options?: CommandOptions,
  ): Promise<ApiResult<T, E>>;
  /** A query or history read: ETag cache, read-your-writes, retries. */
  query<T, E>(
    op: OperationSpec,
    request: RequestParts,
    options?: QueryOptions,
  ): Promise<ApiResult<T, E>>;
  /** Long-poll watch: yields the current value, then each new one. */
  watch<T>(op: OperationSpec, request: RequestParts, options?: WatchOptions): EventStream<T>;
  /**
   * Server-sent events, reconnecting and resuming from the last id. `data` of a named or
   * unnamed event is parsed JSON; a delete's data is decoded to its key.
   */
  stream<Events extends { readonly event: string; readonly data: unknown }>(
    op: OperationSpec,
    request: RequestParts,
    options?: StreamOptions,
  ): EventStream<StreamEvent<Events>>;
}
