// Test helper: a plain SSE client over Node's fetch, parsing the text as the WHATWG
// "event stream interpretation" does, and keeping comments and `retry:` so tests can see them.

/** One thing read from the stream. */
export type SseMessage =
  | { readonly type: 'event'; readonly event: string; readonly id: string; readonly data: string }
  | { readonly type: 'comment'; readonly text: string }
  | { readonly type: 'retry'; readonly ms: number };

export class SseClient {
  readonly response: Response;
  /** Every byte read so far, as text. */
  text = '';
  /** The last `id:` seen, as the browser keeps it for its reconnect. */
  lastEventId = '';
  readonly #controller: AbortController;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  readonly #queue: SseMessage[] = [];
  #buffer = '';
  #event = { event: '', data: [] as string[], hasData: false };
  #ended = false;
  #inflight: Promise<void> | undefined;

  private constructor(response: Response, controller: AbortController) {
    this.response = response;
    this.#controller = controller;
    if (response.body === null) throw new Error('SSE response has no body');
    this.#reader = response.body.getReader();
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    return new SseClient(response, controller);
  }

  /** The next event, comment or retry; rejects after `timeoutMs` or when the stream ends. */
  async next(timeoutMs = 10_000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) return message;
      if (this.#ended) throw new Error('SSE stream ended');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no SSE message within ${timeoutMs} ms`);
      await this.#read(remaining);
    }
  }

  /** The next `count` events, skipping comments and retries. */
  async events(
    count: number,
    timeoutMs = 10_000,
  ): Promise<Extract<SseMessage, { type: 'event' }>[]> {
    const found: Extract<SseMessage, { type: 'event' }>[] = [];
    const deadline = Date.now() + timeoutMs;
    while (found.length < count) {
      const message = await this.next(Math.max(1, deadline - Date.now()));
      if (message.type === 'event') found.push(message);
    }
    return found;
  }

  /** Events that arrive within `ms` (for "nothing more comes"). */
  async eventsWithin(ms: number): Promise<Extract<SseMessage, { type: 'event' }>[]> {
    const found: Extract<SseMessage, { type: 'event' }>[] = [];
    const deadline = Date.now() + ms;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return found;
      try {
        const message = await this.next(remaining);
        if (message.type === 'event') found.push(message);
      } catch {
        return found;
      }
    }
  }

  /** Resolves true once the server ends the stream (done or reset), false after `timeoutMs`. */
  async ended(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.#read(remaining);
      this.#queue.length = 0;
    }
    return true;
  }

  close(): void {
    this.#controller.abort();
  }

  async #read(timeoutMs: number): Promise<void> {
    // A read that outlives its timeout stays in flight; the next call waits for the same one.
    this.#inflight ??= this.#reader
      .read()
      .then(
        (result) => this.#take(result),
        () => {
          this.#ended = true;
        },
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#inflight,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  #take(result: ReadableStreamReadResult<Uint8Array>): void {
    if (result.done) {
      this.#ended = true;
      return;
    }
    const chunk = this.#decoder.decode(result.value, { stream: true });
    this.text += chunk;
    this.#buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (match === null) return;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#event.hasData) {
        this.#queue.push({
          type: 'event',
          event: this.#event.event === '' ? 'message' : this.#event.event,
          id: this.lastEventId,
          data: this.#event.data.join('\n'),
        });
      }
      this.#event = { event: '', data: [], hasData: false };
      return;
    }
    if (line.startsWith(':')) {
      this.#queue.push({ type: 'comment', text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event.event = value;
    else if (field === 'data') {
      this.#event.data.push(value);
      this.#event.hasData = true;
    } else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) {
      this.#queue.push({ type: 'retry', ms: Number(value) });
    }
  }
}
