/**
 * Security Scheme Objects → {@link SecurityScheme}, and `security` lists → alternatives (OR) of
 * requirement sets (AND).
 */
import type { SecurityRequirement, SecurityScheme } from '../../ir/types.ts';
import { isRecord } from '../../load/pointer.ts';
import {
  child,
  compareText,
  describe,
  invalid,
  locate,
  resolveObject,
  stringField,
  type OpenApiContext,
  type Place,
} from './context.ts';

type SchemeType = SecurityScheme['type'];

const schemeTypes: readonly SchemeType[] = [
  'http',
  'apiKey',
  'oauth2',
  'openIdConnect',
  'mutualTLS',
];
const apiKeyLocations = ['query', 'header', 'cookie'] as const;

/** Reads `components.securitySchemes`, sorted by name. */
export function parseSecuritySchemes(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
): SecurityScheme[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) {
    invalid(ctx, `"securitySchemes" must be a mapping, found ${describe(raw)}`, place);
    return [];
  }
  const out: SecurityScheme[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const resolved = resolveObject(ctx, value, child(place, name), 'security scheme');
    if (resolved === undefined) continue;
    const scheme = readScheme(ctx, name, resolved.value, resolved.place);
    if (scheme !== undefined) out.push(scheme);
  }
  return out.sort((a, b) => compareText(a.name, b.name));
}

function readScheme(
  ctx: OpenApiContext,
  name: string,
  raw: Record<string, unknown>,
  at: Place,
): SecurityScheme | undefined {
  const type = raw.type;
  if (!isSchemeType(type)) {
    invalid(
      ctx,
      `security scheme "${name}": "type" must be one of ${schemeTypes.join(', ')}, found ${describe(type)}`,
      type === undefined ? at : child(at, 'type'),
    );
    return undefined;
  }
  const base = { name, type, scopes: type === 'oauth2' ? oauthScopes(raw.flows) : [] };
  const source = locate(ctx, at);
  switch (type) {
    case 'http': {
      const scheme = stringField(raw, 'scheme')?.toLowerCase();
      const bearerFormat = stringField(raw, 'bearerFormat');
      return {
        ...base,
        ...(scheme === undefined ? {} : { scheme }),
        ...(bearerFormat === undefined ? {} : { bearerFormat }),
        source,
      };
    }
    case 'apiKey': {
      const where = apiKeyLocations.find((l) => l === raw.in);
      const parameterName = stringField(raw, 'name');
      return {
        ...base,
        ...(where === undefined ? {} : { in: where }),
        ...(parameterName === undefined ? {} : { parameterName }),
        source,
      };
    }
    case 'openIdConnect': {
      const openIdConnectUrl = stringField(raw, 'openIdConnectUrl');
      return { ...base, ...(openIdConnectUrl === undefined ? {} : { openIdConnectUrl }), source };
    }
    default:
      return { ...base, source };
  }
}

/** Every scope any OAuth flow declares, sorted. */
function oauthScopes(flows: unknown): string[] {
  if (!isRecord(flows)) return [];
  const scopes = new Set<string>();
  for (const flow of Object.values(flows)) {
    if (isRecord(flow) && isRecord(flow.scopes)) {
      for (const scope of Object.keys(flow.scopes)) scopes.add(scope);
    }
  }
  return [...scopes].sort(compareText);
}

/**
 * Reads a `security` list; undefined when there is none (so the document's applies). Each
 * requirement's schemes are sorted by name; a name no security scheme declares is reported.
 */
export function parseSecurity(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
  declared: ReadonlySet<string>,
): SecurityRequirement[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    invalid(ctx, `"security" must be a list, found ${describe(raw)}`, place);
    return undefined;
  }
  return raw.flatMap((item: unknown, index): SecurityRequirement[] => {
    const at = child(place, index);
    if (!isRecord(item)) {
      invalid(ctx, `a security requirement must be a mapping, found ${describe(item)}`, at);
      return [];
    }
    const schemes = Object.entries(item).map(([scheme, scopes]) => {
      if (!declared.has(scheme)) {
        invalid(
          ctx,
          `security scheme "${scheme}" is not declared in components.securitySchemes`,
          child(at, scheme),
        );
      }
      if (!Array.isArray(scopes)) {
        invalid(ctx, `the scopes of "${scheme}" must be a list`, child(at, scheme));
        return { scheme, scopes: [] };
      }
      return { scheme, scopes: scopes.filter((s): s is string => typeof s === 'string') };
    });
    return [{ schemes: schemes.sort((a, b) => compareText(a.scheme, b.scheme)) }];
  });
}

function isSchemeType(value: unknown): value is SchemeType {
  return schemeTypes.some((type) => type === value);
}
