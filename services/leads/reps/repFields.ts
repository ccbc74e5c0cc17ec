import { z } from 'zod';
import { fieldIssues, ValidationError } from '../../core/index.ts';

/**
 * What a rep may be given, as people type it (the API's bodies and the CLI's options), and how it
 * is normalised before it is recorded: ids and teams are slugs, country and language codes are
 * upper- and lower-cased, the time zone must be one the runtime knows.
 *
 *   const fields = parseRepFields({ id: 'ana', name: 'Ana Lima', email: 'ana@orbitly.example', team: 'americas' });
 */
const slug = (what: string, example: string) =>
  z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, `must be a ${what}: lower-case letters, digits, - and _ (up to 64), like ${example}`);

export const repIdSchema = slug('rep id', 'rep-ana');
export const teamSchema = slug('team name', 'emea');

const countryCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, like US or DE')
  .transform((code) => code.toUpperCase());
const languageCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 639-1 language code, like en or de')
  .transform((code) => code.toLowerCase());
const uniqueSorted = (values: readonly string[]): string[] => [...new Set(values)].sort();

export const timeZoneSchema = z
  .string()
  .trim()
  .min(1)
  .refine(isTimeZone, 'must be an IANA time zone, like Europe/Berlin or America/New_York (or UTC)');

/** Default daily capacity: a full day's new work for one SDR. */
export const DEFAULT_DAILY_CAPACITY = 20;

const profileFields = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  email: z.string().trim().toLowerCase().max(320).pipe(z.email('must be an email address')),
  team: teamSchema,
  territory: z.array(countryCode).max(250).transform(uniqueSorted),
  languages: z.array(languageCode).max(50).transform(uniqueSorted),
  dailyCapacity: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(10_000),
  timeZone: timeZoneSchema,
};

/** A new rep: id, name, email and team are required; the rest has defaults. */
export const repFieldsSchema = z.strictObject({
  id: repIdSchema,
  name: profileFields.name,
  email: profileFields.email,
  team: profileFields.team,
  territory: profileFields.territory.default([]),
  languages: profileFields.languages.default([]),
  dailyCapacity: profileFields.dailyCapacity.default(DEFAULT_DAILY_CAPACITY),
  timeZone: profileFields.timeZone.default('UTC'),
});
export type RepFieldsInput = z.input<typeof repFieldsSchema>;
export type RepFields = z.output<typeof repFieldsSchema>;

/** Changes to a rep: any of the profile fields, at least one. */
export const repChangesSchema = z
  .strictObject({
    name: profileFields.name.optional(),
    email: profileFields.email.optional(),
    team: profileFields.team.optional(),
    territory: profileFields.territory.optional(),
    languages: profileFields.languages.optional(),
    dailyCapacity: profileFields.dailyCapacity.optional(),
    timeZone: profileFields.timeZone.optional(),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'must change at least one field: name, email, team, territory, languages, dailyCapacity, timeZone');
export type RepChangesInput = z.input<typeof repChangesSchema>;
export type RepChanges = z.output<typeof repChangesSchema>;

export function parseRepFields(input: unknown): RepFields {
  const parsed = repFieldsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('the rep is not valid', fieldIssues(parsed.error.issues));
  return parsed.data;
}

export function parseRepChanges(input: unknown): RepChanges {
  const parsed = repChangesSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('the changes are not valid', fieldIssues(parsed.error.issues));
  return parsed.data;
}

const knownTimeZones = new Map<string, boolean>();

function isTimeZone(name: string): boolean {
  let known = knownTimeZones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    knownTimeZones.set(name, known);
  }
  return known;
}
