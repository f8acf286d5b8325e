/**
 * Reads server-sent events over Node's fetch, for what a browser's EventSource cannot do on
 * demand: open a stream with a chosen `Last-Event-ID`.
 */

export interface SseEvent {
  /** The `event:` name; `message` when the event has none. */
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

export interface SseStream {
  readonly status: number;
  readonly headers: Headers;
  /** Resolves with the first `count` events (comments and `retry:` skipped); bounded. */
  take(count: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  const parse = (): void => {
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'id') id = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) events.push({ event, id, data: data.join('\n') });
    }
  };
  return {
    status: response.status,
    headers: response.headers,
    async take(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (reader === undefined) throw new Error(`no stream body (status ${response.status})`);
        const left = deadline - Date.now();
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), Math.max(left, 0));
          }),
        ]).finally(() => clearTimeout(timer));
        if (chunk === undefined) {
          throw new Error(
            `${events.length} of ${count} events within ${timeoutMs} ms: ${JSON.stringify(events)}`,
          );
        }
        if (chunk.done) throw new Error(`the stream ended after ${events.length} events`);
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, '\n');
        parse();
      }
      return events.slice(0, count);
    },
    close: () => abort.abort(),
  };
}
