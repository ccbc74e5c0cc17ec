import { ValidationError } from '../../services/core/index.ts';

/**
 * The lifecycle stages a funnel walks when none are passed: the default of LeadSettings.stages
 * (services/leads), repeated here because projections may not import services/leads.
 */
export const defaultFunnelStages: readonly string[] = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];

/**
 * An ordered stage list as the funnel and forecast read it: "reached stage S" is "reached S or
 * any later stage", and the last stage is the won stage (`customer` by default). At least two
 * stages, none empty, none twice.
 */
export function funnelStages(stages: readonly string[] = defaultFunnelStages): readonly string[] {
  const issues: { path: string; message: string }[] = [];
  if (stages.length < 2) issues.push({ path: 'stages', message: 'stages must list at least two lifecycle stages, the won stage (customer) last' });
  stages.forEach((stage, index) => {
    if (stage.trim() === '') issues.push({ path: `stages[${index}]`, message: 'a stage name must not be empty' });
    else if (stages.indexOf(stage) !== index) issues.push({ path: `stages[${index}]`, message: `stage ${stage} is listed twice` });
  });
  if (issues.length > 0) throw new ValidationError('invalid funnel stages', issues);
  return stages;
}
