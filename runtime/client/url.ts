import type { RequestParts } from './types.ts';

/**
 * `baseUrl` + the path template with `{param}`s filled (URI-encoded) + the query (undefined
 * and null values left out, arrays repeat the name).
 */
export function buildUrl(baseUrl: string, pathTemplate: string, parts: RequestParts): string {
  const path = pathTemplate.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = parts.params?.[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [name, value] of Object.entries(parts.query ?? {})) {
    if (value === undefined || value === null) continue;
    const values: readonly (string | number | boolean)[] = Array.isArray(value) ? value : [value];
    for (const item of values) url.searchParams.append(name, String(item));
  }
  return url.toString();
}

/** RFC 9110 §10.2.2: a relative `Location` is resolved against the request's URL. */
export function resolveLocation(location: string, requestUrl: string): string {
  return new URL(location, requestUrl).toString();
}
