import type { PropertyPathKey } from '../../services/core/index.ts';

/**
 * A fact's value after a simple path, exactly as json-rules-engine's almanac reads it (almanac.js,
 * `factValue`) with its default resolver, jsonpath-plus `{ wrap: false }`:
 * - a path applies only when the fact's value is an object (arrays included): any other value,
 *   null and undefined included, is returned as it is, path or not (`$.length` of the text
 *   "abc" is "abc");
 * - below the fact, each step follows only an own property of a truthy value: a missing
 *   property, or a step from null, 0, "" or false, gives undefined, while a step into text
 *   works (`$.name.length` of { name: "abc" } is 3, of { name: "" } undefined);
 * - `$` alone is the fact's value.
 * test/infra/rules/differential.test.ts compares this with jsonpath-plus itself.
 */
export function readFactPath(factValue: unknown, keys: readonly PropertyPathKey[]): unknown {
  if (factValue === null || typeof factValue !== 'object') return factValue;
  let value: unknown = factValue;
  for (const key of keys) {
    if (!value || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyPathKey, unknown>)[key];
  }
  return value;
}
