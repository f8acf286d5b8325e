/**
 * Narrows a raw mapping — a config file's `routes` entry or an operation's `x-specgate` — into
 * {@link MappingOverrides}, reporting each malformed field at its place. One module serves both
 * so the config file and the extension accept exactly the same fields.
 */
import type { Diagnostics } from '../diagnostics.ts';
import type { FilterSpec, MappingOverrides, Route, SpecLocation } from '../ir/types.ts';
import type { DocumentSet } from '../load/document-set.ts';
import { isRecord } from '../load/pointer.ts';
import { child, describe, type Place } from './place.ts';

export interface MappingContext {
  readonly documents: DocumentSet;
  readonly diagnostics: Diagnostics;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const routeKinds: readonly Route['kind'][] = ['command', 'query', 'stream', 'history'];
const filterTargets: readonly FilterSpec['on'][] = ['header', 'field'];

/**
 * A mapping named `label` in messages (`x-specgate`, `routes.createTask`); unknown keys and wrong
 * types are reported, not guessed.
 */
export function parseMapping(
  ctx: MappingContext,
  raw: unknown,
  place: Place,
  label: string,
): MappingOverrides | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    configError(ctx, `${label} must be a mapping, found ${describe(raw)}`, place);
    return undefined;
  }
  const out: Mutable<MappingOverrides> = { source: locate(ctx, place) };
  for (const [key, value] of Object.entries(raw)) {
    const at = child(place, key);
    switch (key) {
      case 'operation':
      case 'key':
      case 'owner':
        if (typeof value === 'string') out[key] = value;
        else configError(ctx, `${label}.${key} must be a string, found ${describe(value)}`, at);
        break;
      case 'kind': {
        const kind = routeKinds.find((k) => k === value);
        if (kind !== undefined) out.kind = kind;
        else {
          configError(
            ctx,
            `${label}.kind must be one of ${routeKinds.join(', ')}, found ${describe(value)}`,
            at,
          );
        }
        break;
      }
      case 'overrides': {
        const overrides = stringMap(ctx, value, at, `${label}.overrides`);
        if (overrides !== undefined) out.overrides = overrides;
        break;
      }
      case 'filters': {
        const filters = mappingFilters(ctx, value, at, label);
        if (filters !== undefined) out.filters = filters;
        break;
      }
      default:
        configError(
          ctx,
          `${label} has no "${key}" (known: operation, kind, key, overrides, filters, owner)`,
          at,
        );
    }
  }
  return out;
}

/** Each filter is `{ param, on: header | field, name? }`; `name` defaults to `param`. */
function mappingFilters(
  ctx: MappingContext,
  raw: unknown,
  place: Place,
  label: string,
): FilterSpec[] | undefined {
  if (!Array.isArray(raw)) {
    configError(ctx, `${label}.filters must be a list, found ${describe(raw)}`, place);
    return undefined;
  }
  const filters = raw.flatMap((item: unknown, index): FilterSpec[] => {
    const at = child(place, index);
    const param = isRecord(item) ? item.param : undefined;
    const on = isRecord(item) ? filterTargets.find((t) => t === item.on) : undefined;
    const name = isRecord(item) ? (item.name ?? param) : undefined;
    if (
      !isRecord(item) ||
      typeof param !== 'string' ||
      on === undefined ||
      typeof name !== 'string'
    ) {
      configError(
        ctx,
        `a ${label} filter is { param: <query parameter>, on: header | field, name?: <header or field> }`,
        at,
      );
      return [];
    }
    const unknown = Object.keys(item).filter((k) => !['param', 'on', 'name'].includes(k));
    for (const key of unknown)
      configError(ctx, `a ${label} filter has no "${key}"`, child(at, key));
    return [{ param, on, name }];
  });
  // A list of rejected filters must not stand in for "no filters" over a lower layer's.
  return raw.length > 0 && filters.length === 0 ? undefined : filters;
}

/** A mapping of strings (header → template); other values are reported and left out. */
export function stringMap(
  ctx: MappingContext,
  raw: unknown,
  place: Place,
  what: string,
): { [name: string]: string } | undefined {
  if (!isRecord(raw)) {
    configError(ctx, `${what} must be a mapping, found ${describe(raw)}`, place);
    return undefined;
  }
  const out: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') out[name] = value;
    else
      configError(
        ctx,
        `${what}["${name}"] must be a string, found ${describe(value)}`,
        child(place, name),
      );
  }
  return out;
}

export function configError(ctx: MappingContext, message: string, place: Place): void {
  ctx.diagnostics.report('SG_CONFIG_INVALID', message, locate(ctx, place));
}

export function configWarning(ctx: MappingContext, message: string, place: Place): void {
  ctx.diagnostics.report('SG_CONFIG_INVALID', message, locate(ctx, place), 'warning');
}

function locate(ctx: MappingContext, place: Place): SpecLocation {
  return ctx.documents.locate(place.file, place.pointer);
}
