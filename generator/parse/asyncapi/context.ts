/**
 * What every AsyncAPI parse step shares: the run's documents, named schemas and diagnostics, the
 * spec version, and the *node* being read — a raw value with the file and JSON pointer where it
 * was written — so every IR node can say where it came from even after `$ref`s into other files.
 */
import type { Diagnostics } from '../../diagnostics.ts';
import type { SchemaRegistry } from '../../ir/schema-registry.ts';
import type { Schema, SpecLocation } from '../../ir/types.ts';
import type { DocumentSet } from '../../load/document-set.ts';
import { childPointer, isRecord } from '../../load/pointer.ts';
import { parseSchema, type SchemaContext, type SchemaDialect } from '../schema.ts';

/** A raw value and the place it was written: an absolute file path and a JSON pointer. */
export interface Node {
  readonly value: unknown;
  readonly file: string;
  readonly pointer: string;
}

/** The run's shared services, as `parseAsyncApi` receives them. */
export interface AsyncApiRun {
  readonly documents: DocumentSet;
  readonly registry: SchemaRegistry;
  readonly diagnostics: Diagnostics;
}

/** A `$ref` chain longer than this is a loop (`a → b → a`). */
const maxHops = 64;

export class AsyncApiContext implements AsyncApiRun {
  readonly documents: DocumentSet;
  readonly registry: SchemaRegistry;
  readonly diagnostics: Diagnostics;
  /** The root document. */
  readonly root: Node;
  readonly major: 2 | 3;
  readonly defaultContentType: string;
  /** Each `$ref` site is followed (and a broken one reported) once: by `file#pointer`. */
  readonly #hops = new Map<string, Node | null>();

  constructor(run: AsyncApiRun, root: Node, major: 2 | 3) {
    this.documents = run.documents;
    this.registry = run.registry;
    this.diagnostics = run.diagnostics;
    this.root = root;
    this.major = major;
    this.defaultContentType = stringAt(child(root, 'defaultContentType')) ?? 'application/json';
  }

  locate(node: Node): SpecLocation {
    return this.documents.locate(node.file, node.pointer);
  }

  /** The schema written at `node`, normalised (refs inside resolve relative to its file). */
  schema(node: Node, dialect: SchemaDialect = 'asyncapi'): Schema {
    return parseSchema(this.schemaContext(dialect), node.value, node.file, node.pointer);
  }

  schemaContext(dialect: SchemaDialect = 'asyncapi'): SchemaContext {
    const { documents, registry, diagnostics } = this;
    return { documents, registry, diagnostics, dialect, origin: 'asyncapi' };
  }

  /** One step of a `$ref`: where the ref at `node` leads, or `node` itself when it is no ref. */
  hop(node: Node): Node | undefined {
    const ref = refOf(node.value);
    if (ref === undefined) return node;
    const key = `${node.file}#${node.pointer}`;
    const known = this.#hops.get(key);
    if (known !== undefined) return known ?? undefined;
    const resolved = this.documents.resolveRef(ref, this.locate(node));
    const next = resolved === undefined ? null : resolved;
    this.#hops.set(key, next);
    return next ?? undefined;
  }

  /** Follows `$ref`s from `node` to the value they lead to; undefined (reported) when broken. */
  deref(node: Node): Node | undefined {
    let current = node;
    for (let hops = 0; hops < maxHops; hops++) {
      if (refOf(current.value) === undefined) return current;
      const next = this.hop(current);
      if (next === undefined) return undefined;
      current = next;
    }
    this.diagnostics.report(
      'SG_REF_UNRESOLVED',
      'this chain of $refs never ends',
      this.locate(node),
    );
    return undefined;
  }

  /** `deref`, narrowed to a mapping. */
  object(node: Node): Node | undefined {
    const target = this.deref(node);
    return target !== undefined && isRecord(target.value) ? target : undefined;
  }

  /** The entries of the mapping at `node` (after `$ref`s), in document order. */
  entries(node: Node): [string, Node][] {
    const target = this.object(node);
    if (target === undefined || !isRecord(target.value)) return [];
    return Object.keys(target.value).map((key) => [key, child(target, key)]);
  }

  /** The items of the list at `node` (after `$ref`s), in order. */
  items(node: Node): Node[] {
    const target = this.deref(node);
    if (target === undefined || !Array.isArray(target.value)) return [];
    return target.value.map((_, index) => child(target, index));
  }
}

/** The value under `node` at `segments` (absent keys give an undefined value). */
export function child(node: Node, ...segments: (string | number)[]): Node {
  let value = node.value;
  let pointer = node.pointer;
  for (const segment of segments) {
    pointer = childPointer(pointer, segment);
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isRecord(value) && Object.hasOwn(value, segment)) value = value[segment];
    else value = undefined;
  }
  return { value, file: node.file, pointer };
}

export function refOf(value: unknown): string | undefined {
  return isRecord(value) && typeof value.$ref === 'string' ? value.$ref : undefined;
}

/** A `$ref` to another machine (`https://…`): never fetched, see external-refs.ts. */
export function isRemote(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(ref) && !/^file:/i.test(ref);
}

export function stringAt(node: Node | undefined): string | undefined {
  return typeof node?.value === 'string' ? node.value : undefined;
}

export function numberAt(node: Node | undefined): number | undefined {
  return typeof node?.value === 'number' ? node.value : undefined;
}

/** `file#pointer`: the identity of a spec object written once and referred to many times. */
export function placeOf(node: Node): string {
  return `${node.file}#${node.pointer}`;
}

/** Code-unit order, never locale order (style.md §6). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byId<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareText(a.id, b.id));
}

export function sortedUnique(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareText);
}
