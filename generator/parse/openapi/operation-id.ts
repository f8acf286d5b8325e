/** Operation ids for operations that declare none: camelCase of the method and the path. */
import type { HttpOperation } from '../../ir/types.ts';

/** `get` `/tasks/{id}/history` → `getTasksIdHistory`; `get` `/` → `get`. */
export function deriveOperationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  return method + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

/**
 * Makes derived ids unique: one that clashes with a declared id or an earlier derived one gets
 * `2`, `3`, … in list order (the lists are sorted, so this is deterministic). Declared ids are
 * never changed; the validator reports declared duplicates.
 */
export function uniqueDerivedIds(operations: readonly HttpOperation[]): HttpOperation[] {
  const taken = new Set(operations.filter((o) => o.hasOperationId).map((o) => o.operationId));
  return operations.map((operation) => {
    if (operation.hasOperationId) return operation;
    let id = operation.operationId;
    for (let n = 2; taken.has(id); n++) id = `${operation.operationId}${n}`;
    taken.add(id);
    return id === operation.operationId ? operation : { ...operation, operationId: id };
  });
}
