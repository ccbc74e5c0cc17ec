import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../services/core/index.ts';
import { deriveId, newEvent, NotFoundError, systemClock } from '../../services/core/index.ts';
import type { LeadScoreChanged } from '../../services/events/index.ts';
import { streams } from '../../services/events/index.ts';
import type { Analytics, EventStore } from '../../services/ports/index.ts';
import { clickhouseTime } from '../migrate.ts';
import type { ScoringModel } from './scoringModel.ts';
import { bandOf } from './scoringModel.ts';
import { ruleColumn, scoringQuery } from './scoringSql.ts';

export interface LeadScore {
  readonly leadId: string;
  readonly fit: number;
  readonly engagement: number;
  readonly negative: number;
  readonly total: number;
  readonly band: string;
}

export interface RuleExplanation {
  readonly section: 'fit' | 'engagement' | 'negative';
  readonly id: string;
  readonly description: string | null;
  readonly points: number;
  /** fit and negative: whether the condition held; engagement: whether any touch matched. */
  readonly applies: boolean;
  /** engagement: the matching touches up to the moment scored. */
  readonly touches?: number;
  /** engagement: the rule's cap, when it has one (the points stop there). */
  readonly cap?: number | null;
}

export interface ScoreExplanation extends LeadScore {
  readonly asOf: string;
  readonly model: string;
  readonly mqlThreshold: number;
  /** Whether the total reaches the MQL threshold. */
  readonly mql: boolean;
  /** What the model read of the lead (field → value, null when unknown). */
  readonly facts: Readonly<Record<string, string | null>>;
  readonly rules: readonly RuleExplanation[];
}

export interface ScorerOptions {
  /** How often every lead is scored again (scores decay with time, so all leads are). Default 60 s. */
  readonly intervalMs?: number;
  /** Scoring waits while this says the projection is far behind the store (start-up, rebuild). */
  readonly ready?: () => Promise<boolean>;
  /** Told after each pass. */
  readonly onPass?: (pass: { leads: number; changed: number; ms: number }) => void;
}

const round = (value: number): number => Math.round(value * 100) / 100;

/**
 * Lead scoring on the ClickHouse projection: scores every lead (or one) as of any moment with the
 * SQL generated from the model, explains a score rule by rule, and — as the scorer — writes
 * LeadScoreChanged to a lead's stream when its band changes or its total moves by at least the
 * model's changeThreshold, so that journeys can trigger on it.
 *
 *   const scoring = new LeadScoring({ analytics, store, model, freeMailDomains });
 *   await scoring.explain(leadId);           // GET /v1/leads/:id/score
 *   void scoring.runScorer(signal);          // nudge serve
 */
export class LeadScoring {
  readonly #analytics: Analytics;
  readonly #store: EventStore;
  readonly model: ScoringModel;
  readonly #freeMail: readonly string[];
  readonly #clock: Clock;
  readonly #passRequests: { resolve(): void }[] = [];
  #wake: (() => void) | null = null;

  constructor(options: { analytics: Analytics; store: EventStore; model: ScoringModel; freeMailDomains: Iterable<string>; clock?: Clock }) {
    this.#analytics = options.analytics;
    this.#store = options.store;
    this.model = options.model;
    this.#freeMail = [...options.freeMailDomains];
    this.#clock = options.clock ?? systemClock;
  }

  /** Every lead's score as of `asOf` (default now). */
  async scoreAll(asOf: Date = this.#clock.now()): Promise<LeadScore[]> {
    const { sql } = scoringQuery(this.model, 'SELECT lead_id, {asOf:DateTime64(3, \'UTC\')} AS as_of FROM leads_current');
    const rows = await this.#analytics.query<Record<string, number | string>>(sql, { asOf: clickhouseTime(asOf), freeMail: this.#freeMail });
    return rows.map((row) => this.#score(row));
  }

  /** One lead's score as of `asOf` (default now), rule by rule. A merged-away lead is explained as its survivor. */
  async explain(leadId: string, asOf: Date = this.#clock.now()): Promise<ScoreExplanation> {
    const [alias] = await this.#analytics.query<{ lead_id: string }>('SELECT lead_id FROM lead_alias_current WHERE key = {key:String}', { key: `lead:${leadId}` });
    const canonical = alias?.lead_id ?? leadId;
    const { sql, fieldColumns } = scoringQuery(
      this.model,
      "SELECT lead_id, {asOf:DateTime64(3, 'UTC')} AS as_of FROM (SELECT DISTINCT lead_id FROM lead_facts_resolved WHERE lead_id = {lead:String})",
    );
    const [row] = await this.#analytics.query<Record<string, number | string | null>>(sql, { asOf: clickhouseTime(asOf), lead: canonical, freeMail: this.#freeMail });
    if (!row) throw new NotFoundError(`lead ${leadId} is not in the analytics projection (yet)`);
    const score = this.#score(row as Record<string, number | string>);
    const model = this.model;
    const conditionRule = (section: 'fit' | 'negative', rule: ScoringModel['fit'][number]): RuleExplanation => {
      const points = Number(row[ruleColumn(section, rule.id)]);
      return { section, id: rule.id, description: rule.description ?? null, points, applies: points !== 0 };
    };
    const rules: RuleExplanation[] = [
      ...model.fit.map((rule) => conditionRule('fit', rule)),
      ...model.engagement.map((rule): RuleExplanation => {
        const touches = Number(row[ruleColumn('touches', rule.id)] ?? 0);
        return { section: 'engagement', id: rule.id, description: rule.description ?? null, points: round(Number(row[ruleColumn('engagement', rule.id)] ?? 0)), applies: touches > 0, touches, cap: rule.cap ?? null };
      }),
      ...model.negative.map((rule) => conditionRule('negative', rule)),
    ];
    const facts = Object.fromEntries([...fieldColumns].map(([field, column]) => [field, row[column] === null || row[column] === undefined ? null : String(row[column])]));
    return { ...score, leadId: canonical, asOf: asOf.toISOString(), model: model.name, mqlThreshold: model.mqlThreshold, mql: score.total >= model.mqlThreshold, facts, rules };
  }

  /**
   * Scores every lead each interval and records the changes that matter; runs until `signal`
   * aborts. The scores last recorded are read back from the projection at start, so a restart
   * does not record every lead again.
   */
  async runScorer(signal: AbortSignal, options: ScorerOptions = {}): Promise<void> {
    const intervalMs = options.intervalMs ?? 60_000;
    const last = new Map<string, { total: number; band: string }>();
    let loaded = false;
    while (!signal.aborted) {
      const started = performance.now();
      // The callers of requestPass() before this pass began are answered when it ends.
      const answered = this.#passRequests.splice(0);
      let ran = false;
      try {
        if (options.ready === undefined || (await options.ready())) {
          if (!loaded) {
            for (const row of await this.#analytics.query<{ lead_id: string; total: string; band: string }>(
              `SELECT lead_id, argMaxIf(value, position, key = 'total') AS total, argMaxIf(value, position, key = 'band') AS band
               FROM lead_facts_resolved WHERE kind = 'score' GROUP BY lead_id`,
            )) {
              last.set(row.lead_id, { total: Number(row.total), band: row.band });
            }
            loaded = true;
          }
          const asOf = this.#clock.now();
          const scores = await this.scoreAll(asOf);
          const changed = scores.filter((score) => {
            const before = last.get(score.leadId);
            return before === undefined || before.band !== score.band || Math.abs(before.total - score.total) >= this.model.changeThreshold;
          });
          await this.#record(changed, asOf);
          for (const score of changed) last.set(score.leadId, { total: score.total, band: score.band });
          options.onPass?.({ leads: scores.length, changed: changed.length, ms: performance.now() - started });
          ran = true;
        }
      } finally {
        // A pass that did not run (not ready, or failed) still owes its callers one.
        if (ran) for (const request of answered) request.resolve();
        else this.#passRequests.unshift(...answered);
      }
      // Asked for a pass while this one ran: go again now; while not ready, look again soon.
      const pauseMs = this.#passRequests.length === 0 ? intervalMs : ran ? 0 : Math.min(intervalMs, 1_000);
      const wake = new AbortController();
      this.#wake = () => wake.abort();
      await delay(pauseMs, undefined, { signal: AbortSignal.any([signal, wake.signal]) }).catch(() => undefined);
      this.#wake = null;
    }
  }

  /**
   * Asks the running scorer (runScorer) for a pass now rather than at the end of its interval;
   * resolves when a pass that began after the call has recorded its changes. Used after a bulk
   * load (the demo), so scores exist without waiting a whole interval.
   */
  requestPass(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#passRequests.push({ resolve });
    this.#wake?.();
    return promise;
  }

  async #record(changed: readonly LeadScore[], asOf: Date): Promise<void> {
    const minute = asOf.toISOString().slice(0, 16);
    for (let i = 0; i < changed.length; i += 500) {
      await Promise.all(
        changed.slice(i, i + 500).map((score) => {
          // The event has no negative part: negative rules (competitor, student, unsubscribed) lower fit.
          const data = { fit: round(score.fit + score.negative), engagement: round(score.engagement), total: round(score.total), band: score.band };
          // Derived from the lead, the score and the minute: a pass retried after a crash records it once.
          const id = deriveId('lead-score', score.leadId, score.band, data.total.toFixed(2), minute);
          return this.#store.append(streams.lead(score.leadId), [newEvent<LeadScoreChanged>({ type: 'LeadScoreChanged', data }, { id, occurredAt: asOf })]);
        }),
      );
    }
  }

  #score(row: Record<string, number | string>): LeadScore {
    const total = Number(row.total);
    return { leadId: String(row.lead_id), fit: round(Number(row.fit)), engagement: round(Number(row.engagement)), negative: round(Number(row.negative)), total: round(total), band: bandOf(this.model, total) };
  }
}
