/** Request Body Objects → {@link HttpRequestBody}. */
import type { HttpRequestBody } from '../../ir/types.ts';
import { child, locate, once, resolveObject, type OpenApiContext, type Place } from './context.ts';
import { parseContent } from './media.ts';

export function parseRequestBody(
  ctx: OpenApiContext,
  raw: unknown,
  place: Place,
): HttpRequestBody | undefined {
  if (raw === undefined) return undefined;
  const resolved = resolveObject(ctx, raw, place, 'request body');
  if (resolved === undefined) return undefined;
  return once(ctx, 'requestBody', resolved.place, () => ({
    required: resolved.value.required === true,
    content: parseContent(ctx, resolved.value.content, child(resolved.place, 'content')),
    source: locate(ctx, resolved.place),
  }));
}
