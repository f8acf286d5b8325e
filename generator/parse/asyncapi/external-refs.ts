/**
 * The `$ref`s of a document that lead outside what we can read: remote (http/https) ones, never
 * fetched, and relative files that cannot be loaded. Found before validation so that the
 * validator gets a stand-in for them instead of going to the network, and so that each one is
 * reported once, at the place where it is written (see {@link reportExternalRefs}).
 */
import { dirname, resolve } from 'node:path';
import type { DocumentSet } from '../../load/document-set.ts';
import { childPointer, followPointer, isRecord } from '../../load/pointer.ts';
import type { Diagnostics } from '../../diagnostics.ts';
import { isRemote } from './context.ts';

/** A `$ref` that leads nowhere readable: where it is written and what it says. */
export interface ExternalRef {
  readonly file: string;
  /** The pointer of the mapping that holds the `$ref`. */
  readonly pointer: string;
  readonly ref: string;
  readonly kind: 'remote' | 'unreadable';
}

/**
 * Walks what `file` refers to, file by file (relative to each referring file), loading the
 * files through `documents` (so an unreadable one is reported where it is referred to).
 */
export function findExternalRefs(
  documents: DocumentSet,
  file: string,
  data: unknown,
): ExternalRef[] {
  const found = new Map<string, ExternalRef>();
  const visited = new Set<string>();
  const visit = (at: string, pointer: string, value: unknown): void => {
    const key = `${at}#${pointer}`;
    if (visited.has(key)) return;
    visited.add(key);
    walk(at, pointer, value);
  };
  const walk = (at: string, pointer: string, value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(at, childPointer(pointer, index), item));
      return;
    }
    if (!isRecord(value)) return;
    if (typeof value.$ref === 'string') follow(at, pointer, value.$ref);
    for (const [key, item] of Object.entries(value)) walk(at, childPointer(pointer, key), item);
  };
  const follow = (at: string, pointer: string, ref: string): void => {
    const hash = ref.indexOf('#');
    const target = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = safeDecode(hash === -1 ? '' : ref.slice(hash + 1));
    if (isRemote(target)) {
      found.set(`${at}#${pointer}`, { file: at, pointer, ref, kind: 'remote' });
      return;
    }
    const targetFile =
      target === '' ? at : resolve(dirname(at), safeDecode(target.replace(/^file:\/\//i, '')));
    // The root is walked whole: a ref into it needs no second walk.
    if (targetFile === file) return;
    const document = documents.load(targetFile, documents.locate(at, pointer));
    if (document === undefined) {
      found.set(`${at}#${pointer}`, { file: at, pointer, ref, kind: 'unreadable' });
      return;
    }
    const subtree = followPointer(document.data, fragment);
    if (subtree !== undefined) visit(document.file, fragment, subtree);
  };
  visit(file, '', data);
  return [...found.values()];
}

/**
 * Reports each remote `$ref` that the IR walk did not already report (it reports the ones it
 * meets, through the same {@link DocumentSet.resolveRef}), so each is reported exactly once.
 * Unreadable files were reported when {@link findExternalRefs} tried to load them.
 */
export function reportExternalRefs(
  run: { readonly documents: DocumentSet; readonly diagnostics: Diagnostics },
  refs: readonly ExternalRef[],
): void {
  const reported = new Set(
    run.diagnostics.items
      .filter((d) => d.code === 'SG_REF_REMOTE' && d.location !== undefined)
      .map((d) => `${d.location?.file}#${d.location?.pointer}`),
  );
  for (const ref of refs) {
    if (ref.kind !== 'remote' || reported.has(`${ref.file}#${ref.pointer}`)) continue;
    run.documents.resolveRef(ref.ref, run.documents.locate(ref.file, ref.pointer));
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
