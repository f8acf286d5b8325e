/**
 * Prints JSON-like values as TypeScript object literals that are already formatted the way the
 * project's Prettier config (`singleQuote`, `printWidth: 100`, `trailingComma: all`) would
 * format them, so generated files pass `prettier --check` without running Prettier (which is
 * not a runtime dependency). The layout rules mirror Prettier's:
 *
 * - an object is kept on one line only if it fits; one written over several lines stays so
 *   (Prettier keeps an object expanded when its first key is on a new line), which is how
 *   {@link multiline} objects and deeply nested ones are printed;
 * - an array is on one line exactly when it fits and holds nothing multi-line, except that an
 *   array of two or more objects (or arrays) that each have two or more entries always breaks;
 *   a broken array of numbers is filled, several per line;
 * - a string that does not fit after its key moves to the next line, unless the key is shorter
 *   than 5 columns;
 * - strings use single quotes unless they contain more single than double quotes; keys are
 *   quoted only when they are not identifier names.
 *
 * Key order is the caller's: sort maps whose order carries no meaning before printing them.
 * Strings and keys are written by the naming module, as in every other generated file.
 */
import { propertyKey as namingPropertyKey, stringLiteral } from '../naming.ts';

/** A value the printer understands. `undefined` object members are left out. */
export type Literal =
  | string
  | number
  | boolean
  | null
  | Code
  | readonly Literal[]
  | { readonly [key: string]: Literal | undefined };

/** Verbatim TypeScript expression text (an identifier, say); printed as is. */
export class Code {
  constructor(readonly text: string) {}
}

export function code(text: string): Code {
  return new Code(text);
}

const alwaysMultiline = new WeakSet<object>();

/** Marks an object to be printed over several lines even when it would fit on one. */
export function multiline<T extends { readonly [key: string]: Literal | undefined }>(value: T): T {
  alwaysMultiline.add(value);
  return value;
}

export interface PrintPosition {
  /** The column the literal starts at (its first line is already indented that far). */
  readonly column: number;
  /** The indentation of the line the literal starts on; nested lines indent from it. */
  readonly indent: number;
  /** Text that follows the literal on its last line (`,`, `;`, ` as const;`), for fitting. */
  readonly suffix?: string;
}

const printWidth = 100;
const tabWidth = 2;
/** Objects nested deeper than this are never put on one line: they read better expanded. */
const maxInlineDepth = 2;

export function printLiteral(value: Literal, position: PrintPosition): string {
  flatTexts = new WeakMap();
  depths = new WeakMap();
  return print(value, position.column, position.indent, width(position.suffix ?? ''));
}

function print(value: Literal, column: number, indent: number, suffixWidth: number): string {
  if (value instanceof Code) return value.text;
  if (!isContainer(value)) return scalar(value);
  const flat = flatText(value);
  if (
    flat !== undefined &&
    column + width(flat) + suffixWidth <= printWidth &&
    !(isList(value) && forcedBreak(value))
  ) {
    return flat;
  }
  const inner = indent + tabWidth;
  const pad = ' '.repeat(inner);
  if (isList(value)) {
    const items: readonly Literal[] = value;
    if (isNumberArray(items))
      return `[\n${fill(items.map(numberLiteral), inner)}\n${' '.repeat(indent)}]`;
    const lines = items.map((item) => `${pad}${print(item, inner, inner, 1)},`);
    return `[\n${lines.join('\n')}\n${' '.repeat(indent)}]`;
  }
  const lines = members(value).map(([key, member]) => {
    const head = `${pad}${propertyKey(key)}:`;
    if (typeof member === 'string' || member === null || member instanceof Code) {
      const text = member instanceof Code ? member.text : scalar(member);
      const breaks =
        width(head) + 1 + width(text) + 1 > printWidth && width(propertyKey(key)) >= tabWidth + 3;
      return breaks ? `${head}\n${pad}${' '.repeat(tabWidth)}${text},` : `${head} ${text},`;
    }
    return `${head} ${print(member, width(head) + 1, inner, 1)},`;
  });
  return `{\n${lines.join('\n')}\n${' '.repeat(indent)}}`;
}

/**
 * One-line forms and depths of the containers met by the current {@link printLiteral}: `print`
 * asks for a container's, then for each of its members', so without them a deep literal (a
 * GitHub API schema) costs time in its depth times its size. Fresh for each call, so a value
 * marked {@link multiline} between two calls is printed as marked.
 */
let flatTexts = new WeakMap<Container, string | undefined>();
let depths = new WeakMap<Container, number>();

/** The one-line form, or undefined when the value must span lines whatever the width. */
function flatText(value: Literal): string | undefined {
  if (value instanceof Code) return value.text;
  if (!isContainer(value)) return scalar(value);
  if (flatTexts.has(value)) return flatTexts.get(value);
  const text = containerFlatText(value);
  flatTexts.set(value, text);
  return text;
}

function containerFlatText(value: Container): string | undefined {
  if (isList(value)) {
    const items: readonly Literal[] = value;
    const parts: string[] = [];
    for (const item of items) {
      const text = flatText(item);
      if (text === undefined) return undefined;
      parts.push(text);
    }
    return `[${parts.join(', ')}]`;
  }
  const entries = members(value);
  if (entries.length === 0) return '{}';
  if (alwaysMultiline.has(value) || depth(value) > maxInlineDepth) return undefined;
  const parts: string[] = [];
  for (const [key, member] of entries) {
    const text = flatText(member);
    if (text === undefined) return undefined;
    parts.push(`${propertyKey(key)}: ${text}`);
  }
  return `{ ${parts.join(', ')} }`;
}

/** Prettier always breaks an array of 2+ objects (or arrays) that each have 2+ entries. */
function forcedBreak(items: readonly Literal[]): boolean {
  if (items.length < 2) return false;
  return items.every((item, i) => {
    if (!isContainer(item)) return false;
    const next = items[i + 1];
    if (next !== undefined && (!isContainer(next) || isList(next) !== isList(item))) {
      return false;
    }
    return isList(item) ? item.length > 1 : members(item).length > 1;
  });
}

/** Prettier's `fill` for number arrays: as many items per line as fit. */
function fill(items: readonly string[], indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const text = `${item},`;
    if (line === '') line = text;
    else if (indent + width(line) + 1 + width(text) <= printWidth) line += ` ${text}`;
    else {
      lines.push(line);
      line = text;
    }
  }
  lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

function isNumberArray(items: readonly Literal[]): items is readonly number[] {
  return items.length > 1 && items.every((item) => typeof item === 'number');
}

function isList(value: Literal): value is readonly Literal[] {
  return Array.isArray(value);
}

type Container = readonly Literal[] | { readonly [key: string]: Literal | undefined };

function isContainer(value: Literal): value is Container {
  return typeof value === 'object' && value !== null && !(value instanceof Code);
}

function members(value: { readonly [key: string]: Literal | undefined }): [string, Literal][] {
  const out: [string, Literal][] = [];
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) out.push([key, member]);
  }
  return out;
}

function depth(value: Literal): number {
  if (!isContainer(value)) return 0;
  let found = depths.get(value);
  if (found === undefined) {
    const children: readonly Literal[] = isList(value)
      ? value
      : members(value).map(([, member]) => member);
    found = 1 + Math.max(0, ...children.map(depth));
    depths.set(value, found);
  }
  return found;
}

function scalar(value: string | number | boolean | null): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number') return numberLiteral(value);
  return String(value);
}

function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`printLiteral: ${value} is not a JSON number`);
  if (Object.is(value, -0)) return '-0';
  // Prettier writes exponents without `+` (1e21, not 1e+21).
  return String(value).replace('e+', 'e');
}

/** An identifier name stays bare (Prettier's `quoteProps: as-needed`); anything else is quoted. */
export function propertyKey(key: string): string {
  // `{ __proto__: x }` (quoted or not) would set the prototype; a computed key does not.
  return key === '__proto__' ? `['__proto__']` : namingPropertyKey(key);
}

/**
 * The columns a text takes, as Prettier counts them: wide East Asian characters and emoji take
 * two, combining marks none.
 */
export function width(text: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  let columns = 0;
  for (const char of text.replace(
    /\p{Extended_Pictographic}(\u200d\p{Extended_Pictographic})*/gu,
    '  ',
  )) {
    const point = char.codePointAt(0) ?? 0;
    if (point <= 0x1f || (point >= 0x7f && point <= 0x9f)) continue;
    if (point >= 0x300 && point <= 0x36f) continue;
    columns += isWide(point) ? 2 : 1;
  }
  return columns;
}

function isWide(point: number): boolean {
  return (
    (point >= 0x1100 && point <= 0x115f) ||
    (point >= 0x2e80 && point <= 0x303e) ||
    (point >= 0x3041 && point <= 0x33ff) ||
    (point >= 0x3400 && point <= 0x4dbf) ||
    (point >= 0x4e00 && point <= 0x9fff) ||
    (point >= 0xa000 && point <= 0xa4cf) ||
    (point >= 0xac00 && point <= 0xd7a3) ||
    (point >= 0xf900 && point <= 0xfaff) ||
    (point >= 0xfe30 && point <= 0xfe4f) ||
    (point >= 0xff00 && point <= 0xff60) ||
    (point >= 0xffe0 && point <= 0xffe6) ||
    (point >= 0x20000 && point <= 0x3fffd)
  );
}
