/**
 * Which mapping applies to an HTTP operation: the config file's entry, then `x-specgate`, then
 * Zilla's `x-zilla-http-kafka`, merged field by field (the first that sets a field wins).
 */
import type { HttpOperation, MappingOverrides, SpecLocation } from '../ir/types.ts';

type Layer = 'config' | 'x-specgate' | 'x-zilla-http-kafka';
type Field = Exclude<keyof MappingOverrides, 'source'>;

export interface EffectiveMapping {
  readonly mapping: Omit<MappingOverrides, 'source'>;
  readonly mappedBy: 'operationId' | Layer;
  /** The most specific place that set anything, for diagnostics. */
  readonly source: MappingOverrides['source'] | undefined;
  /** The layer that set each field, and where: a diagnostic about a field points there. */
  readonly setBy: {
    readonly [F in Field]?: { readonly layer: Layer; readonly source: SpecLocation };
  };
}

export function effectiveMapping(
  http: HttpOperation,
  config: MappingOverrides | undefined,
): EffectiveMapping {
  const layers: [MappingOverrides | undefined, Layer][] = [
    [config, 'config'],
    [http.specgate, 'x-specgate'],
    [http.zilla, 'x-zilla-http-kafka'],
  ];
  const present = layers.filter(
    (layer): layer is [MappingOverrides, Layer] => layer[0] !== undefined,
  );
  const pick = <K extends keyof MappingOverrides>(key: K): MappingOverrides[K] | undefined =>
    present.map(([layer]) => layer[key]).find((value) => value !== undefined);
  const by = (key: Field): { layer: Layer; source: SpecLocation } | undefined => {
    const found = present.find(([layer]) => layer[key] !== undefined);
    return found === undefined ? undefined : { layer: found[1], source: found[0].source };
  };
  const mapping: Omit<MappingOverrides, 'source'> = {
    ...defined('operation', pick('operation')),
    ...defined('kind', pick('kind')),
    ...defined('key', pick('key')),
    ...defined('overrides', pick('overrides')),
    ...defined('filters', pick('filters')),
    ...defined('owner', pick('owner')),
  };
  const fields: readonly Field[] = ['operation', 'kind', 'key', 'overrides', 'filters', 'owner'];
  const first = present[0];
  return {
    mapping,
    mappedBy: first === undefined ? 'operationId' : first[1],
    source: first?.[0].source,
    setBy: Object.fromEntries(
      fields.flatMap((field) => {
        const found = by(field);
        return found === undefined ? [] : [[field, found]];
      }),
    ),
  };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
