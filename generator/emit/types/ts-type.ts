/**
 * A small model of the TypeScript types the emitters write, between the IR's JSON Schemas and
 * the printed text: schema rules build it (schema-type.ts), `union` and `intersection` keep it
 * simple (flat, no duplicates, `unknown` and `never` folded away), print-type.ts lays it out.
 */

export type TsType =
  | { readonly kind: 'keyword'; readonly name: Keyword }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'reference'; readonly name: string }
  | { readonly kind: 'array'; readonly element: TsType }
  | {
      readonly kind: 'tuple';
      readonly elements: readonly TupleElement[];
      /** The type of the elements after `elements` (`...T[]`); absent for a closed tuple. */
      readonly rest?: TsType;
    }
  | ObjectType
  | { readonly kind: 'union'; readonly members: readonly TsType[] }
  | { readonly kind: 'intersection'; readonly members: readonly TsType[] };

export type Keyword = 'string' | 'number' | 'boolean' | 'null' | 'undefined' | 'unknown' | 'never';

export interface ObjectType {
  readonly kind: 'object';
  /** Sorted by name (code units). */
  readonly properties: readonly PropertyType[];
  /** The type of `[key: string]`; absent for an object with only its named properties. */
  readonly index?: TsType;
}

export interface PropertyType {
  readonly name: string;
  readonly type: TsType;
  readonly optional: boolean;
  /** JSDoc lines. */
  readonly doc: readonly string[];
}

export interface TupleElement {
  readonly type: TsType;
  readonly optional: boolean;
}

export const unknownType: TsType = { kind: 'keyword', name: 'unknown' };
export const neverType: TsType = { kind: 'keyword', name: 'never' };
export const nullType: TsType = { kind: 'keyword', name: 'null' };

export function keyword(name: Keyword): TsType {
  return { kind: 'keyword', name };
}

export function reference(name: string): TsType {
  return { kind: 'reference', name };
}

/** The literal type of a JSON value: `'a'`, `1`, `true`, `null`, a tuple or an object of them. */
export function jsonLiteral(value: unknown): TsType {
  if (value === null) return nullType;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { kind: 'literal', value };
  }
  if (Array.isArray(value)) {
    return {
      kind: 'tuple',
      elements: value.map((v) => ({ type: jsonLiteral(v), optional: false })),
    };
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => compareCodeUnits(a, b));
    // `{}` would mean "anything but null" in TypeScript; an empty JSON object has no keys.
    if (entries.length === 0) return objectType([], neverType);
    return objectType(
      entries.map(([name, v]) => ({ name, type: jsonLiteral(v), optional: false, doc: [] })),
    );
  }
  return unknownType;
}

/** Code-unit order (style.md §6): never locale order. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A stable text key of a type, for removing duplicates. */
export function typeKey(type: TsType): string {
  // Types are not changed once made; a union is often keyed again as it is merged into others.
  let key = typeKeys.get(type);
  if (key === undefined) {
    key = JSON.stringify(type);
    typeKeys.set(type, key);
  }
  return key;
}

const typeKeys = new WeakMap<TsType, string>();

/**
 * `A | B`, flattened and without duplicates; `unknown` absorbs the rest, `never` drops out, and
 * a literal next to its own primitive (`'a' | string`) is left to the primitive.
 */
export function union(members: readonly TsType[]): TsType {
  const flat = unique(members.flatMap((m) => (m.kind === 'union' ? m.members : [m])));
  if (flat.some(isUnknown)) return unknownType;
  const kept = flat.filter(
    (m) =>
      !isNever(m) &&
      !(
        m.kind === 'literal' && flat.some((o) => o.kind === 'keyword' && o.name === typeof m.value)
      ),
  );
  if (kept.length === 0) return neverType;
  return kept.length === 1 ? (kept[0] ?? neverType) : { kind: 'union', members: kept };
}

/**
 * `A & B`, flattened and without duplicates; `unknown` drops out, `never` absorbs the rest,
 * literals absorb their own primitive (`string & ('a' | 'b')` is `'a' | 'b'`), and the object
 * literals among the members are merged into one, where the first of them stood.
 */
export function intersection(members: readonly TsType[]): TsType {
  const flat = unique(members.flatMap((m) => (m.kind === 'intersection' ? m.members : [m])));
  if (flat.some(isNever)) return neverType;
  const kept = flat.filter(
    (m) => !isUnknown(m) && !(m.kind === 'keyword' && flat.some((o) => isLiteralOf(o, m.name))),
  );
  if (kept.length === 0) return unknownType;
  if (kept.length === 1) return kept[0] ?? unknownType;
  const objects = kept.filter((m): m is ObjectType => m.kind === 'object');
  if (objects.length < 2) return { kind: 'intersection', members: kept };
  const merged = mergeObjects(objects);
  const first = kept.indexOf(objects[0] ?? merged);
  const others = kept.filter((m) => m.kind !== 'object');
  if (others.length === 0) return merged;
  return {
    kind: 'intersection',
    members: [...others.slice(0, first), merged, ...others.slice(first)],
  };
}

/** One object type that means what `A & B & …` of object types means. */
function mergeObjects(objects: readonly ObjectType[]): ObjectType {
  const byName = new Map<string, PropertyType[]>();
  for (const object of objects) {
    for (const property of object.properties) {
      byName.set(property.name, [...(byName.get(property.name) ?? []), property]);
    }
  }
  const properties = [...byName.entries()]
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([name, parts]) => ({
      name,
      type: intersection(parts.map((p) => p.type)),
      optional: parts.every((p) => p.optional),
      doc: parts.find((p) => p.doc.length > 0)?.doc ?? [],
    }));
  const indexes = objects.map((o) => o.index);
  const index = indexes.every((i) => i !== undefined) ? intersection(indexes) : undefined;
  return objectType(properties, index);
}

/**
 * An object type. TypeScript wants every named property to fit the index signature (and an
 * optional one to accept `undefined`, under `strict`), so the index type is widened to them.
 */
export function objectType(properties: readonly PropertyType[], index?: TsType): ObjectType {
  if (index === undefined) return { kind: 'object', properties };
  const widened = union([
    index,
    ...properties.map((p) => p.type),
    ...(properties.some((p) => p.optional) ? [keyword('undefined')] : []),
  ]);
  return { kind: 'object', properties, index: widened };
}

/** `'a'` and `'a' | 'b'` are literals of `string`: intersected with it, they are what is left. */
function isLiteralOf(type: TsType, name: Keyword): boolean {
  if (type.kind === 'literal') return typeof type.value === name;
  return type.kind === 'union' && type.members.every((m) => isLiteralOf(m, name));
}

function unique(types: readonly TsType[]): TsType[] {
  const seen = new Set<string>();
  return types.filter((t) => {
    const key = typeKey(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isUnknown(type: TsType): boolean {
  return type.kind === 'keyword' && type.name === 'unknown';
}

function isNever(type: TsType): boolean {
  return type.kind === 'keyword' && type.name === 'never';
}

/**
 * The named types `type` needs resolved before it can be resolved itself: references at its top,
 * through unions and intersections. TypeScript resolves these eagerly (a type alias that reaches
 * itself this way is an error); references inside objects, arrays and tuples are deferred.
 */
export function eagerReferences(type: TsType): string[] {
  switch (type.kind) {
    case 'reference':
      return [type.name];
    case 'union':
    case 'intersection':
      return type.members.flatMap(eagerReferences);
    default:
      return [];
  }
}

/** Every named type `type` mentions, anywhere. */
export function allReferences(type: TsType): string[] {
  switch (type.kind) {
    case 'reference':
      return [type.name];
    case 'array':
      return allReferences(type.element);
    case 'tuple':
      return [
        ...type.elements.flatMap((e) => allReferences(e.type)),
        ...(type.rest === undefined ? [] : allReferences(type.rest)),
      ];
    case 'object':
      return [
        ...type.properties.flatMap((p) => allReferences(p.type)),
        ...(type.index === undefined ? [] : allReferences(type.index)),
      ];
    case 'union':
    case 'intersection':
      return type.members.flatMap(allReferences);
    default:
      return [];
  }
}

/** `type` with every eager reference to `name` replaced by `unknown` (and simplified again). */
export function withoutEagerReference(type: TsType, name: string): TsType {
  switch (type.kind) {
    case 'reference':
      return type.name === name ? unknownType : type;
    case 'union':
      return union(type.members.map((m) => withoutEagerReference(m, name)));
    case 'intersection':
      return intersection(type.members.map((m) => withoutEagerReference(m, name)));
    default:
      return type;
  }
}
