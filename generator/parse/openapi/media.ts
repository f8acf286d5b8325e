/** Media Type Objects: a `content` mapping → {@link MediaContent}, in declaration order. */
import type { MediaContent } from '../../ir/types.ts';
import { isRecord } from '../../load/pointer.ts';
import {
  child,
  describe,
  invalid,
  locate,
  schemaAt,
  type OpenApiContext,
  type Place,
} from './context.ts';

/** Reads the `content` mapping written at `place`; absent content is an empty list. */
export function parseContent(ctx: OpenApiContext, raw: unknown, place: Place): MediaContent[] {
  if (raw === undefined) return [];
  if (!isRecord(raw)) {
    invalid(ctx, `"content" must be a mapping of media types, found ${describe(raw)}`, place);
    return [];
  }
  const out: MediaContent[] = [];
  for (const [mediaType, value] of Object.entries(raw)) {
    const at = child(place, mediaType);
    if (!isRecord(value)) {
      invalid(ctx, `media type "${mediaType}" must be a mapping, found ${describe(value)}`, at);
      continue;
    }
    const source = locate(ctx, at);
    out.push(
      value.schema === undefined
        ? { mediaType, source }
        : { mediaType, schema: schemaAt(ctx, value.schema, child(at, 'schema')), source },
    );
  }
  return out;
}
