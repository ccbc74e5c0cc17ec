import { z } from 'zod';

/**
 * Ad spend, for ROI in attribution: what was spent on one day for one source/medium/campaign
 * (stream `ad-costs`). A later report for the same date and key replaces the earlier one; its id
 * is derived from every field, so sending the same report twice stores it once.
 */
export const adCostReportedSchema = z.object({
  /** The day the money was spent, YYYY-MM-DD (UTC). */
  date: z.iso.date(),
  source: z.string().min(1).max(200),
  medium: z.string().max(200),
  campaign: z.string().max(200),
  cost: z.number().finite().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD'),
  clicks: z.number().int().nonnegative().nullable(),
  impressions: z.number().int().nonnegative().nullable(),
});
export type AdCostReported = { type: 'AdCostReported'; data: z.infer<typeof adCostReportedSchema> };

export const AD_COSTS_STREAM = 'ad-costs';
