/** One dispatched server-sent event. */
export interface SseMessage {
  /** `event:`; `message` when the event had none. */
  readonly event: string;
  /** The `data:` lines joined by `\n`. */
  readonly data: string;
  /** The last event ID after this event (the stream's, when the event set none). */
  readonly id: string;
}

/**
 * The WHATWG HTML "event stream interpretation" (§9.2.6) over decoded text in arbitrary
 * chunks: lines end in CRLF, LF or CR (a CRLF may be split across chunks), one leading BOM is
 * dropped, `:` lines are comments, a blank line dispatches, an event without data is not
 * dispatched. The last event ID and the reconnection time outlive a connection; `reset()`
 * starts the next one.
 */
export class SseParser {
  /** The last event ID: what a reconnect sends as `Last-Event-ID` (when not empty). */
  lastEventId: string;
  /** The server's `retry:`, in ms, once it sent one. */
  retryMs: number | undefined;

  #line = '';
  #data: string[] = [];
  #event = '';
  #idBuffer: string;
  #afterCr = false;
  #started = false;

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
    this.#idBuffer = lastEventId;
  }

  /** A new connection: the buffers and the BOM check start over; the last ID stays. */
  reset(): void {
    this.#line = '';
    this.#data = [];
    this.#event = '';
    this.#idBuffer = this.lastEventId;
    this.#afterCr = false;
    this.#started = false;
  }

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseMessage[] {
    let chunk = text;
    if (!this.#started && chunk !== '') {
      this.#started = true;
      if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
    }
    const messages: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const char = chunk[i];
      if (char !== '\n' && char !== '\r') continue;
      if (char === '\n' && this.#afterCr && i === start && this.#line === '') {
        // The LF of a CRLF whose CR ended the previous line.
        this.#afterCr = false;
        start = i + 1;
        continue;
      }
      this.#line += chunk.slice(start, i);
      this.#afterCr = char === '\r';
      const message = this.#processLine(this.#line);
      if (message !== undefined) messages.push(message);
      this.#line = '';
      start = i + 1;
    }
    if (start < chunk.length) {
      this.#line += chunk.slice(start);
      this.#afterCr = false;
    }
    return messages;
  }

  #processLine(line: string): SseMessage | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    this.lastEventId = this.#idBuffer;
    const data = this.#data;
    const event = this.#event;
    this.#data = [];
    this.#event = '';
    if (data.length === 0) return undefined;
    return { event: event === '' ? 'message' : event, data: data.join('\n'), id: this.lastEventId };
  }
}
