import { parse as parseCsv } from 'csv-parse/sync';
import type { FieldIssue } from '../../core/index.ts';
import { deriveId, newEvent, ValidationError } from '../../core/index.ts';
import type { AdCostReported } from '../../events/index.ts';
import { AD_COSTS_STREAM, adCostReportedSchema } from '../../events/index.ts';
import type { EventStore } from '../../ports/index.ts';

/** One day's spend for one source/medium/campaign, as a client sends it (POST /v1/costs, a CSV row). */
export interface AdCostInput {
  readonly date: string;
  readonly source: string;
  readonly medium?: string | undefined;
  readonly campaign?: string | undefined;
  readonly cost: number;
  readonly currency?: string | undefined;
  readonly clicks?: number | null | undefined;
  readonly impressions?: number | null | undefined;
}

export interface AdCostReport {
  /** Rows stored now. */
  readonly stored: number;
  /** Rows that were already stored exactly so (sent before). */
  readonly unchanged: number;
}

/** Most rows in one report (a year of 250 campaigns is 91,250 rows). */
export const MAX_COST_ROWS = 100_000;

/**
 * Ad cost intake: what was spent per day per source/medium/campaign, for ROI in attribution.
 * A report is all-or-nothing: every row is checked first and one bad row refuses the report with
 * every problem named by row and field, so nothing is half-written. Each row becomes an
 * AdCostReported event in the `ad-costs` stream whose id is derived from all its fields: the same
 * report sent twice is stored once, and a corrected figure for a day replaces the earlier one
 * in the projection (the newest wins).
 *
 *   await costs.report([{ date: '2026-03-01', source: 'google', medium: 'cpc', campaign: 'brand', cost: 120.5 }]);
 */
export class AdCostService {
  readonly #store: EventStore;

  constructor(options: { store: EventStore }) {
    this.#store = options.store;
  }

  async report(rows: readonly unknown[], options: { pathPrefix?: (index: number) => string } = {}): Promise<AdCostReport> {
    const prefix = options.pathPrefix ?? ((index: number) => `[${index}]`);
    if (rows.length > MAX_COST_ROWS) throw new ValidationError('cannot record ad costs', [{ path: '', message: `holds ${rows.length} rows; send at most ${MAX_COST_ROWS} per request` }]);
    const issues: FieldIssue[] = [];
    const events = rows.flatMap((row, index) => {
      const parsed = adCostReportedSchema.safeParse(normalise(row));
      if (!parsed.success) {
        for (const issue of parsed.error.issues) issues.push({ path: `${prefix(index)}${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`, message: issue.message });
        return [];
      }
      const data = parsed.data;
      const id = deriveId('ad-cost', data.date, data.source, data.medium, data.campaign, String(data.cost), data.currency, String(data.clicks), String(data.impressions));
      return [newEvent<AdCostReported>({ type: 'AdCostReported', data }, { id, occurredAt: `${data.date}T00:00:00.000Z` })];
    });
    if (issues.length > 0) throw new ValidationError('cannot record ad costs', issues.slice(0, 100));
    if (events.length === 0) return { stored: 0, unchanged: 0 };
    const result = await this.#store.append(AD_COSTS_STREAM, events);
    return { stored: result.appended.length, unchanged: result.duplicates.length };
  }

  /**
   * A CSV with a header row: date (or day), source, medium, campaign, cost, and optionally
   * currency (default USD), clicks, impressions; the format `nudge demo generate` writes and ad
   * platforms export. Errors name the line (`line 7.cost`).
   */
  async reportCsv(text: string): Promise<AdCostReport> {
    let records: Record<string, string>[];
    try {
      records = parseCsv(text, { columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      throw new ValidationError('cannot read the CSV', [{ path: 'csv', message: error instanceof Error ? error.message : String(error) }]);
    }
    const header = records.length > 0 ? Object.keys(records[0]!) : [];
    const missing = ['source', 'cost'].filter((column) => !header.includes(column));
    if (!header.includes('date') && !header.includes('day')) missing.unshift('date');
    if (records.length > 0 && missing.length > 0) {
      throw new ValidationError('cannot read the CSV', [{ path: 'header', message: `needs the columns ${missing.join(', ')} (has ${header.join(', ')})` }]);
    }
    const rows = records.map((record) => ({
      date: record.date ?? record.day,
      source: record.source,
      medium: record.medium,
      campaign: record.campaign,
      cost: numberOrText(record.cost),
      currency: record.currency === '' ? undefined : record.currency,
      clicks: record.clicks === undefined || record.clicks === '' ? null : numberOrText(record.clicks),
      impressions: record.impressions === undefined || record.impressions === '' ? null : numberOrText(record.impressions),
    }));
    // Line numbers as an editor shows them: the header is line 1.
    return this.report(rows, { pathPrefix: (index) => `line ${index + 2}` });
  }
}

function normalise(row: unknown): unknown {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return row;
  const input = row as Record<string, unknown>;
  return {
    ...input,
    medium: input.medium ?? '',
    campaign: input.campaign ?? '',
    currency: typeof input.currency === 'string' ? input.currency.toUpperCase() : (input.currency ?? 'USD'),
    clicks: input.clicks ?? null,
    impressions: input.impressions ?? null,
  };
}

/** A number when the text is one; the text otherwise, so the schema names the field and the value. */
function numberOrText(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}
