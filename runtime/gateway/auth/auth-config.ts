/**
 * The `auth` of `specgate.yaml` as the generated `server.ts` passes it, resolved at start-up
 * into {@link AuthOptions}: key files read, the shared secret taken from the environment (never
 * from a file in the repository), and `SPECGATE_AUTH_*` variables overriding the config.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuthConfig, AuthOptions, JsonWebKeySet, TokenKeys } from './auth-options.ts';

export type { AuthConfig } from './auth-options.ts';

type Env = { readonly [name: string]: string | undefined };

/**
 * Resolves the keys and checks; undefined when neither the config nor the environment names a
 * key (the gateway then refuses to start if a route is secured). `base` is where relative file
 * paths of the config start (the generated server's URL plus the way back to the config).
 */
export function authFromConfig(
  config: AuthConfig,
  base: string | URL,
  env: Env = process.env,
): AuthOptions | undefined {
  const given = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const secretEnv = config.secretEnv ?? 'SPECGATE_AUTH_SECRET';
  // The environment wins over the config; the working directory is where its paths start.
  const cwd = `${process.cwd()}/`;
  const sources: { name: string; keys: () => TokenKeys }[] = [];
  const jwksUrl = given('SPECGATE_AUTH_JWKS_URL') ?? config.jwksUrl;
  const jwksFile = pathOf(given('SPECGATE_AUTH_JWKS_FILE'), cwd) ?? pathOf(config.jwksFile, base);
  const pemFile =
    pathOf(given('SPECGATE_AUTH_PUBLIC_KEY_FILE'), cwd) ?? pathOf(config.publicKeyFile, base);
  const secret = given(secretEnv);
  if (jwksUrl !== undefined) sources.push({ name: 'a JWKS URL', keys: () => ({ jwksUrl }) });
  if (jwksFile !== undefined) {
    sources.push({ name: 'a JWKS file', keys: () => ({ jwks: readJwks(jwksFile) }) });
  }
  if (pemFile !== undefined) {
    sources.push({
      name: 'a public key file',
      keys: () => ({ pem: readText(pemFile, 'the public key file') }),
    });
  }
  if (secret !== undefined) sources.push({ name: `${secretEnv}`, keys: () => ({ secret }) });
  if (sources.length === 0) return undefined;
  const [source, ...others] = sources;
  if (source === undefined || others.length > 0) {
    throw new Error(
      `auth: give one kind of key, not ${sources.map((s) => s.name).join(' and ')}: one key kind pins one algorithm family`,
    );
  }
  const issuer = given('SPECGATE_AUTH_ISSUER') ?? config.issuer;
  const audience = given('SPECGATE_AUTH_AUDIENCE') ?? config.audience;
  return {
    keys: source.keys(),
    ...(config.algorithms === undefined ? {} : { algorithms: config.algorithms }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
    ...(config.clockToleranceSeconds === undefined
      ? {}
      : { clockToleranceSeconds: config.clockToleranceSeconds }),
    ...(config.identityClaim === undefined ? {} : { identityClaim: config.identityClaim }),
    ...(config.identityHeader === undefined ? {} : { identityHeader: config.identityHeader }),
  };
}

function pathOf(path: string | undefined, base: string | URL): string | undefined {
  return path === undefined ? undefined : fileURLToPath(new URL(path, toUrl(base)));
}

function toUrl(base: string | URL): URL {
  if (base instanceof URL) return base;
  return base.startsWith('file:') ? new URL(base) : new URL(`file://${base}`);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`auth: cannot read ${what} ${path}: ${reason}`, { cause: error });
  }
}

function readJwks(path: string): JsonWebKeySet {
  const text = readText(path, 'the JWKS file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`auth: the JWKS file ${path} is not JSON`, { cause: error });
  }
  const keys: unknown =
    typeof parsed === 'object' && parsed !== null && 'keys' in parsed ? parsed.keys : undefined;
  if (!Array.isArray(keys) || !keys.every(isObject)) {
    throw new Error(`auth: the JWKS file ${path} has no "keys" list of keys`);
  }
  return { keys: keys.filter(isObject) };
}

function isObject(value: unknown): value is { readonly [member: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
