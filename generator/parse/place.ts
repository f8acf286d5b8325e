/** A node in a spec file, and small helpers the parsers share for walking and messages. */
import { childPointer, isRecord } from '../load/pointer.ts';

/** Where a node was written: its file and JSON pointer. */
export interface Place {
  readonly file: string;
  readonly pointer: string;
}

export function child(place: Place, ...segments: (string | number)[]): Place {
  return { file: place.file, pointer: segments.reduce<string>(childPointer, place.pointer) };
}

/** A value's shape for a message: `null`, `a list`, `a mapping`, `string "x"`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
