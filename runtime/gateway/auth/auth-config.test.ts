import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { authFromConfig } from './auth-config.ts';

let dir: string;
/** Where a generated server would sit: `<out>/gateway/server.ts`, the config two levels up. */
let server: URL;
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const secret = 'a-shared-secret-of-at-least-32-characters';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'specgate-auth-'));
  await writeFile(join(dir, 'public.pem'), pem);
  await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ kty: 'EC', kid: 'a' }] }));
  await writeFile(join(dir, 'broken.json'), '{"keys": 3}');
  server = pathToFileURL(join(dir, 'generated/gateway/server.ts'));
});

describe('authFromConfig', () => {
  it('is undefined when neither the config nor the environment names a key', () => {
    expect(authFromConfig({ issuer: 'https://id.test/' }, server, {})).toBeUndefined();
  });

  it('reads key files relative to the server, and the secret from the environment only', () => {
    expect(authFromConfig({ publicKeyFile: '../../public.pem' }, server, {})).toEqual({
      keys: { pem },
    });
    expect(authFromConfig({ jwksFile: '../../jwks.json' }, server, {})?.keys).toEqual({
      jwks: { keys: [{ kty: 'EC', kid: 'a' }] },
    });
    expect(authFromConfig({}, server, { SPECGATE_AUTH_SECRET: secret })?.keys).toEqual({ secret });
    expect(
      authFromConfig({ secretEnv: 'TODO_JWT_SECRET' }, server, { TODO_JWT_SECRET: secret })?.keys,
    ).toEqual({ secret });
  });

  it('lets SPECGATE_AUTH_* variables override the config', () => {
    const auth = authFromConfig(
      {
        jwksUrl: 'https://id.test/jwks',
        issuer: 'https://id.test/',
        audience: 'a',
        identityClaim: 'email',
      },
      server,
      { SPECGATE_AUTH_JWKS_URL: 'https://other.test/jwks', SPECGATE_AUTH_AUDIENCE: 'b' },
    );
    expect(auth).toEqual({
      keys: { jwksUrl: 'https://other.test/jwks' },
      issuer: 'https://id.test/',
      audience: 'b',
      identityClaim: 'email',
    });
  });

  it('refuses two kinds of key, and unreadable or malformed key files, naming them', () => {
    expect(() =>
      authFromConfig({ publicKeyFile: '../../public.pem' }, server, {
        SPECGATE_AUTH_SECRET: secret,
      }),
    ).toThrow(/one kind of key, not a public key file and SPECGATE_AUTH_SECRET/);
    expect(() => authFromConfig({ publicKeyFile: '../../nope.pem' }, server, {})).toThrow(
      /cannot read the public key file .*nope\.pem/,
    );
    expect(() => authFromConfig({ jwksFile: '../../broken.json' }, server, {})).toThrow(
      /broken\.json has no "keys" list/,
    );
  });
});
