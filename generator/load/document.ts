/**
 * One spec file read into plain data, with a line map: every node's JSON pointer → the offset
 * where it was written, so any IR node can say `file:line:column`.
 */
import { parseWithPointers, type YAMLNode } from '@stoplight/yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { jsonOffsets, lineStarts, positionAt } from './json-offsets.ts';
import { childPointer } from './pointer.ts';

export interface LoadedDocument {
  /** Absolute path. */
  readonly file: string;
  readonly text: string;
  readonly data: unknown;
  /** 1-based line and column where the node at `pointer` (or its nearest ancestor) starts. */
  position(pointer: string): { line: number; column: number };
}

export interface SyntaxProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** Parses YAML or JSON text (YAML 1.2 reads JSON too). Returns problems instead of throwing. */
export function parseSpecText(
  file: string,
  text: string,
): { document?: LoadedDocument; problems: SyntaxProblem[]; lenient?: SyntaxProblem } {
  const json = parseJson(file, text);
  if (json !== undefined) return { document: json, problems: [] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  const problems = doc.errors.map((error) => {
    // BAD_INDENT starts at the line break before the offending text: point at the text.
    const start = error.code === 'BAD_INDENT' ? firstVisible(text, error.pos[0]) : error.pos[0];
    const pos = lineCounter.linePos(start);
    return {
      message: error.message.split('\n')[0] ?? error.message,
      line: pos.line,
      column: pos.col,
    };
  });
  if (problems.length > 0) {
    const document = parseLeniently(file, text);
    const [first] = problems;
    return document === undefined || first === undefined
      ? { problems }
      : { document, problems: [], lenient: first };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // An alias bomb or an alias to nowhere: yaml throws here rather than listing an error.
    return { problems: [{ message: String(error), line: 1, column: 1 }] };
  }
  const offsets = new Map<string, number>();
  indexNode(doc.contents, '', offsets);
  const position = (pointer: string): { line: number; column: number } => {
    let at = pointer;
    for (;;) {
      const offset = offsets.get(at);
      if (offset !== undefined) {
        const pos = lineCounter.linePos(offset);
        return { line: pos.line, column: pos.col };
      }
      if (at === '') return { line: 1, column: 1 };
      at = at.slice(0, Math.max(0, at.lastIndexOf('/')));
    }
  };
  return { document: { file, text, data, position }, problems: [] };
}

/**
 * A JSON text (JSON is YAML too) read with `JSON.parse` and a scanner for the places: seconds
 * faster on large specs than a YAML syntax tree. Undefined when the text is not plain JSON (or
 * repeats a key): the YAML path then reads it, and reports what is wrong.
 */
function parseJson(file: string, text: string): LoadedDocument | undefined {
  const first = firstVisible(text, 0);
  if (text[first] !== '{' && text[first] !== '[') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const offsets = jsonOffsets(text);
  if (offsets === undefined) return undefined;
  const starts = lineStarts(text);
  const position = (pointer: string): { line: number; column: number } => {
    for (let at = pointer; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/')))) {
      const offset = offsets.get(at);
      if (offset !== undefined) return positionAt(starts, offset);
      if (at === '') return { line: 1, column: 1 };
    }
  };
  return { file, text, data, position };
}

/** Records each node's offset; a mapping entry points at its key, where a reader looks. */
function indexNode(node: Node | null, pointer: string, offsets: Map<string, number>): void {
  if (node === null) return;
  if (node.range) offsets.set(pointer, node.range[0]);
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const child = childPointer(pointer, key);
      const keyNode = pair.key as Node | null;
      if (keyNode?.range) offsets.set(child, keyNode.range[0]);
      indexChild(pair.value as Node | null, child, offsets);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const child = childPointer(pointer, index);
      const itemNode = item as Node | null;
      if (itemNode?.range) offsets.set(child, itemNode.range[0]);
      indexChild(itemNode, child, offsets);
    });
  }
}

function indexChild(node: Node | null, pointer: string, offsets: Map<string, number>): void {
  if (node === null || (!isMap(node) && !isSeq(node))) return;
  // Keep the key's offset for the child itself; descend for its own children.
  const keep = offsets.get(pointer);
  indexNode(node, pointer, offsets);
  if (keep !== undefined) offsets.set(pointer, keep);
}

/**
 * The YAML reader the AsyncAPI parser uses (@stoplight/yaml) accepts some documents that YAML
 * 1.2 forbids, such as a flow mapping less indented than its key (the HDI case study in the
 * corpus). When it reads the text without a problem we read it too, with a warning, so we
 * accept what the AsyncAPI tooling accepts.
 */
function parseLeniently(file: string, text: string): LoadedDocument | undefined {
  let result: ReturnType<typeof parseWithPointers<unknown>>;
  try {
    result = parseWithPointers<unknown>(text);
  } catch {
    return undefined;
  }
  // DiagnosticSeverity.Error is 0.
  if (result.diagnostics.some((d) => d.severity === 0) || result.data === undefined)
    return undefined;
  const offsets = new Map<string, number>();
  indexLenient(result.ast, '', offsets);
  const starts = lineStarts(text);
  const position = (pointer: string): { line: number; column: number } => {
    let at = pointer;
    let offset = offsets.get(at);
    while (offset === undefined && at !== '') {
      at = at.slice(0, Math.max(0, at.lastIndexOf('/')));
      offset = offsets.get(at);
    }
    return offset === undefined ? { line: 1, column: 1 } : positionAt(starts, offset);
  };
  return { file, text, data: result.data, position };
}

/** The lenient reader's AST: a mapping entry points at its key, as in {@link indexNode}. */
function indexLenient(
  node: YAMLNode | null | undefined,
  pointer: string,
  offsets: Map<string, number>,
): void {
  if (node === null || node === undefined) return;
  if (!offsets.has(pointer)) offsets.set(pointer, node.startPosition);
  if (node.kind === 2) {
    for (const mapping of node.mappings) {
      const child = childPointer(pointer, String(mapping.key.value));
      offsets.set(child, mapping.key.startPosition);
      indexLenient(mapping.value, child, offsets);
    }
  } else if (node.kind === 3) {
    node.items.forEach((item, index) => indexLenient(item, childPointer(pointer, index), offsets));
  }
}

/** The first offset from `from` on that is not white space; `from` when there is none. */
function firstVisible(text: string, from: number): number {
  for (let at = from; at < text.length; at++) {
    if (!/\s/.test(text[at] ?? '')) return at;
  }
  return from;
}
