/** Responses Objects → {@link HttpResponse}, sorted: numeric codes, then ranges, then `default`. */
import type { HttpResponse } from '../../ir/types.ts';
import { isRecord } from '../../load/pointer.ts';
import {
  child,
  describe,
  invalid,
  locate,
  once,
  resolveObject,
  stringField,
  type OpenApiContext,
  type Place,
} from './context.ts';
import { parseHeaders } from './header.ts';
import { parseContent } from './media.ts';

/** Reads an operation's `responses` mapping. */
export function parseResponses(ctx: OpenApiContext, raw: unknown, place: Place): HttpResponse[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) {
    invalid(ctx, `"responses" must be a mapping, found ${describe(raw)}`, place);
    return [];
  }
  const out: HttpResponse[] = [];
  for (const [written, value] of Object.entries(raw)) {
    if (written.startsWith('x-')) continue;
    const at = child(place, written);
    const status = normaliseStatus(written);
    if (status === undefined) {
      invalid(ctx, `"${written}" is not a response status (100-599, 1XX-5XX or default)`, at);
      continue;
    }
    const resolved = resolveObject(ctx, value, at, 'response');
    if (resolved === undefined) continue;
    const response = once(ctx, 'response', resolved.place, () => ({
      description: stringField(resolved.value, 'description') ?? '',
      headers: parseHeaders(ctx, resolved.value.headers, child(resolved.place, 'headers')),
      content: parseContent(ctx, resolved.value.content, child(resolved.place, 'content')),
      source: locate(ctx, resolved.place),
    }));
    out.push({
      status,
      ...response,
      ...(resolved.description === undefined ? {} : { description: resolved.description }),
    });
  }
  return out.sort(compareStatus);
}

/** `200` → `200`, `2xx` → `2XX`, `default` → `default`; anything else is not a status. */
export function normaliseStatus(written: string): string | undefined {
  if (/^[1-5]\d\d$/.test(written) || written === 'default') return written;
  if (/^[1-5]xx$/i.test(written)) return written.toUpperCase();
  return undefined;
}

/** Numeric codes in order, then ranges in order, then `default`. */
export function compareStatus(a: { status: string }, b: { status: string }): number {
  return statusRank(a.status) - statusRank(b.status);
}

function statusRank(status: string): number {
  if (status === 'default') return 10_000;
  const digit = Number(status.slice(0, 1));
  return status.endsWith('XX') ? 1_000 + digit : Number(status);
}
