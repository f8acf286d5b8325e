/**
 * Server-sent events framing (WHATWG HTML §9.2 "Server-sent events") and the event id in Zilla's
 * form (design.md §6): `["<base64url key>","<progress>[/<etag>]"]`, so clients written for
 * Zilla parse it and a reconnect resumes from it.
 */
import { decodeProgress, type Progress } from '../progress.ts';

/** One event as it goes on the wire. */
export interface SseEvent {
  /** Omitted: the browser dispatches it as `message`. */
  readonly event?: string;
  readonly id?: string;
  /** Split on CR, LF and CRLF into one `data:` line each, as the parser joins them with LF. */
  readonly data: string;
}

/** The text of one event, ending in the blank line that dispatches it. */
export function formatEvent(event: SseEvent): string {
  let text = '';
  if (event.event !== undefined) text += `event: ${singleLine(event.event)}\n`;
  if (event.id !== undefined) text += `id: ${singleLine(event.id)}\n`;
  for (const line of event.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** The reconnection time in ms; the parser ignores anything that is not ASCII digits. */
export function formatRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/** A comment line: the parser ignores it, proxies and the socket see traffic (a heartbeat). */
export function formatComment(text = ''): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (line === '' ? ':\n' : `: ${line}\n`))
    .join('');
}

/**
 * An `event:` or `id:` value cannot hold a line break (it would end the field); an `id:` with
 * NUL is ignored by the parser. Both are replaced by a space, which never occurs in our ids.
 */
function singleLine(value: string): string {
  return value.replace(/[\r\n\0]/g, ' ');
}

/** What an event id names: the record key and how far the stream had got. */
export interface EventId {
  /** The record key, raw bytes. */
  readonly key: Buffer;
  /** The progress token, as sent. */
  readonly token: string;
  readonly progress: Progress;
  /** The record's own `etag` header, when it had one. */
  readonly recordEtag?: string;
}

/** Zilla's id: a JSON array of the base64url key (padded, as Java's URL encoder) and the etag. */
export function encodeEventId(
  key: Buffer | string,
  progressToken: string,
  recordEtag?: string,
): string {
  const etag = recordEtag === undefined ? progressToken : `${progressToken}/${recordEtag}`;
  return JSON.stringify([encodeKey(key), etag]);
}

/** The key as tombstone data and in ids: base64url with `=` padding. */
export function encodeKey(key: Buffer | string): string {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return bytes.toString('base64url') + '='.repeat((3 - (bytes.length % 3)) % 3);
}

/**
 * Reads an id (from `Last-Event-ID` or `?lastEventId=`); undefined for anything that is not one.
 * A bare progress token or ETag is accepted too, as the query ETag names the same position.
 */
export function parseEventId(text: string): EventId | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return parseEtagPart(Buffer.alloc(0), text.trim());
  }
  // A quoted ETag is a JSON string.
  if (typeof parsed === 'string') return parseEtagPart(Buffer.alloc(0), parsed);
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [key, etag] = parsed as unknown[];
  if (typeof key !== 'string' || typeof etag !== 'string') return undefined;
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(key)) return undefined;
  return parseEtagPart(Buffer.from(key.replace(/=+$/, ''), 'base64url'), etag);
}

function parseEtagPart(key: Buffer, etag: string): EventId | undefined {
  const unquoted =
    etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
  const slash = unquoted.indexOf('/');
  const token = slash === -1 ? unquoted : unquoted.slice(0, slash);
  const progress = decodeProgress(token);
  if (progress === undefined) return undefined;
  return slash === -1
    ? { key, token, progress }
    : { key, token, progress, recordEtag: unquoted.slice(slash + 1) };
}
