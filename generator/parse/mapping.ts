/**
 * Narrows a raw mapping (a config `routes` entry, `x-specgate`, or Zilla's
 * `x-zilla-http-kafka`) into {@link MappingOverrides}, reporting each malformed field.
 */
import type { Diagnostics } from '../diagnostics.ts';
import type { FilterSpec, MappingOverrides, Route } from '../ir/types.ts';
import type { DocumentSet } from '../load/document-set.ts';
import { childPointer, isRecord } from '../load/pointer.ts';

const routeKinds: readonly Route['kind'][] = ['command', 'query', 'stream', 'history'];

export function parseMapping(
  raw: unknown,
  file: string,
  pointer: string,
  documents: DocumentSet,
  diagnostics: Diagnostics,
): MappingOverrides | undefined {
  const source = documents.locate(file, pointer);
  if (!isRecord(raw)) {
    diagnostics.report('SG_CONFIG_INVALID', 'a mapping must be an object', source);
    return undefined;
  }
  const bad = (key: string, want: string): void =>
    diagnostics.report(
      'SG_CONFIG_INVALID',
      `"${key}" must be ${want}`,
      documents.locate(file, childPointer(pointer, key)),
    );
  const out: { -readonly [K in keyof MappingOverrides]: MappingOverrides[K] } = { source };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'operation':
      case 'key':
      case 'owner':
        if (typeof value === 'string' && value !== '') out[key] = value;
        else bad(key, 'a non-empty string');
        break;
      case 'kind':
        if (typeof value === 'string' && (routeKinds as readonly string[]).includes(value)) {
          out.kind = value as Route['kind'];
        } else bad(key, `one of ${routeKinds.join(', ')}`);
        break;
      case 'overrides':
        if (isRecord(value) && Object.values(value).every((v) => typeof v === 'string')) {
          out.overrides = value as Record<string, string>;
        } else bad(key, 'an object of header name → template string');
        break;
      case 'filters': {
        const filters = parseFilters(value);
        if (filters === undefined) bad(key, 'a list of { param, on: header|field, name }');
        else out.filters = filters;
        break;
      }
      default:
        if (!key.startsWith('x-')) {
          diagnostics.report(
            'SG_CONFIG_INVALID',
            `unknown mapping field "${key}" (known: operation, kind, key, overrides, filters, owner)`,
            documents.locate(file, childPointer(pointer, key)),
          );
        }
    }
  }
  return out;
}

/**
 * Filters in our form `{ param, on, name }`, or Zilla's `{ key?, headers: { name: value } }`
 * whose values are `${query.x}`-style expressions naming the query parameter.
 */
function parseFilters(value: unknown): FilterSpec[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const filters: FilterSpec[] = [];
  for (const item of value) {
    if (!isRecord(item)) return undefined;
    if (
      typeof item.param === 'string' &&
      typeof item.name === 'string' &&
      (item.on === 'header' || item.on === 'field')
    ) {
      filters.push({ param: item.param, on: item.on, name: item.name });
    } else if (isRecord(item.headers)) {
      for (const [name, expression] of Object.entries(item.headers)) {
        const param =
          typeof expression === 'string'
            ? /^\$\{(?:query|params)\.([^}]+)\}$/.exec(expression)?.[1]
            : undefined;
        if (param === undefined) return undefined;
        filters.push({ param, on: 'header', name });
      }
    } else {
      return undefined;
    }
  }
  return filters;
}
