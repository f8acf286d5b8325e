/**
 * The gate in front of secured routes (design.md §9, RFC 6750): reads the bearer token, verifies
 * it, checks the scopes the operation's security requirements ask for, and records the caller.
 * A missing or bad token is `401` with a `WWW-Authenticate` challenge, a missing scope `403`
 * (`insufficient_scope`). It runs before validation, so an unauthenticated request learns
 * nothing about the request shape.
 *
 * The token comes in the `Authorization` header, or — on stream requests only, because
 * `EventSource` cannot set headers — as the `access_token` query parameter (RFC 6750 §2.3),
 * which is then removed from the query so nothing downstream sees or validates it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, sendProblem } from '../problems.ts';
import type { AuthSpec } from '../route-spec.ts';
import { setCaller } from './caller.ts';
import type { AuthOptions } from './auth-options.ts';
import { bearerChallenge, createTokenVerifier, type TokenVerifier } from './jwt.ts';

export type { AuthOptions } from './auth-options.ts';

export const defaultIdentityHeader = 'specgate-identity';

/** Checks one request against a route's security; answers 401/403 itself and returns false. */
export type Authenticate = (
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthSpec,
  /** The route streams this request: `?access_token=` is accepted. */
  stream: boolean,
) => Promise<boolean>;

export function createAuthenticator(options: AuthOptions): Authenticate {
  const verify: TokenVerifier = createTokenVerifier(options);
  const claim = options.identityClaim ?? 'sub';
  const realm = options.realm ?? 'specgate';

  const refuse = (
    reply: FastifyReply,
    problem: HttpProblem,
    challenge: Parameters<typeof bearerChallenge>[1],
  ): false => {
    reply.header('www-authenticate', bearerChallenge(realm, challenge));
    void sendProblem(reply, problem);
    return false;
  };

  return async (request, reply, auth, stream) => {
    const token = tokenOf(request, stream);
    if (token.kind === 'conflict') {
      return refuse(reply, new HttpProblem('UNAUTHENTICATED', token.detail), {
        error: 'invalid_request',
        description: token.detail,
      });
    }
    if (token.kind === 'none') {
      if (auth.optional) return true;
      return refuse(
        reply,
        new HttpProblem('UNAUTHENTICATED', 'this operation needs a bearer token'),
        undefined,
      );
    }
    const verified = await verify(token.token);
    if (!verified.ok) {
      return refuse(
        reply,
        new HttpProblem(
          'UNAUTHENTICATED',
          `the bearer token is not accepted: ${verified.description}`,
        ),
        verified,
      );
    }
    const identity = verified.claims[claim];
    if (typeof identity !== 'string' && typeof identity !== 'number') {
      const description = `the token has no ${claim} claim to identify the caller`;
      return refuse(reply, new HttpProblem('UNAUTHENTICATED', description), {
        error: 'invalid_token',
        description,
      });
    }
    const scopes = verified.scopes;
    const met = auth.scopes.some((alternative) => alternative.every((scope) => scopes.has(scope)));
    if (!met) {
      // The smallest alternative is the least the caller has to ask for.
      const needed = [...auth.scopes].sort((a, b) => a.length - b.length)[0] ?? [];
      return refuse(
        reply,
        new HttpProblem(
          'FORBIDDEN',
          `this operation needs the scope${needed.length === 1 ? '' : 's'} ${needed.join(' ')}`,
        ),
        { error: 'insufficient_scope', scopes: needed },
      );
    }
    const exp = verified.claims.exp;
    setCaller(request, {
      identity: String(identity),
      scopes,
      ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}),
    });
    return true;
  };
}

type TokenSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'conflict'; readonly detail: string };

/** The bearer token of a request; another scheme in `Authorization` counts as none. */
function tokenOf(request: FastifyRequest, stream: boolean): TokenSource {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  let fromQuery: string | undefined;
  if (stream && typeof request.query === 'object' && request.query !== null) {
    const query = request.query as Record<string, unknown>;
    const value = query.access_token;
    if (typeof value === 'string' && value !== '') fromQuery = value;
    // Never validated, never passed on: the token is the gate's alone.
    delete query.access_token;
  }
  if (match?.[1] !== undefined && fromQuery !== undefined) {
    return {
      kind: 'conflict',
      detail: 'send the token once: in the Authorization header or as access_token, not both',
    };
  }
  const token = match?.[1] ?? fromQuery;
  return token === undefined ? { kind: 'none' } : { kind: 'token', token };
}
