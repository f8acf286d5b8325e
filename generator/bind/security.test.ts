import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../diagnostics.ts';
import type { HttpApi, SecurityRequirement, SecurityScheme } from '../ir/types.ts';
import { at, httpOp, openapiFile } from './fixtures/ir.ts';
import { routeAuth } from './security.ts';

function scheme(name: string, fields: Partial<SecurityScheme>): SecurityScheme {
  return {
    name,
    type: 'http',
    scopes: [],
    source: at(openapiFile, `/components/securitySchemes/${name}`),
    ...fields,
  };
}

const schemes = [
  scheme('bearer', { type: 'http', scheme: 'bearer' }),
  scheme('oauth', { type: 'oauth2', scopes: ['read', 'write'] }),
  scheme('oidc', {
    type: 'openIdConnect',
    openIdConnectUrl: 'https://id.test/.well-known/openid-configuration',
  }),
  scheme('key', { type: 'apiKey', in: 'header', parameterName: 'x-api-key' }),
  scheme('basic', { type: 'http', scheme: 'basic' }),
];

function authOf(security: SecurityRequirement[]) {
  const op = { ...httpOp('post', '/a', 'op'), security };
  const http: HttpApi = {
    file: openapiFile,
    specVersion: '3.1.0',
    title: 'T',
    version: '1',
    operations: [op],
    webhooks: [],
    securitySchemes: schemes,
    source: at(openapiFile, ''),
  };
  const diagnostics = new Diagnostics();
  const auth = routeAuth(http, op, diagnostics);
  return { auth, diagnostics: diagnostics.items.map((d) => `${d.code} ${d.severity}`) };
}

const req = (...pairs: [string, string[]][]): SecurityRequirement => ({
  schemes: pairs.map(([name, scopes]) => ({ scheme: name, scopes })),
});

describe('routeAuth', () => {
  it('leaves an operation without security open', () => {
    expect(authOf([])).toEqual({ auth: undefined, diagnostics: [] });
  });

  it('takes each bearer alternative with its scopes, sorted and merged per alternative', () => {
    expect(
      authOf([req(['oauth', ['write', 'read']]), req(['bearer', []], ['oidc', ['admin']])]),
    ).toEqual({
      auth: { scopes: [['read', 'write'], ['admin']], optional: false },
      diagnostics: [],
    });
  });

  it('reads `{}` beside a bearer alternative as optional, and alone as open', () => {
    expect(authOf([req(), req(['bearer', []])]).auth).toEqual({ scopes: [[]], optional: true });
    expect(authOf([req()]).auth).toBeUndefined();
  });

  it('drops alternatives it cannot check, with a warning, and fails closed when none is left', () => {
    expect(authOf([req(['key', []]), req(['oauth', ['read']])])).toEqual({
      auth: { scopes: [['read']], optional: false },
      diagnostics: ['SG_SECURITY_UNSUPPORTED warning'],
    });
    expect(authOf([req(['basic', []])])).toEqual({
      auth: { scopes: [], optional: false },
      diagnostics: ['SG_SECURITY_UNSUPPORTED warning'],
    });
    // An alternative needing a bearer token AND an API key cannot be met either.
    expect(authOf([req(['bearer', []], ['key', []])]).auth).toEqual({
      scopes: [],
      optional: false,
    });
  });
});
