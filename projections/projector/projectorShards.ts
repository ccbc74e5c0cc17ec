import type { Shard } from '../../services/core/index.ts';
import { leadShard } from '../../services/core/index.ts';
import { leadIdOfStream, visitorOfStream } from '../../services/events/index.ts';

/** The projection's name in `projector_state` and in status output (the one projector, unsharded). */
export const ANALYTICS_PROJECTION = 'analytics';

/**
 * The events whose rows depend on every lead's aliases, not on their own stream only: a link or a
 * merge re-points every key that pointed at the merged lead, wherever that key was linked. One
 * instance, shard 1, projects all of them in the store's order, so `lead_aliases` is written by
 * one writer exactly as one unsharded projector writes it.
 */
const aliasEvents: ReadonlySet<string> = new Set(['VisitorLinked', 'LeadsMerged']);

/** The shard (0-based) that projects links, merges and the streams of no lead: shard 1. */
export const ALIAS_SHARD_INDEX = 0;

/**
 * The shard (0-based, of `count`) that projects an event, chosen so that the tables of N shards
 * are row for row those of one projector:
 * - a lead stream's event: the lead's shard (leadShard, the journey runner's hash), except links
 *   and merges, which go to shard 1 (see aliasEvents);
 * - a visitor stream's touch: the shard of its anonymousId. Its row is keyed by the event and says
 *   only `owner = visitor:<anonymousId>`; the lead it counts for is joined in at query time from
 *   `lead_aliases` (the `*_resolved` views), so any shard can write it, before or after the link;
 * - everything else (journeys, reps, accounts, ad costs): shard 1.
 *
 *   if (projectorShardOf(event, shard.count) === shard.index) project(event);
 */
export function projectorShardOf(event: { readonly stream: string; readonly type: string }, count: number): number {
  if (count <= 1) return ALIAS_SHARD_INDEX;
  const leadId = leadIdOfStream(event.stream);
  if (leadId !== null) return aliasEvents.has(event.type) ? ALIAS_SHARD_INDEX : leadShard(leadId, count);
  const visitor = visitorOfStream(event.stream);
  return visitor === null ? ALIAS_SHARD_INDEX : leadShard(visitor, count);
}

/** A projector's name in `projector_state`: `analytics` alone, `analytics-2-of-3` as shard 2 of 3. */
export function projectorStateName(shard?: Shard): string {
  return shard === undefined || shard.count <= 1 ? ANALYTICS_PROJECTION : `${ANALYTICS_PROJECTION}-${shard.index + 1}-of-${shard.count}`;
}

/** The state names of a layout of `count` projectors, shard 1 first. */
export function layoutStateNames(count: number): string[] {
  return count <= 1 ? [ANALYTICS_PROJECTION] : Array.from({ length: count }, (_, index) => projectorStateName({ index, count }));
}

/** The shard a state name stands for (`analytics` is shard 1 of 1), or null for a name that is not the analytics projection's. */
export function shardOfStateName(name: string): Shard | null {
  if (name === ANALYTICS_PROJECTION) return { index: 0, count: 1 };
  const match = /^analytics-(\d+)-of-(\d+)$/.exec(name);
  if (!match) return null;
  const index = Number(match[1]) - 1;
  const count = Number(match[2]);
  return count >= 2 && index >= 0 && index < count ? { index, count } : null;
}

/** A layout in words, for status and errors: `one projector (analytics)` or `3 shards (analytics-1-of-3 … analytics-3-of-3)`. */
export function describeLayout(count: number): string {
  return count <= 1 ? `one projector (${ANALYTICS_PROJECTION})` : `${count} shards (${projectorStateName({ index: 0, count })} … ${projectorStateName({ index: count - 1, count })})`;
}
