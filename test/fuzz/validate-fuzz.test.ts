/**
 * Property: whatever is done to a spec, `validateSpecs` answers, and every answer is a
 * well-formed diagnostic (design §10: every error is an answer, never a crash).
 *
 * The example specs (specs/todo, specs/petstore) are mutated one file at a time — as YAML text
 * (lines deleted, duplicated, swapped; random characters inserted; the file truncated) and as
 * parsed data written back as YAML or JSON (keys deleted, values replaced by JSON values of
 * another type, subtrees swapped, `$ref`s to nowhere and to themselves added) — and written to a
 * temp folder beside an untouched counterpart. Each outcome must be success or diagnostics:
 * validateSpecs settles within {@link RUN_TIMEOUT_MS} (a hang fails the run, by a race), every
 * diagnostic has a known code and severity, and every located one has a positive line and column
 * inside its file. The formatters must render the outcome without throwing.
 *
 * Seeded and reproducible: FUZZ_SEED picks other seeds, FUZZ_RUNS another number of runs; on a
 * failure fast-check prints the seed, the path and the shrunk counterexample.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { configFromPaths } from '../../generator/config.ts';
import { diagnosticCodes } from '../../generator/diagnostic-codes.ts';
import { formatHuman } from '../../generator/format/human.ts';
import { formatGithub, formatJson, formatSarif } from '../../generator/format/machine.ts';
import { formatRouteTable } from '../../generator/route-table.ts';
import { validateSpecs, type ValidateResult } from '../../generator/validate.ts';

/** Runs of all three properties together; kept small so `npm test` stays fast on 2 cores. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
/** One validation that takes longer than this is taken for a hang. */
const RUN_TIMEOUT_MS = 10_000;
const runsPerProperty = Math.max(1, Math.round(RUNS / 3));
/**
 * Caps a property, shrinking included, so a failure is reported (with its seed) before the test
 * times out. Far above what the runs need (a validation takes 0.1–0.5 s).
 */
const PROPERTY_LIMIT_MS = Math.max(150_000, runsPerProperty * 2_000);

type Side = 'openapi' | 'asyncapi';
interface Target {
  readonly spec: 'todo' | 'petstore';
  readonly side: Side;
}

const targets: readonly Target[] = (['todo', 'petstore'] as const).flatMap((spec) =>
  (['openapi', 'asyncapi'] as const).map((side) => ({ spec, side })),
);
const specPath = (spec: Target['spec'], side: Side): string =>
  fileURLToPath(new URL(`../../specs/${spec}/${side}.yaml`, import.meta.url));
const originals = new Map(
  targets.map((t) => [`${t.spec}/${t.side}`, readFileSync(specPath(t.spec, t.side), 'utf8')]),
);
const original = (target: Target): string => originals.get(`${target.spec}/${target.side}`) ?? '';

const temp = mkdtempSync(join(tmpdir(), 'specgate-fuzz-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
let runNumber = 0;

// ---------------------------------------------------------------------------------------------
// Text mutations

type TextEdit =
  | { readonly kind: 'delete-line'; readonly at: number }
  | { readonly kind: 'duplicate-line'; readonly at: number }
  | { readonly kind: 'swap-lines'; readonly at: number; readonly with: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate'; readonly at: number };

/** Characters that mean something to YAML, JSON or a `$ref`, and some that mean nothing. */
const yamlNoise = fc.string({
  unit: fc.constantFrom(
    ...[':', '-', '?', '{', '}', '[', ']', ',', '#', '&', '*', '!', '|', '>', "'", '"', '%'],
    ...['@', '`', '\t', '\n', ' ', '  ', '$ref', '~', '/', '\\', '\u0000', '\ufeff', 'a', '0'],
  ),
  maxLength: 6,
});
const anyNoise = fc.oneof(yamlNoise, fc.string({ unit: 'grapheme', maxLength: 6 }));

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete-line'), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line'), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines'), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('insert'), at: fc.nat(), text: anyNoise }),
  fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
);

function applyTextEdit(text: string, edit: TextEdit): string {
  const lines = text.split('\n');
  const line = (n: number): number => n % lines.length;
  switch (edit.kind) {
    case 'delete-line':
      lines.splice(line(edit.at), 1);
      return lines.join('\n');
    case 'duplicate-line': {
      const at = line(edit.at);
      lines.splice(at, 0, lines[at] ?? '');
      return lines.join('\n');
    }
    case 'swap-lines': {
      const [a, b] = [line(edit.at), line(edit.with)];
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      return lines.join('\n');
    }
    case 'insert': {
      const at = edit.at % (text.length + 1);
      return text.slice(0, at) + edit.text + text.slice(at);
    }
    case 'truncate':
      return text.slice(0, edit.at % (text.length + 1));
  }
}

// ---------------------------------------------------------------------------------------------
// Data mutations

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

type DataEdit =
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'retype'; readonly at: number; readonly pick: number; readonly values: Json[] }
  | { readonly kind: 'swap'; readonly at: number; readonly with: number }
  | { readonly kind: 'ref-missing'; readonly at: number; readonly ref: string }
  | { readonly kind: 'ref-self'; readonly at: number; readonly up: number };

const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
/** One value of every JSON type; `retype` takes one whose type differs from the old value's. */
const valueOfEachType: fc.Arbitrary<Json[]> = fc.tuple(
  fc.constant(null),
  fc.boolean(),
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '#/components', 'kafka', '{id}')),
  fc.array(json, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 }),
);
const missingRef = fc.constantFrom(
  '#/components/schemas/DoesNotExist',
  '#/channels/nowhere',
  '#/',
  '#not-a-pointer',
  '#/components/schemas/%ZZ',
  './missing.yaml#/components/schemas/Pet',
  'missing.json',
  'https://example.invalid/schema.json#/Pet',
);

const dataEdit: fc.Arbitrary<DataEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete'), at: fc.nat() }),
  fc.record({ kind: fc.constant('retype'), at: fc.nat(), pick: fc.nat(), values: valueOfEachType }),
  fc.record({ kind: fc.constant('swap'), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('ref-missing'), at: fc.nat(), ref: missingRef }),
  fc.record({ kind: fc.constant('ref-self'), at: fc.nat(), up: fc.nat({ max: 4 }) }),
);

/** Every path below the root, parents before children. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const children: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : isObject(value)
      ? Object.entries(value)
      : [];
  return children.flatMap(([key, child]) => {
    const path = [...prefix, key];
    return [path, ...pathsOf(child, path)];
  });
}

function get(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isObject(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

/** Sets (or, with `undefined`, removes) the value at a non-empty path. */
function set(root: Json, path: Path, value: Json | undefined): void {
  const parent = get(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') {
    if (value === undefined) parent.splice(key, 1);
    else parent[key] = value;
  } else if (isObject(parent) && typeof key === 'string') {
    if (value === undefined) Reflect.deleteProperty(parent, key);
    else parent[key] = value;
  }
}

function typeOf(value: Json | undefined): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function pointerOf(path: Path): string {
  return path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** Applies `edit` to `root` in place; an edit that finds nothing to act on does nothing. */
function applyDataEdit(root: Json, edit: DataEdit): void {
  const paths = pathsOf(root);
  const path = paths[edit.at % Math.max(1, paths.length)];
  if (path === undefined) return;
  const old = get(root, path);
  switch (edit.kind) {
    case 'delete':
      set(root, path, undefined);
      return;
    case 'retype': {
      const others = edit.values.filter((v) => typeOf(v) !== typeOf(old));
      set(root, path, others[edit.pick % others.length] ?? null);
      return;
    }
    case 'swap': {
      const other = paths[edit.with % paths.length];
      if (other === undefined || isPrefix(path, other) || isPrefix(other, path)) return;
      const otherValue = get(root, other);
      set(root, path, structuredClone(otherValue ?? null));
      set(root, other, structuredClone(old ?? null));
      return;
    }
    case 'ref-missing':
    case 'ref-self': {
      const ref =
        edit.kind === 'ref-missing'
          ? edit.ref
          : `#${pointerOf(path.slice(0, Math.max(0, path.length - edit.up)))}`;
      // Beside the siblings of an object (as `$ref` is usually written), else instead of it.
      if (isObject(old)) old.$ref = ref;
      else set(root, path, { $ref: ref });
      return;
    }
  }
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => key === path[i]);
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// One run: write the mutated file beside an untouched counterpart, validate, check the answer.

async function validateMutated(target: Target, text: string, extension: string): Promise<void> {
  const dir = join(temp, String(++runNumber));
  mkdirSync(dir);
  const mutated = join(dir, `${target.side}.${extension}`);
  writeFileSync(mutated, text);
  const otherSide: Side = target.side === 'openapi' ? 'asyncapi' : 'openapi';
  const counterpart = join(dir, `${otherSide}.yaml`);
  copyFileSync(specPath(target.spec, otherSide), counterpart);
  const files =
    target.side === 'openapi'
      ? { openapi: mutated, asyncapi: counterpart }
      : { openapi: counterpart, asyncapi: mutated };

  const result = await withinTimeout(validateSpecs(configFromPaths(files.openapi, files.asyncapi)));
  checkAnswer(result, [files.openapi, files.asyncapi]);
}

/**
 * Races the validation against a timer: catches a promise that never settles (a network fetch,
 * a lost callback). A synchronous endless loop would block this timer (and Vitest's own) too;
 * the run would then never end, which is loud enough.
 */
async function withinTimeout(promise: Promise<ValidateResult>): Promise<ValidateResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`validateSpecs did not settle within ${RUN_TIMEOUT_MS} ms (a hang)`)),
      RUN_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const severities = new Set(['error', 'warning', 'notice']);

function checkAnswer(result: ValidateResult, inputs: readonly string[]): void {
  const { diagnostics } = result;
  const known = new Set([...inputs, ...result.documents.files]);
  for (const d of diagnostics) {
    const where = `${d.code} ${JSON.stringify(d.location)}: ${d.message}`;
    expect(Object.hasOwn(diagnosticCodes, d.code), `unknown code: ${where}`).toBe(true);
    expect(severities.has(d.severity), `unknown severity: ${where}`).toBe(true);
    expect(typeof d.message === 'string' && d.message !== '', `no message: ${where}`).toBe(true);
    if (d.location === undefined) continue;
    const { file, line, column, pointer } = d.location;
    expect(isAbsolute(file) && known.has(file), `located in an unknown file: ${where}`).toBe(true);
    expect(Number.isInteger(line) && line > 0, `line not positive: ${where}`).toBe(true);
    expect(Number.isInteger(column) && column > 0, `column not positive: ${where}`).toBe(true);
    expect(pointer === '' || pointer.startsWith('/'), `not a JSON pointer: ${where}`).toBe(true);
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8').split('\n').length;
      expect(line, `line past the end of the file: ${where}`).toBeLessThanOrEqual(lines);
    }
  }
  expect(result.hasErrors).toBe(diagnostics.some((d) => d.severity === 'error'));
  // Every output format renders whatever came back.
  formatHuman(diagnostics, (file) => result.documents.text(file));
  expect(JSON.parse(formatJson(diagnostics))).toHaveProperty('diagnostics');
  expect(JSON.parse(formatSarif(diagnostics))).toHaveProperty('version', '2.1.0');
  formatGithub(diagnostics);
  if (result.api !== undefined) formatRouteTable(result.api.routes);
}

/** Each property gets its own seed (SEED, SEED + 1, …), so the two data ones differ. */
const parameters = (offset: number): fc.Parameters<unknown> => ({
  seed: SEED + offset,
  numRuns: runsPerProperty,
  plugins: [fc.interruptAfterTimeLimit(PROPERTY_LIMIT_MS, { failOnInterrupt: true })],
});
const testTimeout = PROPERTY_LIMIT_MS + 30_000;

describe(`validateSpecs on mutated example specs (seed ${SEED}, ${RUNS} runs)`, () => {
  it(
    'answers mutated YAML text with success or located diagnostics',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...targets),
          fc.array(textEdit, { minLength: 1, maxLength: 4 }),
          async (target, edits) => {
            const text = edits.reduce(applyTextEdit, original(target));
            await validateMutated(target, text, 'yaml');
          },
        ),
        parameters(0),
      );
    },
    testTimeout,
  );

  it.each(['yaml', 'json'] as const)(
    'answers mutated data written back as %s with success or located diagnostics',
    async (format) => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...targets),
          fc.array(dataEdit, { minLength: 1, maxLength: 4 }),
          async (target, edits) => {
            const data = parseYaml(original(target)) as Json;
            for (const edit of edits) applyDataEdit(data, edit);
            const text =
              format === 'json'
                ? JSON.stringify(data, null, 2)
                : stringifyYaml(data, { aliasDuplicateObjects: false });
            await validateMutated(target, text, format);
          },
        ),
        parameters(format === 'yaml' ? 1 : 2),
      );
    },
    testTimeout,
  );
});
