/**
 * The one naming module (style.md §8): spec strings → TypeScript identifiers, in small steps
 * that each do one thing — split into words, case them, keep the result a legal identifier that
 * clashes with nothing the generated code or its reader relies on — plus a deterministic
 * allocator for names that collide, and the two ways to write a spec string as TypeScript text
 * (a property key, a string literal). Every emitter names things through here, so a schema
 * called `task-created` is `TaskCreated` in the gateway, the client and the service alike.
 */

/**
 * Words of a spec string: runs of letters and digits split at anything else (`-`, `_`, `.`,
 * spaces, `/`, `$`, …) and at camel humps (`getHTTPResponse` → `get`, `HTTP`, `Response`).
 * Apostrophes are dropped rather than split at (`user's` → `users`).
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const run of text.replace(/['’]/gu, '').split(/[^\p{ID_Continue}]|\p{Pc}/u)) {
    if (run === '') continue;
    words.push(...(run.match(humps) ?? []));
  }
  return words;
}

/**
 * One word of a run: an acronym before a capitalised word (`HTTP` of `HTTPServer`), a
 * capitalised or lower-case word (marks stay with their letter), an acronym, digits, or a run
 * of letters without case (CJK, …).
 */
const humps =
  /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?[\p{Ll}\p{M}]+|\p{Lu}[\p{Lu}\p{M}]*|\p{Nd}+|[^\p{Lu}\p{Ll}\p{Nd}]+/gu;

/**
 * `ORDER_CREATED` and `order-created` name the same thing: when a string of several words has
 * no lower-case letter it is read as SCREAMING_CASE and its words lower-cased first. A single
 * upper-case word stays an acronym (`ID`, `DTO`).
 */
function casedWords(text: string): string[] {
  const words = splitWords(text);
  const screaming = words.length > 1 && !/\p{Ll}/u.test(text);
  return screaming ? words.map((word) => word.toLowerCase()) : words;
}

function upperFirst(word: string): string {
  const [head = ''] = word;
  return head.toUpperCase() + word.slice(head.length);
}

function lowerFirst(word: string): string {
  const [head = ''] = word;
  return head.toLowerCase() + word.slice(head.length);
}

/** `task-created` → `TaskCreated`; the rest of each word keeps its case (`TaskDTO`). */
export function pascalCase(text: string): string {
  return casedWords(text).map(upperFirst).join('');
}

/** `Task-Created` → `taskCreated`; a leading acronym is lower-cased whole (`HTTPServer` → `httpServer`). */
export function camelCase(text: string): string {
  const [first, ...rest] = casedWords(text);
  if (first === undefined) return '';
  const head = /\p{Ll}/u.test(first) ? lowerFirst(first) : first.toLowerCase();
  return head + rest.map(upperFirst).join('');
}

/**
 * Names generated code must not declare: JavaScript's reserved words (strict mode included),
 * TypeScript's built-in type names, and the globals that generated code or the user's code
 * next to it may use (a schema called `Date` or `Response` would shadow them in every file that
 * imports it).
 */
export const reservedWords: ReadonlySet<string> = new Set([
  // ECMAScript reserved words, strict-mode reserved words and restricted names
  ...['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete'],
  ...['do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if'],
  ...['import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this'],
  ...['throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'await'],
  ...['implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static'],
  ...['arguments', 'eval', 'undefined', 'NaN', 'Infinity', 'globalThis'],
  // TypeScript's built-in type names
  ...['any', 'unknown', 'never', 'object', 'string', 'number', 'boolean', 'symbol', 'bigint'],
  // ECMAScript globals and TypeScript's utility types
  ...['Object', 'Array', 'ReadonlyArray', 'Promise', 'PromiseLike', 'Record', 'Date', 'Error'],
  ...['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'AggregateError', 'Map'],
  ...['Set', 'WeakMap', 'WeakSet', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt'],
  ...['Function', 'JSON', 'Math', 'RegExp', 'Intl', 'Reflect', 'Proxy', 'ArrayBuffer'],
  ...['Uint8Array', 'DataView', 'Iterable', 'Iterator', 'IterableIterator', 'AsyncIterable'],
  ...['AsyncIterator', 'AsyncIterableIterator', 'Generator', 'AsyncGenerator', 'ArrayLike'],
  ...['Partial', 'Required', 'Readonly', 'Pick', 'Omit', 'Exclude', 'Extract', 'NonNullable'],
  ...['ReturnType', 'Parameters', 'InstanceType', 'Awaited', 'PropertyKey'],
  // platform globals the generated gateway, client and service use
  ...['Buffer', 'console', 'process', 'fetch', 'Response', 'Request', 'Headers', 'URL'],
  ...['URLSearchParams', 'AbortSignal', 'AbortController', 'ReadableStream', 'TextEncoder'],
  ...['TextDecoder', 'EventSource', 'Event', 'EventTarget', 'MessageEvent', 'Blob', 'FormData'],
  ...['DOMException', 'setTimeout', 'clearTimeout', 'structuredClone', 'crypto'],
]);

/** A legal identifier: no leading digit (`2fa` → `_2fa`), no reserved word (`Date` → `Date_`). */
export function safeIdentifier(name: string, fallback: string): string {
  let identifier = name === '' ? fallback : name;
  if (!/^[\p{ID_Start}$_]/u.test(identifier)) identifier = `_${identifier}`;
  return reservedWords.has(identifier) ? `${identifier}_` : identifier;
}

/** A type name: `task-created` → `TaskCreated`, `date` → `Date_`, `` → `fallback`. */
export function typeName(text: string, fallback = 'Type'): string {
  return safeIdentifier(pascalCase(text), fallback);
}

/** A value name (variable, function, parameter): `Task-Id` → `taskId`, `class` → `class_`. */
export function valueName(text: string, fallback = 'value'): string {
  return safeIdentifier(camelCase(text), fallback);
}

/**
 * A schema's type name. Names qualified the Java way (`org.example.Order`, which Springwolf
 * and other schema exporters write) are named by their last segment (`Order`); a clash with
 * another schema is then resolved by the {@link NameAllocator}, like any other.
 */
export function schemaTypeName(name: string): string {
  const qualified = /^[\p{L}_$][\p{L}\p{N}_$]*(?:\.[\p{L}_$][\p{L}\p{N}_$]*)+$/u.test(name);
  const last = name.slice(name.lastIndexOf('.') + 1);
  return typeName(qualified && /^\p{Lu}/u.test(last) ? last : name, 'Schema');
}

/** True when `text` can be written as an identifier (a property key without quotes). */
export function isIdentifier(text: string): boolean {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u.test(text);
}

/**
 * A string literal, quoted as prettier would (`singleQuote`: single quotes unless the text holds
 * more single quotes than double), with every character that cannot stand in a source line
 * escaped.
 */
export function stringLiteral(value: string): string {
  const singles = value.split("'").length;
  const doubles = value.split('"').length;
  const quote = singles > doubles ? '"' : "'";
  let out = quote;
  for (const char of value) out += escapeChar(char, quote);
  return out + quote;
}

const namedEscapes: { readonly [char: string]: string } = {
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function escapeChar(char: string, quote: string): string {
  if (char === quote) return `\\${char}`;
  const named = namedEscapes[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  // C0/C1 controls, line and paragraph separators, and lone surrogates
  if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029) {
    return `\\u${code.toString(16).padStart(4, '0')}`;
  }
  if (code >= 0xd800 && code <= 0xdfff) return `\\u${code.toString(16)}`;
  return char;
}

/** A property key: the name itself when it is an identifier, else a string literal. */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : stringLiteral(name);
}

/**
 * Hands out names in one scope (a file, a namespace) so that no two things share one: the
 * first to ask for `OrderCreated` gets it, the next gets `OrderCreated2`, then `OrderCreated3`.
 * Deterministic as long as callers ask in a deterministic order (sorted ids, style.md §6).
 */
export class NameAllocator {
  readonly #taken = new Set<string>();

  /** `reserved`: names the scope already uses (imports, helpers) that nothing may take. */
  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.#taken.add(name);
  }

  /** `name` if it is free, else `name` followed by the smallest free number from 2. */
  allocate(name: string): string {
    let candidate = name;
    for (let n = 2; this.#taken.has(candidate); n++) candidate = `${name}${n}`;
    this.#taken.add(candidate);
    return candidate;
  }

  has(name: string): boolean {
    return this.#taken.has(name);
  }
}
