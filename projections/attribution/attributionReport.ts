import type { AttributionModel } from './attributionModels.ts';
import type { AttributionKey } from './attributionQuery.ts';

/** The query as it was understood, every default filled in. */
export interface AttributionQueryEcho {
  readonly model: AttributionModel;
  readonly conversion: string;
  readonly from: string;
  readonly to: string;
  readonly by: AttributionKey;
  readonly lookbackDays: number;
  readonly halfLifeDays: number;
}

export interface AttributionRow {
  readonly key: string;
  /** Conversions credited to the key (fractional). */
  readonly conversions: number;
  /** Revenue credited to the key: each conversion's amount times the key's share of it. */
  readonly revenue: number;
  /** Touches with this key on the conversions' paths. */
  readonly touches: number;
  /** Ad spend on the key over the period; null when none was reported (or by content). */
  readonly cost: number | null;
  /** (revenue − cost) / cost; null without a cost above 0. */
  readonly roi: number | null;
  /** Markov only: 1 − P(conversion without the key) / P(conversion). */
  readonly removalEffect?: number;
}

export interface AttributionTotals {
  /** Conversions in the period (the credited conversions of the rows add up to it). */
  readonly conversions: number;
  readonly revenue: number;
  readonly touches: number;
  /** All spend over the period; null by content. */
  readonly cost: number | null;
}

export interface AttributionReport {
  readonly query: AttributionQueryEcho;
  /** By credited conversions, most first. */
  readonly rows: readonly AttributionRow[];
  readonly totals: AttributionTotals;
}

export interface ModelCredit {
  readonly conversions: number;
  readonly revenue: number;
  readonly roi: number | null;
}

export interface ModelComparisonRow {
  readonly key: string;
  readonly touches: number;
  readonly cost: number | null;
  /** Each model's credited conversions, revenue and ROI for the key. */
  readonly models: Readonly<Partial<Record<AttributionModel, ModelCredit>>>;
}

export interface ModelComparison {
  readonly query: Omit<AttributionQueryEcho, 'model'> & { readonly models: readonly AttributionModel[] };
  /** By the first model's credited conversions, most first. */
  readonly rows: readonly ModelComparisonRow[];
  readonly totals: AttributionTotals & {
    /** Each model's credited conversions and revenue summed over the rows. */
    readonly models: Readonly<Partial<Record<AttributionModel, { readonly conversions: number; readonly revenue: number }>>>;
  };
}

export interface AttributionOptions {
  /** The ordered lifecycle stages (LeadSettings.stages). */
  readonly stages: readonly string[];
}

