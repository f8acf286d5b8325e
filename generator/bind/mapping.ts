/**
 * Which mapping applies to an HTTP operation: the config file's entry, then `x-specgate`, then
 * Zilla's `x-zilla-http-kafka`, merged field by field (the first that sets a field wins).
 */
import type { HttpOperation, MappingOverrides } from '../ir/types.ts';

export interface EffectiveMapping {
  readonly mapping: Omit<MappingOverrides, 'source'>;
  readonly mappedBy: 'operationId' | 'config' | 'x-specgate' | 'x-zilla-http-kafka';
  /** The most specific place that set anything, for diagnostics. */
  readonly source: MappingOverrides['source'] | undefined;
}

export function effectiveMapping(
  http: HttpOperation,
  config: MappingOverrides | undefined,
): EffectiveMapping {
  const layers: [MappingOverrides | undefined, EffectiveMapping['mappedBy']][] = [
    [config, 'config'],
    [http.specgate, 'x-specgate'],
    [http.zilla, 'x-zilla-http-kafka'],
  ];
  const present = layers.filter(
    (layer): layer is [MappingOverrides, EffectiveMapping['mappedBy']] => layer[0] !== undefined,
  );
  const pick = <K extends keyof MappingOverrides>(key: K): MappingOverrides[K] | undefined =>
    present.map(([layer]) => layer[key]).find((value) => value !== undefined);
  const mapping: Omit<MappingOverrides, 'source'> = {
    ...defined('operation', pick('operation')),
    ...defined('kind', pick('kind')),
    ...defined('key', pick('key')),
    ...defined('overrides', pick('overrides')),
    ...defined('filters', pick('filters')),
    ...defined('owner', pick('owner')),
  };
  const first = present[0];
  return {
    mapping,
    mappedBy: first === undefined ? 'operationId' : first[1],
    source: first?.[0].source,
  };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
