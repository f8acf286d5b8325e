/**
 * Content negotiation between a query's JSON and its event stream (design.md §3: one operation
 * declaring both media types serves both, chosen by `Accept`).
 */

const eventStream = 'text/event-stream';

interface MediaRange {
  readonly type: string;
  readonly q: number;
  readonly index: number;
}

/**
 * True when `Accept` names `text/event-stream` itself (as `EventSource` sends it) and ranks it
 * at least as high as JSON. Wildcards alone never select the stream: a client that accepts
 * anything gets the JSON answer, which it can read to the end.
 */
export function prefersEventStream(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const ranges = parseAccept(accept);
  const stream = ranges.find((range) => range.type === eventStream);
  if (stream === undefined || stream.q <= 0) return false;
  const json = mostSpecific(ranges, 'application/json');
  if (json === undefined) return true;
  return stream.q > json.q || (stream.q === json.q && stream.index < json.index);
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part, index) => {
    const [type, ...params] = part.split(';').map((piece) => piece.trim());
    if (type === undefined || type === '') return [];
    let q = 1;
    for (const param of params) {
      const match = /^q=([0-9.]+)$/i.exec(param);
      if (match?.[1] !== undefined) q = Number(match[1]);
    }
    return [{ type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0, index }];
  });
}

/** The range that decides a media type's quality (RFC 9110 §12.5.1): exact, then `type/*`, then `*\/*`. */
function mostSpecific(ranges: readonly MediaRange[], mediaType: string): MediaRange | undefined {
  const [type] = mediaType.split('/');
  return (
    ranges.find((range) => range.type === mediaType) ??
    ranges.find((range) => range.type === `${type ?? ''}/*`) ??
    ranges.find((range) => range.type === '*/*')
  );
}
