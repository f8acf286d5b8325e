/**
 * Async answers live at `<command path>;cid=<correlation id>` (design §4, Zilla's form). The
 * route that serves them must see that `;cid=` as the client wrote it: find-my-way matches a
 * segment with several parameters against the segment percent-decoded, so `/tasks/a%3Bcid%3Db`
 * — the task whose id is `a;cid=b` (RFC 3986 §2.2: an encoded reserved character is data) —
 * would reach the async route as task `a`, correlation id `b`. This route constraint lets the
 * async routes match only a request whose path has a literal `;cid=`; any other falls through
 * to the routes of the path's own parameters.
 */
import type { FastifyInstance } from 'fastify';

type Strategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];
type Handler = Parameters<ReturnType<Strategy['storage']>['set']>[1];

const name = 'specgateAsyncReply';
const literal = 'literal';

/** The route option of an async answer route. */
export const asyncReplyConstraints = { [name]: literal } as const;

/** Adds the constraint to `app`; call once, before the async answer routes. */
export function addAsyncReplyConstraint(app: FastifyInstance): void {
  app.addConstraintStrategy({
    name,
    // Other routes match whatever this derives.
    mustMatchWhenDerived: false,
    storage() {
      const handlers = new Map<unknown, Handler>();
      return {
        get: (value) => handlers.get(value) ?? null,
        set: (value, handler) => void handlers.set(value, handler),
      };
    },
    deriveConstraint(request) {
      const url = request.url ?? '';
      const query = url.indexOf('?');
      // Undefined: nothing derived, so only routes without the constraint match.
      return (query === -1 ? url : url.slice(0, query)).includes(';cid=') ? literal : undefined;
    },
  });
}
