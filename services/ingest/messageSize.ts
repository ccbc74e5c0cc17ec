/**
 * How large a message is as JSON (UTF-8 bytes), for the 32 KiB limit on a message, without
 * writing most messages out: a walk of the value gives a bound no smaller than the true size (each
 * string character counted as its longest escape (a backslash, u and four hex digits), each number as the longest a number
 * can print), and only a message whose bound passes the limit is written out and measured. A
 * typical tracked call (~700 B) bounds at a few kilobytes; writing every message of a batch out to
 * measure it took ~3 % of the event loop under batched ingestion (bench/README.md).
 */

/** Longest JSON text of a number: `-1.7976931348623157e+308`. */
const NUMBER_BYTES = 24;

/** The message's JSON size in UTF-8 bytes when it may be larger than `limit`; null when it surely is not. */
export function jsonBytesOver(value: unknown, limit: number): number | null {
  if (bound(value, limit) <= limit) return null;
  const size = Buffer.byteLength(JSON.stringify(value) ?? '');
  return size > limit ? size : null;
}

/** A bound on the JSON size of `value`; stops adding once past `limit` (its size is then measured). */
function bound(value: unknown, limit: number): number {
  switch (typeof value) {
    case 'string':
      return 2 + 6 * value.length;
    case 'number':
      return NUMBER_BYTES;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 4;
      let total = 2;
      if (Array.isArray(value)) {
        for (const item of value) {
          total += bound(item, limit) + 1;
          if (total > limit) return total;
        }
        return total;
      }
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        total += 2 + 6 * key.length + 1 + bound((value as Record<string, unknown>)[key], limit) + 1;
        if (total > limit) return total;
      }
      return total;
    }
    default:
      // undefined, functions and symbols: left out of an object, `null` in an array. A BigInt: measured (and refused) exactly.
      return typeof value === 'bigint' ? limit + 1 : 4;
  }
}
