/**
 * `nudge serve --demo` (what `npm start` runs): on an empty data folder, the server loads a demo
 * company after it starts listening — its reps, a few thousand leads' history through ingestion,
 * its ad spend — waits for the journeys, the router, the queue, the projector and the scorer to
 * take it all in, then prints where to look. `/health/ready` answers 503 until then.
 *
 * `<data dir>/demo.json` records the load: a load stopped half way (Ctrl-C) is resumed with the
 * same options on the next start (what was stored counts as duplicate), and a loaded demo is
 * never loaded again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from './config/index.ts';
import type { DemoLoadProgress, DemoLoadReport, DemoOptions, DemoSetupParts } from './demo/index.ts';
import { ConfigError } from './core/index.ts';
import { demoTeam, loadDemo } from './demo/index.ts';

const markerSchema = z.object({
  version: z.literal(1),
  leads: z.number().int().min(1),
  days: z.number().int().min(1),
  seed: z.number().int().min(0),
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  state: z.enum(['loading', 'loaded']),
  startedAt: z.string(),
  loadedAt: z.string().optional(),
});
type DemoMarker = z.infer<typeof markerSchema>;

/**
 * The demo to load now, or null: none asked for, already loaded, or the folder holds other data
 * (a demo is only ever loaded into an empty store, never mixed into real data).
 */
export function demoToLoad(config: Config, requested: boolean, storeIsEmpty: boolean, logger: Logger, now = new Date()): DemoOptions | null {
  if (!requested) return null;
  const marker = readMarker(config.demo.markerPath);
  if (marker?.state === 'loaded') {
    logger.info(`the demo company was loaded on ${marker.loadedAt ?? marker.startedAt} (${marker.leads} leads from ${marker.start}); serving it`);
    return null;
  }
  if (marker?.state === 'loading') {
    logger.info(`resuming the demo load begun ${marker.startedAt}: what was stored then is skipped`);
    return { leads: marker.leads, days: marker.days, seed: marker.seed, start: new Date(`${marker.start}T00:00:00Z`) };
  }
  if (!storeIsEmpty) {
    logger.warn(`the demo is on, but the event store in ${config.dataDir} already holds events: starting without the demo (it only loads into an empty data folder)`);
    return null;
  }
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - config.demo.days));
  const options = { leads: config.demo.leads, days: config.demo.days, seed: config.demo.seed, start };
  writeMarker(config.demo.markerPath, { version: 1, leads: options.leads, days: options.days, seed: options.seed, start: start.toISOString().slice(0, 10), state: 'loading', startedAt: now.toISOString() });
  return options;
}

/** What the demo waits for once its history is in: each says how far it has read the store. */
export interface DemoFollowers {
  headPosition(): Promise<number>;
  /** Name → position reached; a follower that is switched off is left out. */
  readonly positions: Readonly<Record<string, () => Promise<number>>>;
  /** Messages accepted by the ingest log and not yet stored (INGEST_LOG=kafka); undefined: direct ingestion. */
  readonly ingestBacklog?: (() => Promise<number>) | undefined;
  /** Asks the scorer for a pass and resolves when it is recorded; undefined when the scorer is off. */
  readonly scorePass?: (() => Promise<void>) | undefined;
}

export interface DemoWhereToLook {
  readonly url: string;
  readonly docsUrl: string;
  /** Where the API token is, or null when it came from NUDGE_API_TOKENS. */
  readonly tokenFile: string | null;
  readonly writeKeyFile: string | null;
}

/**
 * Runs the demo load and tells /health/ready how far it is (`startup()`).
 *
 *   const demo = new DemoStartup(options, logger);
 *   await demo.run(parts, followers, where, signal);
 */
export class DemoStartup {
  readonly #options: DemoOptions;
  readonly #config: Config;
  readonly #logger: Logger;
  #done = false;
  #detail = 'waiting to load the demo company';

  constructor(options: DemoOptions, config: Config, logger: Logger) {
    this.#options = options;
    this.#config = config;
    this.#logger = logger;
  }

  /** For /health/ready. */
  readonly startup = (): { done: boolean; detail: string } => ({ done: this.#done, detail: this.#detail });

  async run(parts: DemoSetupParts, followers: DemoFollowers, where: DemoWhereToLook, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const { leads, days } = this.#options;
    const first = this.#options.start.toISOString().slice(0, 10);
    const last = new Date(this.#options.start.getTime() + (days - 1) * 86_400_000).toISOString().slice(0, 10);
    this.#logger.info(`loading the demo company: ${demoTeam.length} reps, ${leads.toLocaleString('en-US')} leads, ${days} days of history (${first} to ${last}); npm start -- --no-demo starts empty instead`);
    // The bar is drawn from the first progress on, after the log lines of the start.
    const progressBar: { bar: cliProgress.SingleBar | null } = { bar: null };
    let logged = 0;
    const onProgress = (progress: DemoLoadProgress): void => {
      if (signal.aborted) throw new Error('shutting down: the demo load stops here (the next start resumes it)');
      this.#detail = `loading the demo company: day ${progress.day} of ${progress.days}, ${progress.messages.toLocaleString('en-US')} calls`;
      const percent = Math.floor(progress.fraction * 100);
      if (progressBar.bar === null && process.stderr.isTTY) {
        progressBar.bar = new cliProgress.SingleBar(
          { format: 'demo |{bar}| {percentage}% · day {day}/{days} · {messages} calls, {stored} stored · {eta_formatted} left', stream: process.stderr, hideCursor: true, etaBuffer: 20 },
          cliProgress.Presets.shades_classic,
        );
        progressBar.bar.start(100, 0, { day: 0, days, messages: 0, stored: 0 });
      }
      progressBar.bar?.update(percent, { day: progress.day, days: progress.days, messages: progress.messages.toLocaleString('en-US'), stored: progress.stored.toLocaleString('en-US') });
      // Without a terminal (a container, a log file) the progress goes to the log every 10 %.
      if (!process.stderr.isTTY && percent >= logged + 10) {
        logged = percent - (percent % 10);
        this.#logger.info(`demo: ${percent}% (${this.#detail})`);
      }
    };
    let report: DemoLoadReport;
    try {
      report = await loadDemo(this.#options, parts, onProgress);
    } finally {
      progressBar.bar?.stop();
    }
    const loadedMs = performance.now() - started;
    this.#logger.info(
      { demo: report },
      `demo history in: ${report.messages.toLocaleString('en-US')} calls (${report.stored.toLocaleString('en-US')} stored, ${report.duplicate.toLocaleString('en-US')} already there, ${report.quarantined} quarantined) in ${(loadedMs / 1_000).toFixed(1)} s; waiting for journeys, routing and analytics to catch up`,
    );
    await this.#catchUp(followers, signal);
    if (followers.scorePass) {
      this.#detail = 'scoring the demo leads';
      await followers.scorePass();
      // Score changes are events too: journeys and the projector take them in.
      await this.#catchUp(followers, signal);
    }
    const marker = readMarker(this.#config.demo.markerPath);
    if (marker) writeMarker(this.#config.demo.markerPath, { ...marker, state: 'loaded', loadedAt: new Date().toISOString() });
    // Said before readiness turns: whoever waits for ready finds where to look already written.
    this.#logger.info({ url: where.url, seconds: Math.round((performance.now() - started) / 1_000) }, whereToLook(report, where, this.#config, performance.now() - started));
    this.#done = true;
    this.#detail = 'the demo company is loaded';
  }

  async #catchUp(followers: DemoFollowers, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw new Error('shutting down');
      const backlog = (await followers.ingestBacklog?.()) ?? 0;
      const head = await followers.headPosition();
      const behind: string[] = backlog > 0 ? [`ingest workers ${backlog.toLocaleString('en-US')} messages behind`] : [];
      for (const [name, position] of Object.entries(followers.positions)) {
        const at = await position();
        if (at < head) behind.push(`${name} ${(head - at).toLocaleString('en-US')} events behind`);
      }
      if (behind.length === 0) return;
      this.#detail = `catching up with the demo history: ${behind.join(', ')}`;
      await delay(500, undefined, { signal }).catch(() => undefined);
    }
  }
}

function whereToLook(report: DemoLoadReport, where: DemoWhereToLook, config: Config, elapsedMs: number): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const shown = (file: string): string => {
    const path = relative(process.cwd(), file);
    return path.startsWith('..') ? file : path;
  };
  const token = where.tokenFile === null ? '$NUDGE_API_TOKEN' : `$(cat ${shown(where.tokenFile)})`;
  const writeKey = where.writeKeyFile === null ? '$NUDGE_WRITE_KEY' : `$(cat ${shown(where.writeKeyFile)})`;
  const auth = `-H "Authorization: Bearer ${token}"`;
  const rep = demoTeam[0]!.id;
  const userId = report.exampleUserId ?? 'usr_…';
  const event = JSON.stringify({ userId, event: 'Demo Requested', properties: { form_id: 'demo-request', team_size: '11-50' } });
  return [
    `The demo company is in (${(elapsedMs / 1_000).toFixed(0)} s): ${n(report.leads)} leads in ${n(report.accounts)} accounts, ${n(report.messages)} tracking calls over ${config.demo.days} days, ${demoTeam.length} reps, ${n(report.costRows)} days × campaigns of ad spend.`,
    'Where to look:',
    `  API docs            ${where.docsUrl}  (user: anything, password: the API token${where.tokenFile === null ? '' : ` in ${shown(where.tokenFile)}`})`,
    `  The tour            npm run nudge -- demo tour        (queue, attribution, funnel, forecast, calibration)`,
    `  A rep's queue       npm run nudge -- queue --rep ${rep}`,
    `                      curl ${auth} ${where.url}/v1/reps/${rep}/queue`,
    `  Attribution         curl ${auth} "${where.url}/v1/analytics/attribution/compare?conversion=opportunity&by=channel"`,
    `  Funnel by rep       curl ${auth} "${where.url}/v1/analytics/funnel?groupBy=owner"`,
    `  SQL                 npm run nudge -- sql "SELECT channel, count() AS touches FROM touches_resolved GROUP BY channel ORDER BY touches DESC"`,
    `  Send an event       curl -u "${writeKey}:" -H 'content-type: application/json' -d '${event}' ${where.url}/v1/track`,
    `                      then: curl ${auth} "${where.url}/v1/leads/lookup?userId=${userId}"  (its timeline, owner, suggestions)`,
  ].join('\n');
}

function readMarker(path: string): DemoMarker | null {
  if (!existsSync(path)) return null;
  try {
    return markerSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new ConfigError(`${path} is not a demo record Nudge wrote (${error instanceof Error ? error.message : String(error)}): remove it, or the data folder, to load the demo again`, { cause: error });
  }
}

/** Written beside and renamed: a crash leaves the old record or the new one, never half of one. */
function writeMarker(path: string, marker: DemoMarker): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
