/**
 * The value of a command record (design §4): the request body as the record carries it. A
 * tombstone route writes null; a body-less request writes null one-way, or an empty, non-null
 * value when a reply is awaited (so the command still reaches the service). A JSON body is
 * written as JSON text; a body of another media type (raw-body.ts reads it as bytes) is written
 * byte for byte as it came.
 */
import type { CommandRouteSpec } from './route-spec.ts';

export function commandValue(route: CommandRouteSpec, body: unknown): Buffer | string | null {
  if (route.tombstone) return null;
  if (body === undefined || body === null) return route.reply === undefined ? null : '';
  if (Buffer.isBuffer(body)) return body;
  return JSON.stringify(body);
}

/**
 * The record's `content-type`: a JSON body's media type alone (its value is re-serialized, so
 * a charset would say nothing); a raw body's header as sent, parameters and all, because they
 * say how to read its bytes (`charset`, a multipart `boundary`).
 */
export function commandContentType(body: unknown, header: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body) && header !== undefined) return header.trim();
  return header?.split(';')[0] ?? 'application/json';
}
