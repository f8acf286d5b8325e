/**
 * Bearer token verification (design.md §9, issue 9), with `jose`: a token is accepted only when
 * its signature checks against a configured key with an algorithm pinned to that key — never
 * `none`, and never an HMAC over a public key's text (the HS/RS confusion) — and its `iss`,
 * `aud`, `exp` and `nbf` hold, with a small clock tolerance. Failures come back as RFC 6750
 * answers (`invalid_token` and why), never as exceptions.
 *
 * Keys: a JWKS (a file's contents or a URL, fetched and cached by jose), a PEM (SPKI public key
 * or X.509 certificate), or a shared secret (HMAC).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { TokenKeys, TokenVerifierOptions } from './auth-options.ts';

export type { TokenKeys, TokenVerifierOptions } from './auth-options.ts';

export type VerifiedToken =
  | {
      readonly ok: true;
      readonly claims: JWTPayload;
      /** From `scope` (space-separated) or `scp` (a list). */
      readonly scopes: ReadonlySet<string>;
    }
  | { readonly ok: false; readonly error: 'invalid_token'; readonly description: string };

export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

const hmac = ['HS256', 'HS384', 'HS512'];
const rsa = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const ec = ['ES256', 'ES384', 'ES512'];
const okp = ['EdDSA', 'Ed25519'];

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { key, algorithms } = resolveKey(options.keys);
  const pinned = options.algorithms ?? algorithms;
  // An algorithm the key cannot use is a configuration mistake, not a token problem.
  const refused = pinned.filter((alg) => !algorithms.includes(alg));
  if (refused.length > 0 || pinned.length === 0) {
    throw new Error(
      `auth: algorithms ${refused.join(', ') || '(none)'} do not fit the configured key (it allows ${algorithms.join(', ')})`,
    );
  }
  const verifyOptions = {
    algorithms: [...pinned],
    clockTolerance: options.clockToleranceSeconds ?? 30,
    ...(options.issuer === undefined ? {} : { issuer: toList(options.issuer) }),
    ...(options.audience === undefined ? {} : { audience: toList(options.audience) }),
  };
  return async (token) => {
    try {
      // Two calls: jose's overloads take a key set and a key apart.
      const { payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      return { ok: true, claims: payload, scopes: scopesOf(payload) };
    } catch (error) {
      return { ok: false, error: 'invalid_token', description: describe(error) };
    }
  };
}

/** The key, and the algorithms its type allows. */
function resolveKey(keys: TokenKeys): {
  key: KeyObject | Uint8Array | JWTVerifyGetKey;
  algorithms: readonly string[];
} {
  if ('secret' in keys) {
    if (keys.secret.length < 32) {
      throw new Error(
        'auth: a shared secret must be at least 32 characters (HS256 wants 256 bits)',
      );
    }
    return { key: new TextEncoder().encode(keys.secret), algorithms: hmac };
  }
  if ('pem' in keys) {
    const key = createPublicKey(keys.pem);
    const type = key.asymmetricKeyType;
    const algorithms =
      type === 'rsa' || type === 'rsa-pss'
        ? rsa
        : type === 'ec'
          ? ec
          : type === 'ed25519'
            ? okp
            : [];
    return { key, algorithms };
  }
  // A key set: each key is used with its own `alg` or what its type allows (jose checks).
  const set =
    'jwks' in keys
      ? createLocalJWKSet({ keys: [...keys.jwks.keys] })
      : createRemoteJWKSet(new URL(keys.jwksUrl));
  return { key: set, algorithms: [...rsa, ...ec, ...okp] };
}

function scopesOf(claims: JWTPayload): ReadonlySet<string> {
  const scope = claims.scope;
  if (typeof scope === 'string') return new Set(scope.split(' ').filter((s) => s !== ''));
  const scp = claims.scp;
  if (Array.isArray(scp)) return new Set(scp.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

/** What the client is told: enough to fix its token, nothing about our keys. */
function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf'
      ? 'the token is not valid yet'
      : `the ${error.claim} claim is not accepted`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm not accepted here';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the token signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key matches the token';
  return 'the token is malformed';
}

function toList(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}

/** RFC 6750 §3: the `WWW-Authenticate` value of a 401 or 403. */
export function bearerChallenge(
  realm: string,
  problem?:
    | {
        readonly error: 'invalid_token' | 'invalid_request';
        readonly description: string;
      }
    | { readonly error: 'insufficient_scope'; readonly scopes: readonly string[] },
): string {
  const parts = [`realm="${quoted(realm)}"`];
  if (problem?.error === 'invalid_token' || problem?.error === 'invalid_request') {
    parts.push(`error="${problem.error}"`, `error_description="${quoted(problem.description)}"`);
  } else if (problem?.error === 'insufficient_scope') {
    parts.push('error="insufficient_scope"', `scope="${quoted(problem.scopes.join(' '))}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/** RFC 6750 §3: `error_description` and `scope` may not hold `"` or `\`; the realm is quoted. */
function quoted(text: string): string {
  return text.replace(/["\\]/g, '');
}
