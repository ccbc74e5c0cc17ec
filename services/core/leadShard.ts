/**
 * One instance's part of the leads when several instances divide them (journey runners,
 * projectors): shard `index` (0-based) of `count` takes the leads whose id hashes to it.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * The shard (0 to count − 1) a lead belongs to: FNV-1a of its id, modulo the count. Stable across
 * processes and versions: a lead stays with its instance as long as the count does not change.
 * Every sharded part of Nudge uses this one function, so "shard 2 of 4" means the same leads to
 * the journey runner and to the projector.
 *
 *   if (leadShard(leadId, shard.count) === shard.index) handle(event);
 */
export function leadShard(leadId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < leadId.length; i++) {
    hash ^= leadId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

/** Whether `shard` names one of its count's shards (whole numbers, 0 ≤ index < count). */
export function isShard(shard: Shard): boolean {
  return Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count;
}
