import type { Command } from 'commander';
import type { ModelComparison } from '../../projections/attribution/index.ts';
import { attributionModels } from '../../projections/attribution/index.ts';
import type { ForecastReport, FunnelReport } from '../../projections/funnel/index.ts';
import type { CalibrationReport } from '../../projections/scoring/index.ts';
import type { QueueItem } from '../suggestions/index.ts';
import { UNASSIGNED } from '../suggestions/index.ts';

/**
 * What `nudge demo tour` needs from the composition root: where the running server is and the
 * token to ask it with. The token is asked for only once the server has answered.
 *
 *   registerDemoTourCommand(demo, { loadConfig, apiBase: serverBase, apiToken, fetch, stdout, stderr });
 */
export interface DemoTourRuntime<C> {
  loadConfig(): C;
  /** `http://host:port` of the `nudge serve` the configuration points at. */
  apiBase(config: C): string;
  /** The admin API token (sent as a bearer token). */
  apiToken(config: C): string;
  readonly fetch: typeof fetch;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface DemoTourOptions {
  /** Show this rep's queue instead of the busiest rep's. */
  readonly rep?: string;
  readonly json?: boolean;
}

/** A section's answer from the server, or why there is none. */
export type TourSection<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface TourRep {
  readonly id: string;
  readonly name: string;
  readonly team: string;
  readonly active: boolean;
}

type QueueEntry = Pick<QueueItem, 'suggestionId' | 'action' | 'priority' | 'title' | 'dueAt' | 'status' | 'reason'> & {
  readonly alsoBecause: readonly { readonly journeyId: string; readonly reason: string }[];
  readonly lead: Pick<QueueItem['lead'], 'name' | 'company' | 'score'>;
};

/** GET /v1/reps/:id/queue?due=today as the server answers it. */
export interface TourQueueResponse {
  readonly repId: string;
  readonly capacity: number | null;
  /** Due by the end of the rep's day, up to the capacity, in queue order. */
  readonly today: readonly QueueEntry[];
  /** With `due=today`: due today too, beyond the capacity. */
  readonly later: readonly QueueEntry[];
  readonly counts: Readonly<Record<string, number>>;
}

export interface TourQueue {
  /** GET /v1/reps?active=true (every rep with `--rep`). */
  readonly reps: readonly TourRep[];
  /** Open suggestions due today or overdue per active rep: how the busiest was picked; null with `--rep`. */
  readonly dueTodayByRep: Readonly<Record<string, number>> | null;
  /** The shown rep's queue; null when there is no active rep. */
  readonly queue: TourQueueResponse | null;
}

/** Everything the tour shows, as the server answered it (`--json` prints this). */
export interface TourAnswers {
  readonly server: string;
  readonly queue: TourSection<TourQueue>;
  readonly attribution: TourSection<ModelComparison>;
  readonly funnel: TourSection<FunnelReport>;
  readonly forecast: TourSection<ForecastReport>;
  readonly calibration: TourSection<CalibrationReport>;
}

/** GETs an API path as JSON; throws an Error that names the request and what went wrong. */
export type TourGet = (path: string) => Promise<unknown>;

const QUEUE_ITEMS_SHOWN = 10;
const TITLE_WIDTH = 60;
const REQUEST_TIMEOUT_MS = 60_000;
const CONVERSION = 'opportunity';

/**
 *   nudge demo tour [--rep <id>] [--json]
 * Walks through the live system: the busiest rep's queue, attribution by model, the funnel by
 * rep, the forecast and the score calibration, read from the running server's API.
 */
export function registerDemoTourCommand<C>(demo: Command, runtime: DemoTourRuntime<C>): Command {
  return demo
    .command('tour')
    .description("Show what the running server knows: the busiest rep's queue, attribution by model, the funnel by rep, the forecast and the score calibration")
    .option('--rep <id>', "show this rep's queue instead of the busiest rep's")
    .option('--json', 'the collected API responses as one JSON object', false)
    .action(async (options: DemoTourOptions) => {
      const code = await runDemoTour(runtime, options);
      if (code !== 0) process.exitCode = code;
    });
}

/** Runs the tour; resolves with the exit code (1 when no server answers or a section failed). */
export async function runDemoTour<C>(runtime: DemoTourRuntime<C>, options: DemoTourOptions): Promise<number> {
  const config = runtime.loadConfig();
  const base = runtime.apiBase(config);
  if (!(await serverAnswers(runtime.fetch, base))) {
    runtime.stderr.write(`nudge: no Nudge server answers at ${base}: start it with npm start\n`);
    return 1;
  }
  const answers = await collectTour(apiGet(runtime.fetch, base, runtime.apiToken(config)), base, options);
  let failed: SectionName[];
  if (options.json) {
    runtime.stdout.write(`${JSON.stringify(tourJson(answers), null, 2)}\n`);
    failed = sectionNames.filter((name) => !answers[name].ok);
  } else {
    const tour = renderTour(answers, options);
    runtime.stdout.write(tour.text);
    failed = tour.failed;
  }
  if (failed.length === 0) return 0;
  runtime.stderr.write(`nudge: ${failed.length} of ${sectionNames.length} sections could not be read (${failed.join(', ')})\n`);
  return 1;
}

async function serverAnswers(fetchFn: typeof fetch, base: string): Promise<boolean> {
  try {
    const response = await fetchFn(`${base}/health/live`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function apiGet(fetchFn: typeof fetch, base: string, token: string): TourGet {
  return async (path) => {
    let response: Response;
    try {
      response = await fetchFn(`${base}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new Error(`GET ${path} failed: ${cause}`, { cause: error });
    }
    const text = await response.text();
    let payload: unknown = null;
    try {
      payload = JSON.parse(text);
    } catch {
      if (response.ok) throw new Error(`GET ${path} answered ${response.status} with something other than JSON`);
    }
    if (!response.ok) {
      const detail = (payload as { detail?: unknown } | null)?.detail;
      throw new Error(`GET ${path} answered ${response.status}${typeof detail === 'string' ? `: ${detail}` : ''}`);
    }
    return payload;
  };
}

/** Asks the server for each section in turn; a failing request fails its section only. */
export async function collectTour(get: TourGet, server: string, options: DemoTourOptions = {}): Promise<TourAnswers> {
  return {
    server,
    queue: await settle(() => readQueue(get, options.rep)),
    attribution: await settle(() => get(`/v1/analytics/attribution/compare?models=${attributionModels.join(',')}&conversion=${CONVERSION}&by=channel`) as Promise<ModelComparison>),
    funnel: await settle(() => get('/v1/analytics/funnel?groupBy=owner') as Promise<FunnelReport>),
    forecast: await settle(() => get('/v1/analytics/forecast') as Promise<ForecastReport>),
    calibration: await settle(() => get('/v1/analytics/scoring/calibration') as Promise<CalibrationReport>),
  };
}

async function settle<T>(read: () => Promise<T>): Promise<TourSection<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const queuePath = (repId: string): string => `/v1/reps/${encodeURIComponent(repId)}/queue?due=today`;

/** The asked rep's queue, or the queue of the active rep with the most open suggestions due today or overdue. */
async function readQueue(get: TourGet, rep: string | undefined): Promise<TourQueue> {
  if (rep !== undefined) {
    const { reps } = (await get('/v1/reps')) as { reps: TourRep[] };
    // The queue of an unknown id is empty, not an error: say so rather than show a typo's empty queue.
    if (rep !== UNASSIGNED && !reps.some((one) => one.id === rep)) throw new Error(`no rep ${rep}: the reps are ${reps.map((one) => one.id).join(', ') || 'none yet'} (or ${UNASSIGNED})`);
    return { reps, dueTodayByRep: null, queue: (await get(queuePath(rep))) as TourQueueResponse };
  }
  const { reps } = (await get('/v1/reps?active=true')) as { reps: TourRep[] };
  const dueTodayByRep: Record<string, number> = {};
  let busiest: TourQueueResponse | null = null;
  for (const candidate of reps.filter((one) => one.active)) {
    const queue = (await get(queuePath(candidate.id))) as TourQueueResponse;
    dueTodayByRep[candidate.id] = queue.counts.dueToday ?? 0;
    if (busiest === null || dueTodayByRep[candidate.id]! > (busiest.counts.dueToday ?? 0)) busiest = queue;
  }
  return { reps, dueTodayByRep, queue: busiest };
}

const sectionNames = ['queue', 'attribution', 'funnel', 'forecast', 'calibration'] as const;
type SectionName = (typeof sectionNames)[number];

/** `--json`: each section's raw answer, or `{ error }` for one that failed. */
export function tourJson(answers: TourAnswers): Record<string, unknown> {
  const json: Record<string, unknown> = { server: answers.server };
  for (const name of sectionNames) {
    const answer: TourSection<unknown> = answers[name];
    json[name] = answer.ok ? answer.value : { error: answer.error };
  }
  return json;
}

// ─── Formatting: the answers as a terminal reads them (pure) ────────────────────────────────────

/** The whole tour as text: a heading and a hint per section, then its table or its error. */
export function formatTour(answers: TourAnswers, options: DemoTourOptions = {}): string {
  return renderTour(answers, options).text;
}

/** The tour as text, and the sections that could not be read or shown. */
function renderTour(answers: TourAnswers, options: DemoTourOptions): { text: string; failed: SectionName[] } {
  const formats: { readonly [name in SectionName]: { title: string; format: (value: never) => string } } = {
    queue: { title: '1. Today’s queue', format: (value: TourQueue) => formatQueueSection(value, options.rep !== undefined) },
    attribution: { title: '2. Attribution by model', format: formatAttributionSection },
    funnel: { title: '3. Funnel by rep', format: formatFunnelSection },
    forecast: { title: '4. Forecast', format: formatForecastSection },
    calibration: { title: '5. Score calibration', format: formatCalibrationSection },
  };
  const failed: SectionName[] = [];
  const sections = sectionNames.map((name) => {
    const answer: TourSection<unknown> = answers[name];
    const { title, format } = formats[name];
    if (!answer.ok) {
      failed.push(name);
      return `${title}: could not be read\n   ${answer.error}\n`;
    }
    try {
      return (format as (value: unknown) => string)(answer.value);
    } catch (error) {
      // A server of another version may answer in another shape: say so, keep the other sections.
      failed.push(name);
      return `${title}: the server's answer could not be shown\n   ${error instanceof Error ? error.message : String(error)}\n`;
    }
  });
  return { text: `Nudge demo tour of the live system at ${answers.server}\n\n${sections.join('\n')}`, failed };
}

export function formatQueueSection(answer: TourQueue, asked: boolean): string {
  const view = answer.queue;
  if (view === null) {
    return ['1. Today’s queue: no active rep', '   Add reps with nudge reps add; their queues are at GET /v1/reps/<id>/queue.', ''].join('\n');
  }
  const rep = answer.reps.find((one) => one.id === view.repId);
  const who = rep !== undefined ? `${rep.name} (${rep.id}, ${rep.team})` : view.repId === UNASSIGNED ? 'unassigned (leads without an owner)' : view.repId;
  const dueToday = view.counts.dueToday ?? 0;
  const overdue = view.counts.overdue ?? 0;
  const why = asked ? 'as asked (--rep)' : `the busiest of ${count(Object.keys(answer.dueTodayByRep ?? {}).length)} active reps`;
  const lines = [
    `1. Today’s queue — ${who}: ${count(dueToday)} open suggestions due today or overdue (${count(overdue)} overdue), ${why}`,
    `   What to do first, in queue order (priority, lead score, due time), with the reason each was suggested. More: nudge queue --rep ${view.repId} · GET ${queuePath(view.repId).replace('?due=today', '')}`,
    '',
  ];
  if (view.today.length === 0) return `${[...lines, '   Nothing due today.'].join('\n')}\n`;
  const shown = view.today.slice(0, QUEUE_ITEMS_SHOWN);
  const table = tableLines(
    [
      { title: '#', align: 'right' },
      { title: 'priority' },
      { title: 'action' },
      { title: 'suggestion' },
      { title: 'score', align: 'right' },
      { title: 'due (UTC)' },
    ],
    shown.map((item, i) => [String(i + 1), item.priority, item.action, clip(item.title, TITLE_WIDTH), item.lead.score === null ? '–' : count(Math.round(item.lead.score)), item.dueAt.slice(0, 16).replace('T', ' ')]),
  );
  // Each row is followed by its reason, indented under the suggestion, so a narrow terminal wraps prose, not columns.
  const indent = ' '.repeat(table.widths.slice(0, 3).reduce((sum, width) => sum + width + 2, 0));
  lines.push(table.lines[0]!, table.lines[1]!);
  shown.forEach((item, i) => {
    lines.push(table.lines[i + 2]!, `${indent}why: ${item.reason}`, ...item.alsoBecause.map((other) => `${indent}also (${other.journeyId}): ${other.reason}`));
  });
  const moreToday = view.today.length - shown.length;
  const rest = [
    ...(moreToday > 0 ? [`${count(moreToday)} more for today`] : []),
    ...(view.later.length > 0 ? [`${count(view.later.length)} more due but over the daily capacity of ${count(view.capacity ?? 0)}`] : []),
  ];
  if (rest.length > 0) lines.push(`… and ${rest.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function formatAttributionSection(report: ModelComparison): string {
  const { query, totals } = report;
  const models = query.models;
  const lines = [
    `2. Attribution by model — ${count(totals.conversions)} ${query.conversion} conversions from ${day(query.from)} to ${day(query.to)}, credited by ${query.by} (lookback ${count(query.lookbackDays)} days)`,
    `   Credited conversions per ${query.by} under each model: where models agree the credit is robust. More: GET /v1/analytics/attribution?model=<model>&conversion=${query.conversion} (revenue, ROI) · docs/attribution.md`,
    '',
  ];
  const table = tableLines(
    [{ title: query.by }, ...models.map((model) => ({ title: model, align: 'right' as const }))],
    [
      ...report.rows.map((row) => [row.key, ...models.map((model) => credit(row.models[model]?.conversions ?? null))]),
      'rule',
      ['total', ...models.map((model) => credit(totals.models[model]?.conversions ?? null))],
    ],
  );
  lines.push(...table.lines);
  lines.push(`Revenue with these conversions: ${money(totals.revenue)}; ad spend in the period: ${totals.cost === null ? 'none reported' : money(totals.cost)}`);
  return `${lines.join('\n')}\n`;
}

export function formatFunnelSection(report: FunnelReport): string {
  const all = report.allCohorts;
  const months = report.cohorts.length === 0 ? 'no cohort yet' : `cohorts ${report.cohorts[0]!.cohort} to ${report.cohorts.at(-1)!.cohort}`;
  const lines = [
    `3. Funnel by rep — stage-to-next conversion of each rep’s leads next to the team’s, ${months} together`,
    '   Rate to the next stage, and in brackets the difference from the team in percentage points; the last column is where the rep loses most. More: GET /v1/analytics/funnel?groupBy=owner (month by month) · docs/funnel-and-forecast.md',
    '',
  ];
  if (all.team === null || all.owners.length === 0) return `${[...lines, '   No lead has an owner yet.'].join('\n')}\n`;
  const steps = report.stages.slice(0, -1).map((stage, i) => ({ stage, next: report.stages[i + 1]! }));
  const teamRate = (stage: string) => all.team!.stages.find((figures) => figures.stage === stage)?.rateToNext ?? null;
  const table = tableLines(
    [{ title: 'rep' }, { title: 'leads', align: 'right' }, ...steps.map((step) => ({ title: `${step.stage}→${step.next}`, align: 'right' as const })), { title: 'furthest below team' }],
    [
      ['team', count(all.team.leads), ...steps.map((step) => percent(teamRate(step.stage))), ''],
      'rule',
      ...all.owners.map((owner) => {
        const flagged = owner.stages.find((stage) => stage.stage === owner.furthestBelowTeam);
        return [
          owner.owner,
          count(owner.leads),
          ...steps.map((step) => {
            const figures = owner.stages.find((stage) => stage.stage === step.stage);
            if (figures === undefined || figures.rateToNext === null) return '–';
            return `${percent(figures.rateToNext)} (${points(figures.difference)})`;
          }),
          flagged === undefined ? '' : `${flagged.stage}→${flagged.nextStage} (${count(flagged.reached)} leads)`,
        ];
      }),
    ],
  );
  lines.push(...table.lines);
  return `${lines.join('\n')}\n`;
}

export function formatForecastSection(report: ForecastReport): string {
  const total = report.total;
  const currency = report.dealCurrencies.length === 1 ? report.dealCurrencies[0] : undefined;
  const small = total.stages.some((stage) => stage.smallSample);
  const lines = [
    `4. Forecast — ${count(total.totals.openLeads)} open leads expected to bring ${credit(total.totals.expectedCustomers)} customers and ${money(total.totals.expectedRevenue, currency)}, as of ${day(report.asOf)}`,
    `   Open leads per stage × the share of leads that reached ${report.customerStage} from that stage in the last ${count(report.windowDays)} days × the average deal. More: GET /v1/analytics/forecast?groupBy=owner · docs/funnel-and-forecast.md`,
    '',
  ];
  const table = tableLines(
    [
      { title: 'stage' },
      { title: 'open leads', align: 'right' },
      { title: `rate to ${report.customerStage}`, align: 'right' },
      { title: 'measured on', align: 'right' },
      { title: 'expected customers', align: 'right' },
      { title: 'expected revenue', align: 'right' },
    ],
    [
      ...total.stages.map((stage) => [
        stage.stage,
        count(stage.openLeads),
        percent(stage.stageToCustomerRate),
        `${count(stage.sampleSize)}${stage.smallSample ? '*' : ''}`,
        credit(stage.expectedCustomers),
        money(stage.expectedRevenue, currency),
      ]),
      'rule',
      ['total', count(total.totals.openLeads), '', '', credit(total.totals.expectedCustomers), money(total.totals.expectedRevenue, currency)],
    ],
  );
  lines.push(...table.lines);
  lines.push(
    report.averageDealAmount === null
      ? 'Average deal: no deal with an amount in the window, so no revenue is expected'
      : `Average deal: ${money(report.averageDealAmount, currency)} over ${count(report.dealSampleSize)} deals`,
  );
  if (small) lines.push(`* fewer than ${count(report.minSampleSize)} leads: a rough guide`);
  if (total.totals.stagesWithoutRate.length > 0) lines.push(`Left out of the totals (open leads, no rate): ${total.totals.stagesWithoutRate.join(', ')}`);
  lines.push(...report.warnings.map((warning) => `Note: ${warning}`));
  return `${lines.join('\n')}\n`;
}

export function formatCalibrationSection(report: CalibrationReport): string {
  const period = report.from === null && report.to === null ? 'all time' : `${report.from === null ? 'the start' : day(report.from)} to ${report.to === null ? 'now' : day(report.to)}`;
  const lines = [
    `5. Score calibration — ${count(report.leads)} leads scored when they reached ${report.at} (${period}), by score decile, model “${report.model}”`,
    `   Share of each decile that went on to each later stage: a useful score rises from decile 1 to 10. More: GET /v1/analytics/scoring/calibration · GET /v1/leads/<id>/score · docs/scoring.md`,
    '',
  ];
  if (report.deciles.length === 0) return `${[...lines, `   No lead has reached ${report.at} yet.`].join('\n')}\n`;
  const table = tableLines(
    [{ title: 'decile', align: 'right' }, { title: 'leads', align: 'right' }, { title: 'score', align: 'right' }, ...report.later.map((stage) => ({ title: `→ ${stage}`, align: 'right' as const }))],
    [
      ...report.deciles.map((decile) => [
        String(decile.decile),
        count(decile.leads),
        `${decimal(decile.minScore)}–${decimal(decile.maxScore)}`,
        ...report.later.map((stage) => percent(decile.reached[stage] ?? null)),
      ]),
      'rule',
      ['all', count(report.leads), '', ...report.later.map((stage) => percent(report.overall[stage] ?? null))],
    ],
  );
  lines.push(...table.lines);
  return `${lines.join('\n')}\n`;
}

interface TableColumn {
  readonly title: string;
  readonly align?: 'left' | 'right';
}

/** A plain text table: titles, a rule, the rows ('rule' draws one more); each column as wide as its widest cell. */
function tableLines(columns: readonly TableColumn[], rows: readonly (readonly string[] | 'rule')[]): { lines: string[]; widths: number[] } {
  const cells = rows.filter((row): row is readonly string[] => row !== 'rule');
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const line = (row: readonly string[]) =>
    columns
      .map((column, i) => (column.align === 'right' ? (row[i] ?? '').padStart(widths[i]!) : (row[i] ?? '').padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return { lines: [line(columns.map((column) => column.title)), rule, ...rows.map((row) => (row === 'rule' ? rule : line(row)))], widths };
}

const count = (value: number): string => value.toLocaleString('en-US');
const decimal = (value: number): string => value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
/** A credited (fractional) number of conversions or customers. */
const credit = (value: number | null): string => (value === null ? '–' : decimal(value));
const percent = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);
/** A difference of two rates, in percentage points. */
const points = (difference: number | null): string => {
  if (difference === null) return '–';
  const value = (difference * 100).toFixed(1);
  return Number(value) === 0 ? '±0.0' : difference > 0 ? `+${value}` : `−${value.slice(1)}`;
};
/** Whole units, with the currency when one is known (amounts are summed as recorded: no conversion). */
const money = (value: number | null, currency?: string): string => {
  if (value === null) return '–';
  if (currency === undefined) return Math.round(value).toLocaleString('en-US');
  try {
    return value.toLocaleString('en-US', { style: 'currency', currency, maximumFractionDigits: 0, minimumFractionDigits: 0 });
  } catch {
    return `${Math.round(value).toLocaleString('en-US')} ${currency}`;
  }
};
const day = (iso: string): string => iso.slice(0, 10);
const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
