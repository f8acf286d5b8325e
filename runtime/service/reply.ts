/**
 * Reply records (design.md §4, request-reply): `:status`, the echoed correlation id, the
 * handler's headers, a `content-type` when there is a body, and `specgate-progress` naming where
 * the command's events and snapshots landed. Failures answer RFC 9457 problem+json.
 */
import { STATUS_CODES } from 'node:http';
import { encodeJson } from './context.ts';
import type { Reply } from './types.ts';

export const problemMediaType = 'application/problem+json';

/** A reply ready to write: its value, and its headers other than correlation and progress. */
export interface EncodedReply {
  readonly status: number;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The problem+json reply of a failure. */
export function problemReply(status: number, detail: string): EncodedReply {
  const body = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
  return {
    status,
    value: JSON.stringify(body),
    headers: { ':status': String(status), 'content-type': problemMediaType },
  };
}

/** Encodes what a handler returned; throws (failing the handler) for a reply it cannot send. */
export function encodeReply(reply: Reply): EncodedReply {
  const status = reply.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`the reply status ${String(status)} is not an HTTP status`);
  }
  const headers: Record<string, string> = {};
  let value = '';
  if (reply.body !== undefined) {
    value = typeof reply.body === 'string' ? reply.body : encodeJson(reply.body);
    headers['content-type'] = status >= 400 ? problemMediaType : 'application/json';
  }
  for (const [name, text] of Object.entries(reply.headers ?? {})) {
    if (typeof text !== 'string') throw new TypeError(`the reply header ${name} is not a string`);
    headers[name.toLowerCase()] = text;
  }
  headers[':status'] = String(status);
  return { status, value, headers };
}
