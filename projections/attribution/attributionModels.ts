/** The attribution models, in the order reports and docs list them. */
export const attributionModels = [
  'first_touch',
  'last_touch',
  'linear',
  'time_decay',
  'u_shaped',
  'j_shaped',
  'inverse_j',
  'w_shaped',
  'full_path',
  'markov',
] as const;
export type AttributionModel = (typeof attributionModels)[number];

/** Every model but Markov gives each conversion's touches weights from where they sit on the path. */
export type PositionModelName = Exclude<AttributionModel, 'markov'>;

/**
 * A named place on a conversion's path. A milestone is the last touch at or before the lead
 * reached that stage (or a later one); it is absent when no touch came before it.
 */
export type NamedPosition = 'first' | 'last' | 'leadCreation' | 'opportunityCreation' | 'customerCreation';
export const namedPositions: readonly NamedPosition[] = ['first', 'last', 'leadCreation', 'opportunityCreation', 'customerCreation'];

/** The stage whose reaching each milestone marks (lead creation also counts the first identification). */
export const milestoneStages = { leadCreation: 'lead', opportunityCreation: 'opportunity', customerCreation: 'customer' } as const;
export type Milestone = keyof typeof milestoneStages;

/**
 * A position model as raw weights, normalised per conversion to sum to 1: each named position
 * present on the path gets its weight (a touch holding two positions gets both); the `middle`
 * weight is shared by the touches that hold no named position (evenly, or in proportion to
 * 2^−(Δt / half-life) for time decay) and dropped when there are none.
 *
 * The credit SQL is generated from these descriptions (positionCreditSql.ts), so a new
 * position model is one line here.
 */
export interface PositionModel {
  readonly positions: Readonly<Partial<Record<NamedPosition, number>>>;
  readonly middle: number;
  readonly split: 'even' | 'timeDecay';
}

export const positionModels: Readonly<Record<PositionModelName, PositionModel>> = {
  first_touch: { positions: { first: 1 }, middle: 0, split: 'even' },
  last_touch: { positions: { last: 1 }, middle: 0, split: 'even' },
  // Every touch is "middle": an even split is 1/n each, a decayed split is the time-decay model.
  linear: { positions: {}, middle: 1, split: 'even' },
  time_decay: { positions: {}, middle: 1, split: 'timeDecay' },
  u_shaped: { positions: { first: 40, last: 40 }, middle: 20, split: 'even' },
  j_shaped: { positions: { first: 20, last: 60 }, middle: 20, split: 'even' },
  inverse_j: { positions: { first: 60, last: 20 }, middle: 20, split: 'even' },
  w_shaped: { positions: { first: 30, leadCreation: 30, opportunityCreation: 30 }, middle: 10, split: 'even' },
  full_path: { positions: { first: 22.5, leadCreation: 22.5, opportunityCreation: 22.5, customerCreation: 22.5 }, middle: 10, split: 'even' },
};

export function isPositionModel(model: AttributionModel): model is PositionModelName {
  return model !== 'markov';
}

/** The milestones any of these models names, so the SQL computes only the stage times it needs. */
export function milestonesOf(models: readonly PositionModelName[]): Milestone[] {
  const needed = new Set<Milestone>();
  for (const model of models) {
    for (const position of Object.keys(positionModels[model].positions) as NamedPosition[]) {
      if (position !== 'first' && position !== 'last') needed.add(position);
    }
  }
  return (Object.keys(milestoneStages) as Milestone[]).filter((milestone) => needed.has(milestone));
}
