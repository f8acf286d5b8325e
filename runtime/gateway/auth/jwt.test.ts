/**
 * Token verification: good tokens pass with their scopes; every way a token can be wrong —
 * expired, not yet valid, another issuer or audience, a forged or confused signature, `none` —
 * is an `invalid_token` answer; the clock tolerance holds; keys from a secret, a PEM, a JWKS and
 * a JWKS URL served over real HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerChallenge, createTokenVerifier } from './jwt.ts';

const secret = 'a shared secret of at least thirty-two characters';
const now = () => Math.floor(Date.now() / 1000);

async function hs256(claims: JWTPayload, key = secret, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key));
}

describe('createTokenVerifier', () => {
  const verify = createTokenVerifier({
    keys: { secret },
    issuer: 'https://issuer.test',
    audience: 'specgate',
    clockToleranceSeconds: 5,
  });
  const valid = { iss: 'https://issuer.test', aud: 'specgate', sub: 'alice' };

  it('accepts a good token and reads its scopes from scope or scp', async () => {
    const result = await verify(await hs256({ ...valid, exp: now() + 60, scope: 'read write' }));
    expect(result).toMatchObject({ ok: true, claims: { sub: 'alice' } });
    expect(result.ok && [...result.scopes]).toEqual(['read', 'write']);
    const scp = await verify(await hs256({ ...valid, scp: ['admin'] }));
    expect(scp.ok && [...scp.scopes]).toEqual(['admin']);
  });

  it.each([
    ['expired', { exp: now() - 60 }, 'the token has expired'],
    ['not valid yet', { nbf: now() + 60 }, 'the token is not valid yet'],
    ['another issuer', { iss: 'https://evil.test' }, 'the iss claim is not accepted'],
    ['another audience', { aud: 'someone-else' }, 'the aud claim is not accepted'],
  ])('refuses a token %s', async (_name, claims, description) => {
    expect(await verify(await hs256({ ...valid, ...claims }))).toEqual({
      ok: false,
      error: 'invalid_token',
      description,
    });
  });

  it('tolerates a few seconds of clock difference, not more', async () => {
    expect((await verify(await hs256({ ...valid, exp: now() - 2 }))).ok).toBe(true);
    expect((await verify(await hs256({ ...valid, exp: now() - 10 }))).ok).toBe(false);
  });

  it('refuses a forged signature, an algorithm not pinned, alg none and garbage', async () => {
    const forged = await hs256(valid, 'another secret that is long enough to be used');
    expect(await verify(forged)).toMatchObject({
      description: 'the token signature does not verify',
    });
    const hs512 = await hs256(valid, secret, 'HS512');
    const pinned = createTokenVerifier({ keys: { secret }, algorithms: ['HS256'] });
    expect(await pinned(hs512)).toMatchObject({
      description: 'the token is signed with an algorithm not accepted here',
    });
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify(valid),
    ).toString('base64url')}.`;
    expect(await verify(none)).toMatchObject({ ok: false, error: 'invalid_token' });
    expect(await verify('not a token')).toMatchObject({ description: 'the token is malformed' });
  });

  it('never takes an HMAC over a public key (the HS/RS confusion)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const verifyPem = createTokenVerifier({ keys: { pem } });
    const signed = await new SignJWT(valid).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    expect((await verifyPem(signed)).ok).toBe(true);
    // Signed with the public key's PEM text as an HMAC secret: must not pass.
    const confused = await hs256(valid, pem);
    expect(await verifyPem(confused)).toMatchObject({
      ok: false,
      description: 'the token is signed with an algorithm not accepted here',
    });
    expect(() => createTokenVerifier({ keys: { pem }, algorithms: ['HS256'] })).toThrow(
      /do not fit the configured key/,
    );
    expect(() => createTokenVerifier({ keys: { secret: 'short' } })).toThrow(/32 characters/);
  });

  describe('with a JWKS', () => {
    let server: Server;
    let url = '';
    let sign: (claims: JWTPayload, kid: string) => Promise<string>;
    let jwks: { keys: Awaited<ReturnType<typeof exportJWK>>[] };

    beforeAll(async () => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] };
      sign = (claims, kid) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(pair.privateKey);
      server = createServer((_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(jwks));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('verifies by kid, from a key set in the config and from a URL', async () => {
      for (const keys of [{ jwks }, { jwksUrl: url }]) {
        const verifySet = createTokenVerifier({ keys });
        expect((await verifySet(await sign(valid, 'k1'))).ok).toBe(true);
        expect(await verifySet(await sign(valid, 'unknown'))).toMatchObject({
          ok: false,
          description: 'no key matches the token',
        });
      }
    });
  });
});

describe('bearerChallenge', () => {
  it('writes RFC 6750 challenges, leaving out what a quoted value may not hold', () => {
    expect(bearerChallenge('specgate')).toBe('Bearer realm="specgate"');
    expect(
      bearerChallenge('spec"gate', { error: 'invalid_token', description: 'say "hi" \\o/' }),
    ).toBe('Bearer realm="specgate", error="invalid_token", error_description="say hi o/"');
    expect(bearerChallenge('specgate', { error: 'invalid_request', description: 'twice' })).toBe(
      'Bearer realm="specgate", error="invalid_request", error_description="twice"',
    );
    expect(
      bearerChallenge('specgate', { error: 'insufficient_scope', scopes: ['tasks:write', 'x'] }),
    ).toBe('Bearer realm="specgate", error="insufficient_scope", scope="tasks:write x"');
  });
});
