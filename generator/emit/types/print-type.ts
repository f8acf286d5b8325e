/**
 * {@link TsType} → {@link Doc}, built the way prettier builds its doc for the same TypeScript
 * (union, intersection, array, tuple, type literal, type alias, interface), so the printed text
 * is what `prettier --check` expects with the project's config (printWidth 100, singleQuote).
 */
import { propertyKey, stringLiteral } from '../naming.ts';
import {
  align,
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  softline,
  type Doc,
} from './doc.ts';
import type { ObjectType, PropertyType, TsType } from './ts-type.ts';

export interface PrintOptions {
  /** `readonly` on properties, index signatures, arrays and tuples. */
  readonly readonly: boolean;
}

/** The doc of `type` where it stands on its own (a type argument, a cast, …). */
export function typeDoc(type: TsType, options: PrintOptions): Doc {
  switch (type.kind) {
    case 'keyword':
    case 'reference':
      return type.name;
    case 'literal':
      return literalText(type.value);
    case 'array':
      return withReadonly(options, [elementDoc(type.element, options), '[]']);
    case 'tuple':
      return withReadonly(options, tupleDoc(type, options));
    case 'object':
      return objectDoc(type, options);
    case 'union':
      return isHuggedUnion(type.members)
        ? join(
            ' | ',
            type.members.map((m) => unionMemberDoc(m, options)),
          )
        : unionCore(type.members, options);
    case 'intersection':
      return intersectionDoc(type.members, options);
  }
}

/** The doc of `type` after `name: ` (a property or an index signature). */
export function annotationDoc(type: TsType, options: PrintOptions): Doc {
  if (type.kind === 'union' && !isHuggedUnion(type.members)) {
    return group(indent([softline, unionCore(type.members, options)]));
  }
  return typeDoc(type, options);
}

/** `export type Name = …;` */
export function typeAliasDoc(name: string, type: TsType, options: PrintOptions): Doc {
  let right: Doc;
  if (type.kind === 'union' && !isHuggedUnion(type.members)) {
    right = group(indent([line, unionCore(type.members, options)]));
  } else {
    // prettier's "fluid" assignment layout
    const id = Symbol('assignment');
    right = [group(indent(line), { id }), indentIfBreak(typeDoc(type, options), id)];
  }
  return ['export', ' ', group([group(['type ', name]), ' =', right]), ';'];
}

/** `export interface Name { … }` */
export function interfaceDoc(name: string, type: ObjectType, options: PrintOptions): Doc {
  return [
    'export interface ',
    name,
    ' {',
    indent([hardline, membersDoc(type, options)]),
    hardline,
    '}',
  ];
}

/** A JSDoc comment of `lines` followed by a line break, or nothing when there are no lines. */
export function jsDocDoc(lines: readonly string[]): Doc {
  if (lines.length === 0) return '';
  const safe = lines.map((text) => text.replaceAll('*/', '*\\/').trimEnd());
  if (safe.length === 1) return [`/** ${safe[0] ?? ''} */`, hardline];
  return [
    '/**',
    ...safe.map((text): Doc => [hardline, text === '' ? ' *' : ` * ${text}`]),
    hardline,
    ' */',
    hardline,
  ];
}

function membersDoc(type: ObjectType, options: PrintOptions): Doc {
  const members: Doc[] = type.properties.map((p) => [propertyDoc(p, options), ';']);
  if (type.index !== undefined) members.push([indexDoc(type.index, options), ';']);
  return join(hardline, members);
}

function propertyDoc(property: PropertyType, options: PrintOptions): Doc {
  return [
    jsDocDoc(property.doc),
    group([
      options.readonly ? 'readonly ' : '',
      propertyKey(property.name),
      property.optional ? '?' : '',
      ':',
      ' ',
      annotationDoc(property.type, options),
    ]),
  ];
}

function indexDoc(type: TsType, options: PrintOptions): Doc {
  return group([
    options.readonly ? 'readonly ' : '',
    '[',
    group([indent([softline, 'key', ':', ' ', 'string']), softline]),
    ']',
    ':',
    ' ',
    annotationDoc(type, options),
  ]);
}

/**
 * A type literal. One with several members (or a documented one) is always written over several
 * lines, as an interface would be (prettier keeps an object broken when it was written broken);
 * one with a single member stays on one line when it fits.
 */
function objectDoc(type: ObjectType, options: PrintOptions): Doc {
  const members: Doc[] = type.properties.map((p) => propertyDoc(p, options));
  if (type.index !== undefined) members.push(indexDoc(type.index, options));
  if (members.length === 0) return '{}';
  return group(['{', indent([line, join([';', line], members), ifBreak(';')]), line, '}'], {
    shouldBreak: members.length > 1,
  });
}

function tupleDoc(type: Extract<TsType, { kind: 'tuple' }>, options: PrintOptions): Doc {
  const count = type.elements.length + (type.rest === undefined ? 0 : 1);
  if (count === 0) return '[]';
  const elements: Doc[] = type.elements.map((e) =>
    group(
      e.optional ? [elementDoc(e.type, options), '?'] : tupleMemberDoc(e.type, count > 1, options),
    ),
  );
  if (type.rest !== undefined) {
    elements.push(group(['...', elementDoc(type.rest, options), '[]']));
  }
  return group(['[', indent([softline, join([',', line], elements), ifBreak(',')]), softline, ']']);
}

/** A union directly in a tuple is wrapped in parentheses only when it breaks. */
function tupleMemberDoc(type: TsType, several: boolean, options: PrintOptions): Doc {
  if (type.kind !== 'union' || isHuggedUnion(type.members) || !several) {
    return typeDoc(type, options);
  }
  return group([
    indent([ifBreak(['(', softline]), unionCore(type.members, options)]),
    softline,
    ifBreak(')'),
  ]);
}

/** The element of `T[]` (and of a tuple's rest), in parentheses where TypeScript needs them. */
function elementDoc(type: TsType, options: PrintOptions): Doc {
  switch (type.kind) {
    case 'union':
      return isHuggedUnion(type.members)
        ? ['(', typeDoc(type, options), ')']
        : parenthesizedUnion(type.members, options);
    case 'intersection':
      return ['(', typeDoc(type, options), ')'];
    case 'array':
    case 'tuple':
      return options.readonly ? ['(', typeDoc(type, options), ')'] : typeDoc(type, options);
    default:
      return typeDoc(type, options);
  }
}

function unionMemberDoc(type: TsType, options: PrintOptions): Doc {
  return type.kind === 'intersection' ? ['(', typeDoc(type, options), ')'] : typeDoc(type, options);
}

/** `A | B | C`, or one member a line, each after `| `, when it does not fit. */
function unionCore(members: readonly TsType[], options: PrintOptions): Doc {
  return group([
    ifBreak('| '),
    join(
      [line, '| '],
      members.map((m) => align(2, unionMemberDoc(m, options))),
    ),
  ]);
}

function parenthesizedUnion(members: readonly TsType[], options: PrintOptions): Doc {
  return ['(', group([indent([softline, unionCore(members, options)]), softline]), ')'];
}

/**
 * prettier's union "hug": `{ … } | null` (one object-like member, the rest `null`) is written
 * inline rather than one member a line.
 */
function isHuggedUnion(members: readonly TsType[]): boolean {
  const objects = members.filter((m) => m.kind === 'object' || m.kind === 'reference');
  return (
    objects.length === 1 &&
    members.every((m) => m.kind === 'object' || m.kind === 'reference' || isNull(m))
  );
}

function isNull(type: TsType): boolean {
  return type.kind === 'keyword' && type.name === 'null';
}

/**
 * prettier's intersection layout: between two non-objects the line may break after `&`;
 * next to an object literal the `&` stays inline and the object breaks instead.
 */
function intersectionDoc(members: readonly TsType[], options: PrintOptions): Doc {
  const parts: Doc[] = [];
  let wasIndented = false;
  members.forEach((member, i) => {
    const doc = intersectionMemberDoc(member, options);
    const previous = members[i - 1];
    if (previous === undefined) {
      parts.push(doc);
    } else if (previous.kind !== 'object' && member.kind !== 'object') {
      parts.push(indent([' &', line, doc]));
    } else if (previous.kind === 'object' && member.kind === 'object') {
      parts.push(' & ', wasIndented ? indent(doc) : doc);
    } else {
      if (i > 1) wasIndented = true;
      parts.push(' & ', i > 1 ? indent(doc) : doc);
    }
  });
  return group(parts);
}

function intersectionMemberDoc(type: TsType, options: PrintOptions): Doc {
  if (type.kind === 'union') {
    return isHuggedUnion(type.members)
      ? ['(', typeDoc(type, options), ')']
      : parenthesizedUnion(type.members, options);
  }
  return typeDoc(type, options);
}

function withReadonly(options: PrintOptions, doc: Doc): Doc {
  return options.readonly ? ['readonly', ' ', doc] : doc;
}

/** A literal type's text: a quoted string, a number as prettier prints it, `true`/`false`. */
export function literalText(value: string | number | boolean): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'boolean') return String(value);
  return String(value).toLowerCase().replace('e+', 'e');
}
