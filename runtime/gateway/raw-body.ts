/**
 * Request bodies that are not JSON (design §4: the record value is the request body). For each
 * media type a command declares that is not JSON (`text/plain`, `application/octet-stream`, a
 * form, XML, …) the body is read as bytes — within the body limit, else 413 — and reaches the
 * record as it came: no decoding, no charset guess, no JSON schema (validation.ts lets a Buffer
 * body pass; only this parser makes one). A media type no command declares has no parser, so
 * Fastify answers 415; one that another command declares is refused by the route (commands.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteSpec } from './route-spec.ts';

/** JSON as the generator sees it (bind-routes.ts): json-body.ts parses these. */
export function isJsonMediaType(mediaType: string): boolean {
  const type = mediaEssence(mediaType);
  return type === 'application/json' || type.endsWith('+json');
}

/** `Text/Plain; charset=utf-8` → `text/plain`. */
export function mediaEssence(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The non-JSON request media types the commands declare, each once, sorted. */
export function rawMediaTypes(routes: readonly RouteSpec[]): string[] {
  const types = new Set<string>();
  for (const route of routes) {
    if (route.kind !== 'command') continue;
    for (const type of route.mediaTypes) {
      if (!isJsonMediaType(type)) types.add(mediaEssence(type));
    }
  }
  return [...types].sort();
}

/**
 * Removes Fastify's own `text/plain` parser (it decodes to a string, and no route asked for
 * text unless it declares it) and reads every declared non-JSON media type as bytes.
 */
export function registerRawBodies(app: FastifyInstance, routes: readonly RouteSpec[]): void {
  app.removeContentTypeParser('text/plain');
  const asBytes = (
    _request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void => {
    done(null, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  };
  for (const type of rawMediaTypes(routes)) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, asBytes);
  }
}
