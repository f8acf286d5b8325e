/**
 * The value of a command record (design §4): the request body as the record carries it. A
 * tombstone route writes null; a body-less request writes null one-way, or an empty, non-null
 * value when a reply is awaited (so the command still reaches the service).
 */
import type { CommandRouteSpec } from './route-spec.ts';

export function commandValue(route: CommandRouteSpec, body: unknown): string | null {
  if (route.tombstone) return null;
  if (body === undefined || body === null) return route.reply === undefined ? null : '';
  return JSON.stringify(body);
}
