/**
 * A small Wadler-style document printer with prettier's semantics (`group`, `indent`, `align`,
 * `line`, `softline`, `hardline`, `ifBreak`, `indentIfBreak`, and prettier's `fits` rule), so
 * that emitters can lay out code the way the project's prettier config would and the output
 * passes `prettier --check` as written. Running prettier itself would make emitters async and
 * tie the generator to a dev dependency; this is ~150 lines, synchronous and pure.
 */

export type Doc = string | readonly Doc[] | DocCommand;

type DocCommand =
  | {
      readonly type: 'group';
      readonly contents: Doc;
      readonly break: boolean;
      readonly id?: symbol;
    }
  | { readonly type: 'indent'; readonly contents: Doc }
  | { readonly type: 'align'; readonly width: number; readonly contents: Doc }
  | { readonly type: 'line'; readonly soft: boolean; readonly hard: boolean }
  | {
      readonly type: 'if-break';
      readonly breakContents: Doc;
      readonly flatContents: Doc;
      readonly groupId?: symbol;
    }
  | { readonly type: 'indent-if-break'; readonly contents: Doc; readonly groupId: symbol };

/** A space, or a newline when the enclosing group breaks. */
export const line: Doc = { type: 'line', soft: false, hard: false };
/** Nothing, or a newline when the enclosing group breaks. */
export const softline: Doc = { type: 'line', soft: true, hard: false };
/** Always a newline; breaks every enclosing group. */
export const hardline: Doc = { type: 'line', soft: false, hard: true };

/**
 * Printed flat when it fits in the rest of the line, else broken. A group that holds a hard
 * line (or a broken group) is broken: prettier's `propagateBreaks`, done here as docs are built.
 */
export function group(contents: Doc, options: { shouldBreak?: boolean; id?: symbol } = {}): Doc {
  return {
    type: 'group',
    contents,
    break: options.shouldBreak === true || hasForcedBreak(contents),
    ...(options.id === undefined ? {} : { id: options.id }),
  };
}

export function indent(contents: Doc): Doc {
  return { type: 'indent', contents };
}

export function align(width: number, contents: Doc): Doc {
  return { type: 'align', width, contents };
}

export function ifBreak(breakContents: Doc, flatContents: Doc = '', groupId?: symbol): Doc {
  return {
    type: 'if-break',
    breakContents,
    flatContents,
    ...(groupId === undefined ? {} : { groupId }),
  };
}

/** Indented when the group `groupId` broke. */
export function indentIfBreak(contents: Doc, groupId: symbol): Doc {
  return { type: 'indent-if-break', contents, groupId };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  return docs.flatMap((doc, index) => (index === 0 ? [doc] : [separator, doc]));
}

function hasForcedBreak(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (isDocArray(doc)) return doc.some(hasForcedBreak);
  switch (doc.type) {
    case 'group':
      return doc.break;
    case 'line':
      return doc.hard;
    case 'if-break':
      return hasForcedBreak(doc.breakContents) || hasForcedBreak(doc.flatContents);
    default:
      return hasForcedBreak(doc.contents);
  }
}

function isDocArray(doc: Doc): doc is readonly Doc[] {
  return Array.isArray(doc);
}

type Mode = 'break' | 'flat';

interface Command {
  readonly indent: number;
  readonly mode: Mode;
  readonly doc: Doc;
}

export interface PrintDocOptions {
  /** prettier's printWidth (the project's is 100). */
  readonly width?: number;
  /** The column the text starts at (where the caller will place it). */
  readonly column?: number;
}

/** The text of `doc`, at most `width` columns wide where it can break. */
export function printDoc(doc: Doc, options: PrintDocOptions = {}): string {
  const width = options.width ?? 100;
  const out: string[] = [];
  const groupModes = new Map<symbol, Mode>();
  const commands: Command[] = [{ indent: 0, mode: 'break', doc }];
  let column = options.column ?? 0;
  for (let command = commands.pop(); command !== undefined; command = commands.pop()) {
    const { indent: at, mode, doc: current } = command;
    if (typeof current === 'string') {
      out.push(current);
      column += textWidth(current);
      continue;
    }
    if (isDocArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        commands.push({ indent: at, mode, doc: current[i] ?? '' });
      }
      continue;
    }
    switch (current.type) {
      case 'indent':
        commands.push({ indent: at + 2, mode, doc: current.contents });
        break;
      case 'align':
        commands.push({ indent: at + current.width, mode, doc: current.contents });
        break;
      case 'group': {
        const flat: Command = { indent: at, mode: 'flat', doc: current.contents };
        const fitsFlat =
          !current.break && (mode === 'flat' || fits(flat, commands, width - column, groupModes));
        const chosen: Command = fitsFlat ? flat : { ...flat, mode: 'break' };
        commands.push(chosen);
        if (current.id !== undefined) groupModes.set(current.id, chosen.mode);
        break;
      }
      case 'if-break':
      case 'indent-if-break': {
        const groupMode =
          current.groupId === undefined ? mode : (groupModes.get(current.groupId) ?? 'flat');
        const contents =
          current.type === 'if-break'
            ? groupMode === 'break'
              ? current.breakContents
              : current.flatContents
            : groupMode === 'break'
              ? indent(current.contents)
              : current.contents;
        commands.push({ indent: at, mode, doc: contents });
        break;
      }
      case 'line':
        if (mode === 'flat' && !current.hard) {
          if (!current.soft) {
            out.push(' ');
            column += 1;
          }
        } else {
          trimTrailingSpaces(out);
          out.push(`\n${' '.repeat(at)}`);
          column = at;
        }
        break;
    }
  }
  return out.join('');
}

/**
 * prettier's `fits`: does `next`, printed flat, and then the commands after it up to their
 * first line break, fit in `width` columns?
 */
function fits(
  next: Command,
  rest: readonly Command[],
  width: number,
  groupModes: ReadonlyMap<symbol, Mode>,
): boolean {
  let remaining = width;
  let restIndex = rest.length;
  const stack: { mode: Mode; doc: Doc }[] = [next];
  while (remaining >= 0) {
    let item = stack.pop();
    if (item === undefined) {
      if (restIndex === 0) return true;
      item = rest[--restIndex];
      if (item === undefined) return true;
    }
    const { mode, doc } = item;
    if (typeof doc === 'string') {
      remaining -= textWidth(doc);
    } else if (isDocArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) stack.push({ mode, doc: doc[i] ?? '' });
    } else {
      switch (doc.type) {
        case 'indent':
        case 'align':
        case 'indent-if-break':
          stack.push({ mode, doc: doc.contents });
          break;
        case 'group':
          stack.push({ mode: doc.break ? 'break' : mode, doc: doc.contents });
          break;
        case 'if-break': {
          const groupMode =
            doc.groupId === undefined ? mode : (groupModes.get(doc.groupId) ?? 'flat');
          stack.push({ mode, doc: groupMode === 'break' ? doc.breakContents : doc.flatContents });
          break;
        }
        case 'line':
          if (mode === 'break' || doc.hard) return true;
          if (!doc.soft) remaining -= 1;
          break;
      }
    }
  }
  return false;
}

function trimTrailingSpaces(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1] ?? '';
    const trimmed = last.replace(/[ \t]+$/u, '');
    if (trimmed !== '') {
      out[out.length - 1] = trimmed;
      return;
    }
    out.pop();
  }
}

/** Columns `text` takes: East Asian wide characters take two, combining marks none. */
export function textWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007f]*$/u.test(text)) return text.length;
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (/\p{M}|\u200b|\u200c|\u200d|\ufeff/u.test(char)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}
