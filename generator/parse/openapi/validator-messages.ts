/**
 * Where a message of `@readme/openapi-parser` (v9) points. Its results carry only text:
 *
 * - JSON Schema errors (from better-ajv-errors) end in a code frame of the validator's own copy
 *   of the document, dereferenced in place and printed by `JSON.stringify(copy, null, 2)`;
 *   `> 53 |` marks the line. Printed that way every line starts one member or item, so the
 *   line gives the JSON pointer, and following the raw document's `$ref`s maps that pointer
 *   back to where the node is written.
 * - Its own checks name a path in backquotes with unescaped segments:
 *   `` `/paths/pets/{id}/get/parameters/id` ``, `` `/components/securitySchemes/api key` ``.
 * - A duplicate operation id is named: ``The operationId `x` is duplicated``.
 *
 * A message that fits none of these is placed at the document root, with its text intact.
 */
import { childPointer, followPointer, isRecord, splitPointer } from '../../load/pointer.ts';

export interface LocatedMessage {
  /** JSON pointer into the root document as written. */
  readonly pointer: string;
  readonly text: string;
}

export class ValidatorMessageLocator {
  readonly #raw: unknown;
  readonly #validated: unknown;
  #printed: { lines: string[]; pointers: string[] } | undefined;
  readonly #duplicateIds = new Map<string, number>();

  /** `raw` as written; `validated`: the object the validator was given (it dereferences it in place). */
  constructor(raw: unknown, validated: unknown) {
    this.#raw = raw;
    this.#validated = validated;
  }

  locate(message: string): LocatedMessage {
    return (
      this.#fromCodeFrame(message) ??
      this.#fromDuplicateId(message) ??
      this.#fromNamedPath(message) ?? { pointer: '', text: oneLine(message) }
    );
  }

  #fromCodeFrame(message: string): LocatedMessage | undefined {
    const lines = message.split('\n');
    const marked = lines.findIndex((line) => /^>\s*\d+\s*\|/.test(line));
    const match = /^>\s*(\d+)\s*\|(.*)$/.exec(lines[marked] ?? '');
    if (match === null) return undefined;
    const blank = lines.indexOf('');
    const headline = oneLine(lines.slice(0, blank === -1 ? 1 : blank).join(' ')).replace(
      /^(?:[A-Z]+ )+(?=[a-z])/,
      '',
    );
    const caret = /^\s*\|\s*\^+\s*(.*)$/.exec(lines[marked + 1] ?? '')?.[1]?.trim() ?? '';
    // Keep the caret's note when it adds something ("foo is not expected to be here!").
    const text =
      caret === '' || /must|missing here/.test(caret) ? headline : `${headline} (${caret})`;
    const printed = this.#print();
    const index = Number(match[1]) - 1;
    const pointer = printed.pointers[index];
    // The frame must show the line we printed; if the library ever prints another text, say
    // what it said rather than point at the wrong place.
    if (pointer === undefined || printed.lines[index]?.trim() !== (match[2] ?? '').trim()) {
      return { pointer: '', text };
    }
    return { pointer: writtenPointer(this.#raw, pointer), text };
  }

  #fromDuplicateId(message: string): LocatedMessage | undefined {
    const id = /^The operationId `(.+)` is duplicated/.exec(message)?.[1];
    if (id === undefined) return undefined;
    const seen = (this.#duplicateIds.get(id) ?? 0) + 1;
    this.#duplicateIds.set(id, seen);
    const places = operationIdPlaces(this.#raw, id);
    const pointer = places[Math.min(seen, places.length - 1)] ?? '';
    return { pointer, text: oneLine(message) };
  }

  #fromNamedPath(message: string): LocatedMessage | undefined {
    const names = [...message.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    const path = names.find((name) => name.startsWith('/'));
    if (path !== undefined)
      return { pointer: matchNamedPath(this.#raw, path), text: oneLine(message) };
    const key = names.find((name) => isRecord(this.#raw) && Object.hasOwn(this.#raw, name));
    return key === undefined
      ? undefined
      : { pointer: childPointer('', key), text: oneLine(message) };
  }

  #print(): { lines: string[]; pointers: string[] } {
    this.#printed ??= {
      lines: JSON.stringify(this.#validated, null, 2).split('\n'),
      pointers: printedPointers(this.#validated),
    };
    return this.#printed;
  }
}

/**
 * For each line of `JSON.stringify(value, null, 2)`, the pointer of the member or item that
 * starts on it (a closing bracket's line belongs to its container).
 */
export function printedPointers(value: unknown): string[] {
  const pointers = [''];
  const visit = (node: unknown, pointer: string): void => {
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((item: unknown, index) => [index, item])
      : isRecord(node) && typeof node.toJSON !== 'function'
        ? Object.entries(node).filter(([, item]) => isPrinted(item))
        : [];
    if (entries.length === 0) return;
    for (const [segment, item] of entries) {
      const at = childPointer(pointer, segment);
      pointers.push(at);
      visit(item, at);
    }
    pointers.push(pointer);
  };
  visit(value, '');
  return pointers;
}

/** JSON.stringify leaves these members out of objects. */
function isPrinted(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/**
 * A pointer into the dereferenced copy → the pointer where that node is written in the root
 * document: wherever the walk meets a local `$ref`, it continues at the ref's target.
 */
export function writtenPointer(raw: unknown, pointer: string): string {
  let node = raw;
  let at = '';
  for (const segment of splitPointer(pointer)) {
    ({ node, at } = followLocalRefs(raw, node, at, segment));
    node = Array.isArray(node) ? node[Number(segment)] : isRecord(node) ? node[segment] : undefined;
    at = childPointer(at, segment);
  }
  return at;
}

/**
 * `/paths/pets/{id}/get/parameters/id` → `/paths/~1pets~1{id}/get/parameters/0`: each step takes
 * the longest key (or list item, by index or `name`) that the rest of the path starts with.
 */
export function matchNamedPath(raw: unknown, path: string): string {
  let node = raw;
  let at = '';
  let rest = path;
  while (rest.length > 1) {
    ({ node, at } = followLocalRefs(raw, node, at));
    let best: { segment: string | number; length: number } | undefined;
    for (const [segment, names] of stepNames(raw, node)) {
      for (const name of names) {
        const fits = rest === name || rest.startsWith(`${name}/`);
        if (fits && name.length > (best?.length ?? 0)) best = { segment, length: name.length };
      }
    }
    if (best === undefined) break;
    node = Array.isArray(node)
      ? node[Number(best.segment)]
      : isRecord(node)
        ? node[best.segment]
        : undefined;
    at = childPointer(at, best.segment);
    rest = rest.slice(best.length);
  }
  return at;
}

/** How each child of `node` can be written in a named path. */
function stepNames(raw: unknown, node: unknown): [string | number, string[]][] {
  if (Array.isArray(node)) {
    return node.map((item: unknown, index) => {
      const target = followLocalRefs(raw, item, '').node;
      const name = isRecord(target) && typeof target.name === 'string' ? [`/${target.name}`] : [];
      return [index, [`/${index}`, ...name]];
    });
  }
  if (!isRecord(node)) return [];
  // Path keys carry their own leading slash: `/paths${pathName}`.
  return Object.keys(node).map((key) => [
    key,
    key.startsWith('/') ? [key, `/${key}`] : [`/${key}`],
  ]);
}

/** Where each operation whose operationId is `id` declares it, in document order. */
function operationIdPlaces(raw: unknown, id: string): string[] {
  const paths = isRecord(raw) && isRecord(raw.paths) ? raw.paths : {};
  const out: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const { node, at } = followLocalRefs(raw, item, childPointer('/paths', path));
    if (!isRecord(node)) continue;
    for (const [method, operation] of Object.entries(node)) {
      if (isRecord(operation) && operation.operationId === id) {
        out.push(childPointer(childPointer(at, method), 'operationId'));
      }
    }
  }
  return out;
}

/** Follows local `$ref`s from `node` (at `at`), unless `keep` is a member of the ref object itself. */
function followLocalRefs(
  raw: unknown,
  node: unknown,
  at: string,
  keep?: string,
): { node: unknown; at: string } {
  for (let hops = 0; hops < 32; hops++) {
    if (!isRecord(node) || typeof node.$ref !== 'string' || !node.$ref.startsWith('#')) break;
    if (keep !== undefined && Object.hasOwn(node, keep)) break;
    let target: string;
    try {
      target = decodeURIComponent(node.$ref.slice(1));
    } catch {
      target = node.$ref.slice(1);
    }
    const next = followPointer(raw, target);
    if (next === undefined) break;
    node = next;
    at = target;
  }
  return { node, at };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
