/**
 * JSON request bodies: `application/json` and every `application/*+json`, read as bytes and
 * parsed by Fastify's own JSON parser (which refuses `__proto__` and `constructor.prototype`
 * keys), after two checks of its own. Each failure is a 400 `MALFORMED_JSON` problem:
 *
 * - the bytes must be UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). Decoded
 *   leniently, a stray byte would become U+FFFD and reach Kafka as if the client had sent it;
 * - arrays and objects nest at most {@link maxJsonDepth} deep. JSON.parse itself does not
 *   recurse, but what comes after it does (JSON.stringify of the record value, the idempotency
 *   hash, schema checks): a body nested a million deep would overflow the stack there.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The deepest nesting of arrays and objects a body may have. */
export const maxJsonDepth = 256;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Replaces Fastify's `application/json` parser and adds one for `application/*+json`. */
export function registerJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parser = (
    request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : utf8.decode(body);
    } catch {
      done(malformed('its bytes are not UTF-8 (RFC 8259 §8.1)'));
      return;
    }
    const depth = nestingDepth(text);
    if (depth > maxJsonDepth) {
      done(malformed(`it nests ${depth} deep, more than the ${maxJsonDepth} accepted`));
      return;
    }
    parseJson(request, text, done);
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser);
  app.addContentTypeParser(/^application\/[\w.+-]*\+json$/, { parseAs: 'buffer' }, parser);
}

/**
 * How deep the arrays and objects of a JSON text nest, brackets inside strings not counted. The
 * text need not be valid JSON: an invalid one fails in the parser after this.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // `\`: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/** A parse failure as Fastify's own parsers report one: the error handler makes it a 400. */
function malformed(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}
