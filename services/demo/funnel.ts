import { defaultStages } from '../leads/index.ts';
import { DAY, MINUTE } from './calendar.ts';
import type { Random } from './random.ts';

export type Stage = (typeof defaultStages)[number];
export const stages: readonly Stage[] = defaultStages;

type LaterStage = Exclude<Stage, 'subscriber'>;

/**
 * The chance that a contact at one stage reaches the next, before the account's fit and the
 * contact's seniority scale it (both average about 1). Typical B2B SaaS funnel rates.
 */
export const stageConversion: Readonly<Record<LaterStage, number>> = {
  lead: 0.7,
  mql: 0.35,
  sql: 0.45,
  opportunity: 0.55,
  customer: 0.3,
};

/** Days from the previous stage: at least `min`, then exponential with mean `mean` on top. */
export const stageDelayDays: Readonly<Record<LaterStage, { readonly min: number; readonly mean: number }>> = {
  lead: { min: 0.5, mean: 4 },
  mql: { min: 1, mean: 7 },
  sql: { min: 2, mean: 6 },
  opportunity: { min: 2, mean: 8 },
  customer: { min: 10, mean: 22 },
};

/** A stage change inside the window, with the deal amount on opportunity and customer (see `dealAmount`). */
export interface StageStep {
  readonly stage: Stage;
  readonly at: number;
  amount: number | null;
}

export interface FunnelDraw {
  /** The stage changes that happen before the window ends, `subscriber` first. */
  readonly steps: StageStep[];
  /** The furthest stage the contact would reach given time: later than the last step when the window ended first. */
  readonly destined: Stage;
}

/** The CRM picks up a new contact a little after they identify. */
export const CRM_SYNC_DELAY = 20 * MINUTE;

/**
 * Draws how far a contact goes and when: `subscriber` when they sign up, `lead` at once when they
 * signed up with buying intent (`leadAtSignup`), every later stage after a delay. Changes that
 * would fall after the window's end are not written, as in a real export taken that day.
 */
export function drawFunnel(random: Random, options: { signupAt: number; endMs: number; propensity: number; leadAtSignup: boolean; reachesLead: boolean }): FunnelDraw {
  const steps: StageStep[] = [{ stage: 'subscriber', at: options.signupAt + CRM_SYNC_DELAY, amount: null }];
  let destined: Stage = 'subscriber';
  let at = steps[0]!.at;
  for (const stage of stages.slice(1) as LaterStage[]) {
    const chance = stage === 'lead' ? (options.reachesLead ? 1 : 0) : Math.min(0.95, stageConversion[stage] * options.propensity);
    if (!random.chance(chance)) break;
    destined = stage;
    const delay = stage === 'lead' && options.leadAtSignup ? 5 * MINUTE : (stageDelayDays[stage].min + random.exponential(stageDelayDays[stage].mean)) * DAY;
    at += Math.round(delay);
    if (at < options.endMs) steps.push({ stage, at, amount: null });
  }
  return { steps, destined };
}

/** Does a stage come at or after another in the funnel? */
export function reached(stage: Stage, atLeast: Stage): boolean {
  return stages.indexOf(stage) >= stages.indexOf(atLeast);
}
