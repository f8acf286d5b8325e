/**
 * What a route's OpenAPI security means for the gateway (design.md §9): the alternatives a
 * bearer token can meet, each as the scopes it needs. `http` bearer, `oauth2` and
 * `openIdConnect` are checked as JWTs; an alternative that needs any other scheme (apiKey,
 * basic, mutualTLS) cannot be met by the gateway and is dropped, with a warning. When no
 * alternative is left the route refuses everyone (fail closed) rather than standing open.
 */
import type { Diagnostics } from '../diagnostics.ts';
import type { HttpApi, HttpOperation, Route, RouteAuth, SecurityScheme } from '../ir/types.ts';

export function routeAuth(
  http: HttpApi,
  op: HttpOperation,
  diagnostics: Diagnostics,
): RouteAuth | undefined {
  if (op.security.length === 0) return undefined;
  const schemes = new Map(http.securitySchemes.map((scheme) => [scheme.name, scheme]));
  const scopes: string[][] = [];
  let optional = false;
  const unsupported = new Set<string>();
  for (const requirement of op.security) {
    if (requirement.schemes.length === 0) {
      optional = true;
      continue;
    }
    const refused = requirement.schemes.filter((s) => !isBearer(schemes.get(s.scheme)));
    for (const s of refused) unsupported.add(describeScheme(s.scheme, schemes.get(s.scheme)));
    if (refused.length > 0) continue;
    scopes.push([...new Set(requirement.schemes.flatMap((s) => s.scopes))].sort());
  }
  // `{}` alone, or `{}` beside schemes the gateway cannot check: open.
  if (optional && scopes.length === 0) return undefined;
  if (unsupported.size > 0) {
    diagnostics.report(
      'SG_SECURITY_UNSUPPORTED',
      scopes.length === 0
        ? `${describe(op)} needs ${[...unsupported].join(', ')}, which the gateway cannot check (it checks bearer JWTs: http bearer, oauth2, openIdConnect); it will refuse every request`
        : `${describe(op)} also accepts ${[...unsupported].join(', ')}, which the gateway cannot check; only its bearer alternatives are accepted`,
      op.source,
    );
  }
  return { scopes: dedupe(scopes), optional };
}

/**
 * An owned read route (`owner` in its mapping) shows each caller only its own records, so it
 * must know who the caller is: without a required token every caller would see nothing. (On a
 * command, `owner` names a header that gets the caller's identity, as Zilla's mapping does.)
 */
export function checkOwner(route: Route, diagnostics: Diagnostics): void {
  if (route.owner === undefined || route.kind === 'command') return;
  if (route.auth === undefined || route.auth.optional) {
    diagnostics.report(
      'SG_OWNER_UNSECURED',
      `${describe(route.http)} is owned by identity (header "${route.owner}") but does not require a bearer token; declare security on it`,
      route.source,
    );
  }
}

function isBearer(scheme: SecurityScheme | undefined): boolean {
  if (scheme === undefined) return false;
  return (
    (scheme.type === 'http' && scheme.scheme === 'bearer') ||
    scheme.type === 'oauth2' ||
    scheme.type === 'openIdConnect'
  );
}

function describeScheme(name: string, scheme: SecurityScheme | undefined): string {
  if (scheme === undefined) return `"${name}"`;
  const kind = scheme.type === 'http' ? `http ${scheme.scheme ?? ''}`.trim() : scheme.type;
  return `"${name}" (${kind})`;
}

function dedupe(alternatives: string[][]): string[][] {
  const seen = new Set<string>();
  return alternatives.filter((scopes) => {
    const key = scopes.join(' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(http: HttpOperation): string {
  return `${http.method.toUpperCase()} ${http.path} (${http.operationId})`;
}
