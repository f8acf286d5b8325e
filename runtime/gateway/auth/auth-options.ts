/**
 * How the gateway checks bearer tokens (design.md §9): types only, so `GatewayOptions` (and the
 * generated code's type check) need nothing of jose or Fastify.
 */

/** A JSON Web Key Set, as a JWKS document holds it. */
export interface JsonWebKeySet {
  readonly keys: readonly { readonly [member: string]: unknown }[];
}

export type TokenKeys =
  | { readonly jwks: JsonWebKeySet }
  | { readonly jwksUrl: string }
  | { readonly pem: string }
  | { readonly secret: string };

export interface TokenVerifierOptions {
  readonly keys: TokenKeys;
  /** Accepted algorithms; default: what the key type allows (HS* for a secret, …). */
  readonly algorithms?: readonly string[];
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** Seconds of clock difference tolerated for `exp`, `nbf` and `iat`. Default 30. */
  readonly clockToleranceSeconds?: number;
}

export interface AuthOptions extends TokenVerifierOptions {
  /** The claim that names the caller; default `sub`. */
  readonly identityClaim?: string;
  /** The Kafka header carrying the caller's identity on command records; default `specgate-identity`. */
  readonly identityHeader?: string;
  /** The `realm` of `WWW-Authenticate`; default the API's title. */
  readonly realm?: string;
}

/** What `specgate.yaml` may say under `auth`; file paths relative to the config file. */
export interface AuthConfig {
  readonly jwksUrl?: string;
  readonly jwksFile?: string;
  readonly publicKeyFile?: string;
  /** The environment variable holding a shared HMAC secret; default `SPECGATE_AUTH_SECRET`. */
  readonly secretEnv?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly algorithms?: readonly string[];
  readonly clockToleranceSeconds?: number;
  readonly identityClaim?: string;
  readonly identityHeader?: string;
}
