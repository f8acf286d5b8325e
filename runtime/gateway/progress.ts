/**
 * Progress tokens and ETags (design.md §5), in Zilla's http-kafka format so that clients written
 * for Zilla keep working.
 *
 * A progress token is how far a reader has got in one topic: per partition, the next offset to
 * read. Its bytes follow Zilla's `HttpKafkaEtag` codec (binding-http-kafka `internal.idl`,
 * `HttpKafkaEtagHelper`): a kind byte `1` (v1), a varint32 partition count, then per partition a
 * varint32 partition id and a varint64 offset; Zilla's varints are zig-zag LEB128 (as Kafka's
 * record varints). The bytes are base64url WITH `=` padding, as Java's `Base64.getUrlEncoder()`
 * writes them; decoding also takes unpadded input. The token names no topic (neither does
 * Zilla's), so it only means something next to the topic it came from.
 *
 * An ETag is `<progress>` or `<progress>/<record etag>` when the record carries an `etag` header,
 * sent quoted (RFC 9110 §8.8.3); `parseEtag` accepts it quoted, unquoted or weak (`W/`).
 */

/** Per partition, the next offset to read (an Int64 as a decimal string, as `positions()`). */
export type Progress = Readonly<Record<number, string>>;

const KIND_V1 = 1;

/** Encodes per-partition next offsets as a progress token; partitions in ascending order. */
export function encodeProgress(progress: Progress): string {
  const bytes: number[] = [KIND_V1];
  const partitions = Object.keys(progress)
    .map(Number)
    .sort((a, b) => a - b);
  writeVarint(bytes, partitions.length);
  for (const partition of partitions) {
    writeVarint(bytes, partition);
    const offset = progress[partition] ?? '0';
    // Number arithmetic while it is exact (every offset in practice); BigInt past 2^52.
    writeVarint(bytes, offset.length < 16 ? Number(offset) : BigInt(offset));
  }
  return Buffer.from(bytes).toString('base64url') + padding(bytes.length);
}

/** The partitions and offsets of a token; undefined for anything that is not a valid token. */
export function decodeProgress(token: string): Progress | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(token) || token.length === 0) return undefined;
  const unpadded = token.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  const bytes = Buffer.from(unpadded, 'base64url');
  const reader = { bytes, at: 0 };
  if (bytes[0] !== KIND_V1) return undefined;
  reader.at = 1;
  const count = readVarint(reader, 32);
  if (count === undefined || count < 0n || count > 100_000n) return undefined;
  const progress: Record<number, string> = {};
  for (let i = 0n; i < count; i++) {
    const partition = readVarint(reader, 32);
    const offset = readVarint(reader, 64);
    if (partition === undefined || offset === undefined) return undefined;
    // Zilla skips negative partition ids; a negative offset is no position we could reach.
    if (partition < 0n) continue;
    if (offset < 0n) return undefined;
    progress[Number(partition)] = offset.toString();
  }
  return reader.at === bytes.length ? progress : undefined;
}

/** True when `progress` has read past `offset` of `partition` (the record there is applied). */
export function covers(progress: Progress, partition: number, offset: string | bigint): boolean {
  const next = progress[partition];
  return next !== undefined && BigInt(next) > BigInt(offset);
}

/** True when `progress` is at or past `required` in every partition `required` names. */
export function coversProgress(progress: Progress, required: Progress): boolean {
  return Object.entries(required).every(
    ([partition, next]) => BigInt(progress[Number(partition)] ?? '-1') >= BigInt(next),
  );
}

/** Per partition, the larger of two progresses. */
export function mergeProgress(a: Progress, b: Progress): Record<number, string> {
  const merged: Record<number, string> = { ...a };
  for (const [key, next] of Object.entries(b)) {
    const partition = Number(key);
    const current = merged[partition];
    if (current === undefined || BigInt(current) < BigInt(next)) merged[partition] = next;
  }
  return merged;
}

/** The progress just past one record: what a client must wait for to read its own write. */
export function progressAfter(partition: number, offset: string | bigint): Progress {
  const next =
    typeof offset === 'string' && offset.length < 16
      ? String(Number(offset) + 1)
      : (BigInt(offset) + 1n).toString();
  return { [partition]: next };
}

/** The quoted ETag of a progress token, with the record's own `etag` header when it has one. */
export function etagOf(progress: string, recordEtag?: string): string {
  return `"${recordEtag === undefined ? progress : `${progress}/${recordEtag}`}"`;
}

export interface ParsedEtag {
  readonly progress: Progress;
  /** The progress token as it was sent. */
  readonly token: string;
  readonly recordEtag?: string;
}

/** An entity tag's opaque text: without surrounding space, a weak `W/` and its quotes. */
export function opaqueTag(tag: string): string {
  let text = tag.trim();
  if (text.startsWith('W/')) text = text.slice(2);
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/** Reads an ETag (quoted or not, weak or not); undefined when its progress is not a token. */
export function parseEtag(etag: string): ParsedEtag | undefined {
  const text = opaqueTag(etag);
  const slash = text.indexOf('/');
  const token = slash === -1 ? text : text.slice(0, slash);
  const progress = decodeProgress(token);
  if (progress === undefined) return undefined;
  return slash === -1
    ? { progress, token }
    : { progress, token, recordEtag: text.slice(slash + 1) };
}

/**
 * Read-your-writes across topics (design.md §4): a command's answer names the topics it wrote,
 * `specgate-progress: task-commands=<token>, task-snapshots=<token>` — the command record's own
 * position, and what the service's reply reports it wrote. A query or stream takes the entry of
 * its own view's topic and waits until it has applied it; entries of other topics do not hold it.
 * A bare token (or an ETag) applies to whichever view receives it, as before.
 */
export type TopicProgress = ReadonlyMap<string, Progress>;

/** The header of read-your-writes: on command answers, and on queries and streams that wait. */
export const progressHeader = 'specgate-progress';

/** `topic=<token>` entries joined by `, `, topics sorted; progress of one topic merged. */
export function formatTopicProgress(entries: Iterable<readonly [string, Progress]>): string {
  const merged = new Map<string, Progress>();
  for (const [topic, progress] of entries) {
    const current = merged.get(topic);
    merged.set(topic, current === undefined ? progress : mergeProgress(current, progress));
  }
  return [...merged]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, progress]) => `${topic}=${encodeProgress(progress)}`)
    .join(', ');
}

/** What a `specgate-progress` value asks of the view of `topic`. */
export type ProgressRequest =
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid' };

/**
 * Reads a `specgate-progress` value for the view of `topic`: a bare token or ETag, or the
 * `topic=<token>` list of a command's answer (`none` when it does not name `topic`).
 */
export function progressFor(value: string, topic: string): ProgressRequest {
  const bare = parseEtag(value);
  if (bare !== undefined) return { kind: 'progress', progress: bare.progress };
  const topics = parseTopicProgress(value);
  if (topics === undefined) return { kind: 'invalid' };
  const progress = topics.get(topic);
  return progress === undefined ? { kind: 'none' } : { kind: 'progress', progress };
}

/** The entries of a `topic=<token>, …` list; undefined when any entry is malformed. */
export function parseTopicProgress(value: string): TopicProgress | undefined {
  const topics = new Map<string, Progress>();
  for (const part of value.split(',')) {
    const entry = part.trim();
    const equals = entry.indexOf('=');
    if (equals <= 0) return undefined;
    const topic = entry.slice(0, equals);
    const progress = decodeProgress(entry.slice(equals + 1));
    if (!/^[A-Za-z0-9._-]+$/.test(topic) || progress === undefined) return undefined;
    const current = topics.get(topic);
    topics.set(topic, current === undefined ? progress : mergeProgress(current, progress));
  }
  return topics;
}

function padding(byteLength: number): string {
  return '='.repeat((3 - (byteLength % 3)) % 3);
}

/** Zig-zag LEB128, as Zilla's flyweight varint32/varint64. */
function writeVarint(out: number[], value: number | bigint): void {
  if (typeof value === 'number') {
    let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
    while (zigzag >= 0x80) {
      out.push((zigzag % 128) | 0x80);
      zigzag = Math.floor(zigzag / 128);
    }
    out.push(zigzag);
    return;
  }
  let zigzag = value >= 0n ? value << 1n : (-value << 1n) - 1n;
  while (zigzag >= 0x80n) {
    out.push(Number((zigzag & 0x7fn) | 0x80n));
    zigzag >>= 7n;
  }
  out.push(Number(zigzag));
}

function readVarint(reader: { bytes: Buffer; at: number }, bits: 32 | 64): bigint | undefined {
  const maxBytes = bits === 32 ? 5 : 10;
  let zigzag = 0n;
  for (let i = 0; i < maxBytes; i++) {
    const byte = reader.bytes[reader.at];
    if (byte === undefined) return undefined;
    reader.at++;
    zigzag |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) {
      if (zigzag >> BigInt(bits) !== 0n) return undefined;
      return (zigzag & 1n) === 0n ? zigzag >> 1n : -((zigzag + 1n) >> 1n);
    }
  }
  return undefined;
}
