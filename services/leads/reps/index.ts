export type { OwnerAssignment } from './leadOwnership.ts';
export { LeadOwnership, leadOwnershipDecider } from './leadOwnership.ts';
export type { Rep, RepCommand, RepState } from './repDecider.ts';
export { evolveRep, repDecider } from './repDecider.ts';
export type { RepChanges, RepChangesInput, RepFields, RepFieldsInput } from './repFields.ts';
export { DEFAULT_DAILY_CAPACITY, parseRepChanges, parseRepFields, repChangesSchema, repFieldsSchema, repIdSchema, teamSchema, timeZoneSchema } from './repFields.ts';
export { REP_REGISTRY_STREAM, RepService } from './repService.ts';
