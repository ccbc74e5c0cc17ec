import freeMailDomainList from './freeMailDomains.json' with { type: 'json' };

/**
 * What a team can configure about leads: the ordered lifecycle stages, the lead statuses, and the
 * free-mail domains that never form accounts.
 */
export interface LeadSettings {
  /** Ordered: funnel and attribution read "reached stage X" as "reached X or any later stage". */
  readonly stages: readonly string[];
  readonly statuses: readonly string[];
  readonly freeMailDomains: ReadonlySet<string>;
}

export const defaultStages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] as const;
export const defaultStatuses = ['new', 'attempting', 'connected', 'qualified', 'unqualified', 'bad_timing'] as const;
export const defaultFreeMailDomains: readonly string[] = freeMailDomainList;

export const defaultLeadSettings: LeadSettings = {
  stages: defaultStages,
  statuses: defaultStatuses,
  freeMailDomains: new Set(defaultFreeMailDomains),
};

/** The stage as configured (case and separators forgiven: `Sales Qualified` → no, `SQL` → `sql`), or null. */
export function matchListValue(list: readonly string[], raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const wanted = normaliseToken(raw);
  return list.find((value) => normaliseToken(value) === wanted) ?? null;
}

function normaliseToken(value: string): string {
  return value.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** The business domain of an email address, or null for a free-mail address. */
export function businessDomain(email: string, settings: LeadSettings): string | null {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (domain.length === 0 || !domain.includes('.')) return null;
  return settings.freeMailDomains.has(domain) ? null : domain;
}
