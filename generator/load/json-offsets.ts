/**
 * Where each JSON pointer of a JSON text starts, without a YAML parser: large specs ship as JSON
 * (the GitHub REST API: 13 MB), and reading them as YAML with a full syntax tree took seconds
 * (bench B6). `JSON.parse` gives the data; this scanner gives the places, the same ones the YAML
 * path records (a mapping entry's place is its key's, an array item's is its own).
 */
import { childPointer } from './pointer.ts';

/** Deeper than this, the caller reads the text as YAML instead (no deep recursion here). */
const maxDepth = 1000;

/**
 * Offsets of every pointer in `text`, a text `JSON.parse` accepted; undefined when an object
 * repeats a key (the YAML path reports that as an error) or nests deeper than `maxDepth`.
 */
export function jsonOffsets(text: string): Map<string, number> | undefined {
  const offsets = new Map<string, number>();
  let at = 0;
  let ok = true;

  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else return;
    }
  };
  /** At a `"`: moves past the string, returns its value. */
  const readString = (): string => {
    const start = at;
    let escaped = false;
    at++;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        at += 2;
      } else at++;
    }
    at++;
    return escaped ? (JSON.parse(text.slice(start, at)) as string) : text.slice(start + 1, at - 1);
  };
  const value = (pointer: string, depth: number): void => {
    if (depth > maxDepth) {
      ok = false;
      return;
    }
    const c = text.charCodeAt(at);
    if (c === 0x7b) {
      at++;
      const keys = new Set<string>();
      skipSpace();
      if (text.charCodeAt(at) === 0x7d) {
        at++;
        return;
      }
      for (;;) {
        skipSpace();
        const keyAt = at;
        const key = readString();
        if (keys.has(key)) {
          ok = false;
          return;
        }
        keys.add(key);
        const child = childPointer(pointer, key);
        offsets.set(child, keyAt);
        skipSpace();
        at++; // :
        skipSpace();
        value(child, depth + 1);
        if (!ok) return;
        // A container's own place stays its key's.
        offsets.set(child, keyAt);
        skipSpace();
        if (text.charCodeAt(at++) === 0x7d) return;
      }
    } else if (c === 0x5b) {
      at++;
      skipSpace();
      if (text.charCodeAt(at) === 0x5d) {
        at++;
        return;
      }
      for (let index = 0; ; index++) {
        skipSpace();
        const child = childPointer(pointer, index);
        const itemAt = at;
        value(child, depth + 1);
        if (!ok) return;
        offsets.set(child, itemAt);
        skipSpace();
        if (text.charCodeAt(at++) === 0x5d) return;
      }
    } else if (c === 0x22) {
      readString();
    } else {
      // A number, true, false or null: up to the next delimiter.
      while (at < text.length) {
        const d = text.charCodeAt(at);
        if (d === 0x2c || d === 0x7d || d === 0x5d || d <= 0x20) break;
        at++;
      }
    }
  };

  skipSpace();
  offsets.set('', at);
  value('', 0);
  return ok ? offsets : undefined;
}

/** 1-based line and column of an offset, from the offsets where lines start. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function positionAt(
  starts: readonly number[],
  offset: number,
): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}
