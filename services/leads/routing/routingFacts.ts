/**
 * The facts routing rules look at, read from a lead and its account the way Segment sends them:
 * group traits (`country`, `industry`, `employees`, `address.country`) and identify traits
 * (`country`, `address.country`, `industry`, `company.industry`, `company.employee_count`).
 * The account's value wins over the lead's: territories follow the company, not the person's
 * travel; the lead's own value is used when the account has none (or there is no account).
 */

/** What routing knows of a lead: its traits, its account, and its first touch. */
export interface RoutingLead {
  readonly id: string;
  readonly traits: Readonly<Record<string, unknown>>;
  readonly accountId: string | null;
  /** The earliest touch (visits before the lead was known count): its channel and utm source. */
  readonly firstTouch: { readonly channel: string; readonly source: string | null } | null;
}

export interface RoutingAccount {
  readonly id: string;
  readonly traits: Readonly<Record<string, unknown>>;
}

export interface RoutingFacts {
  /** Upper-case, as written (ISO 3166-1 alpha-2 codes are expected). */
  readonly country: string | null;
  /** Lower-case: a `region` trait, else the region the rules file puts the country in. */
  readonly region: string | null;
  /** Lower-case. */
  readonly industry: string | null;
  readonly employees: number | null;
  /** Lower-case utm source and channel of the first touch. */
  readonly source: string | null;
  readonly channel: string | null;
}

/** The traits routing reads, kept by readers that fold many leads (the rest of the traits is not needed). */
export const ROUTING_TRAITS: readonly string[] = ['country', 'region', 'industry', 'employees', 'address', 'company'];

export function routingFacts(lead: RoutingLead, account: RoutingAccount | null, regions: ReadonlyMap<string, string>): RoutingFacts {
  const first = <T>(read: (traits: Readonly<Record<string, unknown>>) => T | null): T | null => (account === null ? null : read(account.traits)) ?? read(lead.traits);
  const country = first(countryOf);
  return {
    country,
    region: first((traits) => text(traits.region)?.toLowerCase() ?? null) ?? (country === null ? null : (regions.get(country) ?? null)),
    industry: first((traits) => text(traits.industry) ?? text(nested(traits.company, 'industry')))?.toLowerCase() ?? null,
    employees: first((traits) => count(traits.employees) ?? count(nested(traits.company, 'employee_count')) ?? count(nested(traits.company, 'employees'))),
    source: lead.firstTouch?.source?.trim().toLowerCase() || null,
    channel: lead.firstTouch?.channel.trim().toLowerCase() || null,
  };
}

/** Whether the traits say where the lead or account is (a country or a region). */
export function hasLocation(traits: Readonly<Record<string, unknown>>): boolean {
  return countryOf(traits) !== null || text(traits.region) !== null;
}

/** Whether the traits hold anything routing rules look at. */
export function hasRoutingFacts(traits: Readonly<Record<string, unknown>>): boolean {
  return hasLocation(traits) || text(traits.industry) !== null || count(traits.employees) !== null || text(nested(traits.company, 'industry')) !== null;
}

function countryOf(traits: Readonly<Record<string, unknown>>): string | null {
  return text(traits.country)?.toUpperCase() ?? text(nested(traits.address, 'country'))?.toUpperCase() ?? null;
}

function nested(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function count(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number >= 0 ? Math.floor(number) : null;
}
