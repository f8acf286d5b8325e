/**
 * The mapping extensions an operation may carry, narrowed to {@link MappingOverrides}:
 *
 * - `x-specgate` (ours): `operation`, `kind`, `key`, `overrides`, `filters`, `owner`.
 * - `x-zilla-http-kafka` (Zilla's openapi-asyncapi binding reads it from the OpenAPI operation):
 *   `key`, `overrides` (header → template) and `filters` (each `{ key?, headers? }`). Templates
 *   are kept as written (`${params.id}`, `{identity}`); bind/template.ts reads both forms.
 */
import type { FilterSpec, MappingOverrides } from '../../ir/types.ts';
import { isRecord } from '../../load/pointer.ts';
import { configError, configWarning, parseMapping, stringMap } from '../mapping.ts';
import { child, describe, locate, type OpenApiContext, type Place } from './context.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Zilla's identity templates: `{identity}`, `${guarded['jwt'].identity}`. */
const identityTemplate = /^\$?\{\s*(?:identity|guarded\[['"][^'"]+['"]\]\.identity)\s*\}$/;
/** A template that is one parameter: `${params.id}`, `{id}`, `${query.status}`. */
const parameterTemplate = /^\$?\{\s*(?:(?:params|path|query|headers?)\.)?([^{}.\s]+)\s*\}$/;

/** `x-specgate` on an operation: the same fields as a config file's `routes` entry. */
export function parseSpecgateExtension(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
): MappingOverrides | undefined {
  return parseMapping(ctx, raw, place, 'x-specgate');
}

/**
 * Zilla's `x-zilla-http-kafka` on an operation. Its filters become ours where they can: a header
 * compared with the caller's identity is `owner`, a header compared with one parameter is a
 * header filter, a filter `key` is the record key; anything else is reported as unsupported.
 */
export function parseZillaExtension(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
): MappingOverrides | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    configError(ctx, `x-zilla-http-kafka must be a mapping, found ${describe(raw)}`, place);
    return undefined;
  }
  const out: Mutable<MappingOverrides> = { source: locate(ctx, place) };
  if (raw.key !== undefined) {
    if (typeof raw.key === 'string') out.key = raw.key;
    else {
      configError(
        ctx,
        `x-zilla-http-kafka.key must be a string, found ${describe(raw.key)}`,
        child(place, 'key'),
      );
    }
  }
  if (raw.overrides !== undefined) {
    const overrides = stringMap(
      ctx,
      raw.overrides,
      child(place, 'overrides'),
      'x-zilla-http-kafka.overrides',
    );
    if (overrides !== undefined) out.overrides = overrides;
  }
  if (raw.filters !== undefined) zillaFilters(ctx, raw.filters, child(place, 'filters'), out);
  for (const key of Object.keys(raw)) {
    if (!['key', 'overrides', 'filters'].includes(key)) {
      configWarning(ctx, `x-zilla-http-kafka has no "${key}"; ignored`, child(place, key));
    }
  }
  return out;
}

function zillaFilters(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
  out: Mutable<MappingOverrides>,
): void {
  if (!Array.isArray(raw)) {
    configError(ctx, `x-zilla-http-kafka.filters must be a list, found ${describe(raw)}`, place);
    return;
  }
  if (raw.length > 1) {
    configWarning(
      ctx,
      'Zilla matches any one of several filters; specgate requires all of them to match',
      place,
    );
  }
  const filters: FilterSpec[] = [];
  raw.forEach((item: unknown, index) => {
    const at = child(place, index);
    if (!isRecord(item)) {
      configError(ctx, `a Zilla filter must be a mapping, found ${describe(item)}`, at);
      return;
    }
    if (item.key !== undefined) {
      if (typeof item.key !== 'string') {
        configError(ctx, `a Zilla filter key must be a string`, child(at, 'key'));
      } else if (out.key === undefined) out.key = item.key;
      else if (out.key !== item.key) {
        configWarning(ctx, `a second key "${item.key}" is ignored`, child(at, 'key'));
      }
    }
    if (item.headers === undefined) return;
    const headers = stringMap(ctx, item.headers, child(at, 'headers'), 'a Zilla filter headers');
    for (const [name, template] of Object.entries(headers ?? {})) {
      const param = parameterTemplate.exec(template)?.[1];
      if (identityTemplate.test(template)) out.owner = name;
      else if (param !== undefined) filters.push({ param, on: 'header', name });
      else {
        configWarning(
          ctx,
          `filtering header "${name}" on the fixed value "${template}" is not supported; ignored`,
          child(at, 'headers', name),
        );
      }
    }
  });
  if (filters.length > 0) out.filters = filters;
}
