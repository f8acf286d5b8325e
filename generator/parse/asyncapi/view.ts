/**
 * An operation or message as its traits make it, without copying: a {@link View} stacks the
 * object and its traits as layers and answers each field from the layer that wins, so the value
 * still knows the file and pointer it was written at (a merged copy would not).
 *
 * The precedence follows the specs (and parser-js's `applyTraits`):
 * - AsyncAPI 2.x: "Traits MUST be merged into the object using the JSON Merge Patch algorithm in
 *   the same order they are defined", so the last trait wins, then earlier traits, then the object;
 * - AsyncAPI 3.0: "the object MUST take precedence over the traits": the object wins, then the
 *   last trait, then earlier ones.
 * Mappings present in several layers merge key by key (JSON Merge Patch); a `null` removes.
 */
import { isRecord } from '../../load/pointer.ts';
import { child, stringAt, type AsyncApiContext, type Node } from './context.ts';

export class View {
  readonly #ctx: AsyncApiContext;
  /** The object itself: where it was written. */
  readonly self: Node;
  /** Mappings, the winning layer first. */
  readonly #layers: readonly Node[];

  private constructor(ctx: AsyncApiContext, self: Node, layers: readonly Node[]) {
    this.#ctx = ctx;
    this.self = self;
    this.#layers = layers;
  }

  /** A mapping without traits (`self` already dereferenced). */
  static of(ctx: AsyncApiContext, self: Node): View {
    return new View(ctx, self, isRecord(self.value) ? [self] : []);
  }

  /** An operation or message with its `traits` applied (`self` already dereferenced). */
  static withTraits(ctx: AsyncApiContext, self: Node): View {
    const traits = ctx
      .items(child(self, 'traits'))
      .map((trait) => ctx.object(trait))
      .filter((trait): trait is Node => trait !== undefined)
      .reverse();
    const layers = ctx.major === 2 ? [...traits, self] : [self, ...traits];
    return new View(
      ctx,
      self,
      layers.filter((layer) => isRecord(layer.value)),
    );
  }

  /** The raw value of `key` from the winning layer (a `$ref` stays a `$ref`). */
  field(key: string): Node | undefined {
    for (const layer of this.#layers) {
      const value = child(layer, key);
      if (value.value === undefined) continue;
      return value.value === null ? undefined : value;
    }
    return undefined;
  }

  string(key: string): string | undefined {
    const value = this.field(key);
    return value === undefined ? undefined : stringAt(this.#ctx.deref(value));
  }

  /** The mapping at `key`, merged across layers, each layer's value dereferenced. */
  view(key: string): View | undefined {
    const found: Node[] = [];
    for (const value of this.#stack(key)) {
      const target = this.#ctx.deref(value);
      if (target === undefined || !isRecord(target.value)) break;
      found.push(target);
    }
    const [first] = found;
    return first === undefined ? undefined : new View(this.#ctx, first, found);
  }

  /**
   * The schema at `key`. Written in one layer, it is returned raw (a `$ref` keeps its name);
   * written as mappings in several, they are merged into one value placed at the winning layer.
   */
  schema(key: string): Node | undefined {
    const stack = this.#stack(key);
    const [top] = stack;
    if (top === undefined || stack.length === 1) return top;
    let merged: unknown = undefined;
    for (const layer of [...stack].reverse()) {
      const target = this.#ctx.deref(layer);
      if (target !== undefined) merged = mergePatch(merged, target.value);
    }
    return { value: merged, file: top.file, pointer: top.pointer };
  }

  /** The values of `key` that merge, winning layer first: mappings, or one value that is not. */
  #stack(key: string): Node[] {
    const stack: Node[] = [];
    for (const layer of this.#layers) {
      const value = child(layer, key);
      if (value.value === undefined) continue;
      if (value.value === null) break;
      const isMapping = isRecord(value.value);
      if (!isMapping && stack.length > 0) break;
      stack.push(value);
      if (!isMapping) break;
    }
    return stack;
  }
}

/** RFC 7386 JSON Merge Patch: `patch` applied to `target`, neither modified. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  // A Map, not an object: a `__proto__` key stays a key.
  const result = new Map(Object.entries(isRecord(target) ? target : {}));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result.delete(key);
    else result.set(key, mergePatch(result.get(key), value));
  }
  return Object.fromEntries(result);
}
