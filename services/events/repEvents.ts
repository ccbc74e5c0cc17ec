import { z } from 'zod';

/**
 * Sales reps. Each rep has a stream, `rep-<repId>`, holding who they are and whether they take
 * leads; the `reps` stream registers every rep ever added (the store has no "list streams").
 * The data is stored as the domain normalised it (services/leads/reps/repFields.ts validates it):
 * territory as upper-case ISO 3166-1 alpha-2 country codes, languages as lower-case ISO 639-1 codes.
 */
const repId = z.string().min(1).max(64);

/** What a rep is, apart from their id and whether they are active. */
export const repProfileSchema = z.object({
  name: z.string().min(1),
  email: z.string().min(3),
  /** The team routing rules send leads to. */
  team: z.string().min(1),
  /** Countries (ISO 3166-1 alpha-2) this rep takes routed leads from; empty: any of the team's. */
  territory: z.array(z.string().length(2)),
  /** Languages the rep works in (ISO 639-1). */
  languages: z.array(z.string().min(2)),
  /** How much new work a day the rep takes: routed leads a day (their local day), and the digest's suggestions. */
  dailyCapacity: z.number().int().min(0),
  /** IANA time zone (`Europe/Berlin`): where "today" is for capacity and the digest. */
  timeZone: z.string().min(1),
});
export type RepProfile = z.infer<typeof repProfileSchema>;

export const repAddedSchema = repProfileSchema.extend({ repId });
export type RepAdded = { type: 'RepAdded'; data: z.infer<typeof repAddedSchema> };

/** The fields that changed, with their new values (absent: unchanged). */
export const repUpdatedSchema = z.object({ repId, changes: repProfileSchema.partial() });
export type RepUpdated = { type: 'RepUpdated'; data: z.infer<typeof repUpdatedSchema> };

/** The rep takes no routed leads and cannot be given one by hand until reactivated. */
export const repDeactivatedSchema = z.object({ repId, reason: z.string().nullable() });
export type RepDeactivated = { type: 'RepDeactivated'; data: z.infer<typeof repDeactivatedSchema> };

export const repReactivatedSchema = z.object({ repId });
export type RepReactivated = { type: 'RepReactivated'; data: z.infer<typeof repReactivatedSchema> };

/** On the `reps` registry stream: a rep exists (its id is derived from the rep id, so it is written once). */
export const repRegisteredSchema = z.object({ repId });
export type RepRegistered = { type: 'RepRegistered'; data: z.infer<typeof repRegisteredSchema> };

export type RepEvent = RepAdded | RepUpdated | RepDeactivated | RepReactivated;

export const repEventSchemas = {
  RepAdded: repAddedSchema,
  RepUpdated: repUpdatedSchema,
  RepDeactivated: repDeactivatedSchema,
  RepReactivated: repReactivatedSchema,
} as const satisfies Record<RepEvent['type'], z.ZodType>;

export function isRepEvent(event: { type: string }): event is RepEvent {
  return Object.hasOwn(repEventSchemas, event.type);
}
