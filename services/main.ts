/**
 * The composition root: reads configuration once, picks the adapters, starts what is asked.
 * Nothing else in the product imports an adapter (the dependency rule, checked by depcruise).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { extname } from 'node:path';
import { MessageChannel, Worker, type WorkerOptions } from 'node:worker_threads';
import { setTimeout as delay } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { serveAnalyticsOnPort } from '../infra/clickhouse/analyticsOverPort.ts';
import { openClickHouseAnalytics } from '../infra/clickhouse/index.ts';
import { createKafkaIngestLog } from '../infra/kafka/index.ts';
import { createKurrentDbCheckpoints, createKurrentDbEventStore } from '../infra/kurrentdb/index.ts';
import { createOutboxMailer, createSmtpMailer } from '../infra/mail/index.ts';
import { createCompiledEvaluator } from '../infra/rules/index.ts';
import { connectSqliteWriter, createSqliteCheckpoints, createSqliteEventStore, createSqliteLeadIndex, createSqliteQuarantine } from '../infra/sqlite/index.ts';
import { JourneyService } from '../journeys/authoring/index.ts';
import { journeyLibraryDir } from '../journeys/library/index.ts';
import { journeyRunnerCheckpoint } from '../journeys/runner/index.ts';
import { createJourneyStatsProjection } from '../journeys/stats/index.ts';
import packageJson from '../package.json' with { type: 'json' };
import type { AnalystSqlResult, ProjectionStatus } from '../projections/index.ts';
import { migrateAnalytics, ProjectorService, runAnalystSql } from '../projections/index.ts';
import type { ScoringModel } from '../projections/scoring/index.ts';
import { LeadScoring, loadScoringModel } from '../projections/scoring/index.ts';
import type { AnalyticsAccess } from './cli/analyticsCommands.ts';
import { buildProgram, type CliRuntime } from './cli/program.ts';
import type { Config, Role } from './config/index.ts';
import { loadConfig, resolveApiTokens, resolveUnsubscribeSecret, resolveWriteKeys } from './config/index.ts';
import { ConfigError, NudgeError, systemClock, UnavailableError, ValidationError } from './core/index.ts';
import type { DigestOutcome, QueueView, SuggestionQueueProjection } from './suggestions/index.ts';
import { createSuggestionQueueProjection, DailyDigest, EmailSender, SuggestionService, UnsubscribeService, unsubscribeLink } from './suggestions/index.ts';
import { DemoStartup, demoToLoad } from './demoStartup.ts';
import type { ProjectorThreadData, ProjectorThreadReply, ProjectorThreadRequest } from './projectorThreadProtocol.ts';
import type { RunnerThreadData, RunnerWork } from './runnerRole.ts';
import { routingRules, runRunnerLoops } from './runnerRole.ts';
import { createLogger, keepRunning, readSettingFile } from './serverSupport.ts';
import { buildApp, DOCS_PREFIX } from './http/index.ts';
import type { ChannelRules } from './ingest/index.ts';
import { AdCostService, createIngestPipeline, defaultChannelRules, IngestLogSink, IngestService, IngestWorker, loadChannelRules } from './ingest/index.ts';
import type { AdCostReport, IngestPipeline } from './ingest/index.ts';
import type { LeadSettings } from './leads/index.ts';
import { defaultFreeMailDomains, LEAD_ROUTER_CHECKPOINT, defaultLeadSettings, LeadOwnership, RepService } from './leads/index.ts';
import type { Analytics, Checkpoints, EventStore, IngestLog, LeadIndex, Mailer, Quarantine } from './ports/index.ts';

export const version: string = packageJson.version;

/** The event store EVENT_STORE names: the SQLite file in the data folder, or the KurrentDB server (KURRENTDB_URL). */
export function openEventStore(config: Config, options: { readOnly: boolean } = { readOnly: false }): EventStore {
  const eventStore = config.eventStore;
  switch (eventStore.kind) {
    case 'kurrentdb':
      // A shared server: read-only commands simply do not write.
      return createKurrentDbEventStore({ connectionString: eventStore.connectionString });
    case 'sqlite': {
      const { path, synchronous, writerThread } = eventStore;
      if (options.readOnly && !existsSync(path)) {
        throw new UnavailableError(`no event store at ${path} yet: start the server once (nudge serve) or set NUDGE_DATA_DIR`);
      }
      return createSqliteEventStore({ path, synchronous, writerThread, readOnly: options.readOnly });
    }
    default: {
      const unknown: never = eventStore;
      throw new ConfigError(`unknown event store ${JSON.stringify(unknown)}`);
    }
  }
}

/** Subscribers' checkpoints live next to the events: in the data folder, or in KurrentDB where every host sees them. */
export function openCheckpoints(config: Config): Checkpoints {
  return config.eventStore.kind === 'kurrentdb'
    ? createKurrentDbCheckpoints({ connectionString: config.eventStore.connectionString })
    : createSqliteCheckpoints({ path: config.journeys.checkpointsPath });
}

/**
 * The analytics engine: a ClickHouse server when CLICKHOUSE_URL is set, chDB in
 * `<data dir>/clickhouse` otherwise; migrated to the newest schema before it is handed out.
 * chDB's folder is held by one process at a time: while `nudge serve` runs, other commands reach
 * analytics through its API.
 */
export async function openAnalytics(config: Config): Promise<Analytics> {
  const { url, embeddedPath, database, cluster } = config.analytics;
  let analytics: Analytics;
  try {
    analytics =
      url === undefined
        ? await openClickHouseAnalytics({ engine: 'embedded', path: embeddedPath, database })
        : await openClickHouseAnalytics({ engine: 'server', url, database, ...(cluster === undefined ? {} : { cluster }) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (url === undefined && /Cannot lock file|already running/i.test(message)) {
      throw new UnavailableError(`the embedded analytics folder ${embeddedPath} is in use by another Nudge process (nudge serve): ask it through its API instead`, { cause: error });
    }
    throw error;
  }
  try {
    // CLICKHOUSE_CLUSTER: the same migrations, ON CLUSTER and with Replicated engines (projections/clusterDdl.ts).
    await migrateAnalytics(analytics, undefined, cluster === undefined ? {} : { cluster });
  } catch (error) {
    await analytics.close();
    throw error instanceof NudgeError ? error : new ConfigError(`analytics migrations: ${error instanceof Error ? error.message : String(error)}`);
  }
  return analytics;
}

/** The lead-scoring model in force: NUDGE_SCORING_MODEL's file, else the shipped one (docs/scoring.md). */
export function scoringModel(config: Config): ScoringModel {
  try {
    return config.analytics.scoringModelFile === undefined ? loadScoringModel() : loadScoringModel(config.analytics.scoringModelFile);
  } catch (error) {
    throw new ConfigError(`NUDGE_SCORING_MODEL: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Analytics for the CLI: the engine itself when this process can open it; while `nudge serve`
 * holds the embedded engine's folder, the server's API (at HOST:PORT, with the API token).
 */
export async function openAnalyticsAccess(config: Config): Promise<AnalyticsAccess> {
  // A running server holds the embedded engine: ask it rather than fail to open the folder.
  if (config.analytics.url === undefined && (await serverAnswers(config))) return remoteAnalytics(config);
  let analytics: Analytics;
  try {
    analytics = await openAnalytics(config);
  } catch (error) {
    if (error instanceof UnavailableError && /in use by another Nudge process/.test(error.message)) return remoteAnalytics(config);
    throw error;
  }
  const store = openEventStore(config, { readOnly: true });
  // With NUDGE_PROJECTOR_SHARD, status and rebuild cover that layout's shards (catchUp projects them all here).
  const projections = new ProjectorService({ store, analytics, ...(config.projectorShard === undefined ? {} : { shard: config.projectorShard }) });
  return {
    where: `directly (${analytics.description})`,
    status: () => projections.status(),
    async rebuild(progress) {
      await projections.rebuild();
      const stop = projections.onBatch(() => void projections.status().then(progress, () => undefined));
      try {
        await projections.catchUp();
      } finally {
        stop();
      }
      return projections.status();
    },
    sql: (sql) => runAnalystSql(analytics, sql, { maxRows: config.analytics.sqlMaxRows, timeoutSeconds: config.analytics.sqlTimeoutSeconds }),
    close: async () => {
      await analytics.close();
      await store.close();
    },
  };
}

function serverBase(config: Config): string {
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
}

async function serverAnswers(config: Config): Promise<boolean> {
  try {
    const response = await fetch(`${serverBase(config)}/health/live`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function remoteAnalytics(config: Config): AnalyticsAccess {
  const base = serverBase(config);
  const token = resolveApiTokens(config.apiTokens, config.dataDir).tokens[0]!;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new UnavailableError(`the embedded analytics engine is held by another process, and no Nudge server answers at ${base}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const payload = (await response.json()) as T & { detail?: string; errors?: { path: string; message: string }[] };
    if (!response.ok) {
      if (response.status === 400) throw new ValidationError(payload.detail ?? 'refused');
      throw new UnavailableError(`${base}${path} answered ${response.status}: ${payload.detail ?? ''}`);
    }
    return payload;
  };
  const status = async () => (await call<{ projections: ProjectionStatus[] }>('GET', '/v1/analytics/projections')).projections[0]!;
  return {
    where: `through the server at ${base}`,
    status,
    async rebuild(progress) {
      await call('POST', '/v1/analytics/projections/rebuild');
      for (;;) {
        const now = await status();
        progress(now);
        if (now.lagEvents === 0 && now.pending === null) return now;
        await delay(500);
      }
    },
    sql: (sql) => call<AnalystSqlResult>('POST', '/v1/analytics/sql', { sql }),
    close: () => Promise.resolve(),
  };
}

/** `nudge costs import`: the rows go into the event store; the projector takes them to ClickHouse. */
export async function importCosts(config: Config, csv: string): Promise<AdCostReport> {
  const store = openEventStore(config);
  try {
    return await new AdCostService({ store }).reportCsv(csv);
  } finally {
    await store.close();
  }
}

/** Approved emails go through SMTP_URL when it is set, into `<data dir>/outbox` as .eml files otherwise. */
export function openMailer(config: Config): Mailer {
  const { smtpUrl, outboxDir } = config.mail;
  return smtpUrl === undefined ? createOutboxMailer({ dir: outboxDir }) : createSmtpMailer({ url: smtpUrl });
}

/** Everything ingestion needs, opened together and closed together. */
export interface Ingestion {
  readonly store: EventStore;
  readonly index: LeadIndex;
  readonly quarantine: Quarantine;
  /** Straight to the store: what ingest workers (and INGEST_LOG=direct) use. */
  readonly pipeline: IngestPipeline;
  /** What the API and `nudge ingest` hand messages to: the pipeline, or the ingest log with INGEST_LOG=kafka. */
  readonly service: IngestService;
  /** The ingest log (INGEST_LOG=kafka), or null. */
  readonly log: IngestLog | null;
  close(): Promise<void>;
}

/** The ingest log of INGEST_LOG=kafka, or null for direct ingestion. */
export function openIngestLog(config: Config, logger?: Logger): IngestLog | null {
  const settings = config.ingestLog;
  if (settings.kind === 'direct') return null;
  return createKafkaIngestLog({
    brokers: settings.brokers,
    clientId: settings.clientId,
    topic: settings.topic,
    deadLetterTopic: settings.deadLetterTopic,
    groupId: settings.groupId,
    partitions: settings.partitions,
    log: (level, message, extra) => logger?.[level](extra, message),
  });
}

export function leadSettings(config: Config): LeadSettings {
  const free = config.leads.freeMailDomains;
  return {
    stages: config.leads.stages ?? defaultLeadSettings.stages,
    statuses: config.leads.statuses ?? defaultLeadSettings.statuses,
    freeMailDomains: free === undefined ? defaultLeadSettings.freeMailDomains : new Set(free.mode === 'add' ? [...defaultFreeMailDomains, ...free.domains] : free.domains),
  };
}

export function channelRules(config: Config): ChannelRules {
  const file = config.ingest.channelRulesFile;
  if (file === undefined) return defaultChannelRules;
  const text = readSettingFile('NUDGE_CHANNEL_RULES', file);
  try {
    return loadChannelRules(text);
  } catch (error) {
    throw new ConfigError(`NUDGE_CHANNEL_RULES: ${file} is not a valid rules file: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Opens the store, the lead index and the quarantine, and brings the index up to date. */
export async function openIngestion(config: Config, store: EventStore = openEventStore(config), logger?: Logger): Promise<Ingestion> {
  const rules = channelRules(config);
  const index = createSqliteLeadIndex({ path: config.ingest.leadIndexPath });
  const quarantine = createSqliteQuarantine({ path: config.ingest.quarantinePath });
  const pipeline = createIngestPipeline({ store, index, settings: leadSettings(config), channelRules: rules, maxQueued: config.ingest.maxQueued });
  await pipeline.catchUp();
  const log = openIngestLog(config, logger);
  return {
    store,
    index,
    quarantine,
    pipeline,
    service: new IngestService({ pipeline: log === null ? pipeline : new IngestLogSink(log), quarantine }),
    log,
    close: async () => {
      await log?.close();
      await pipeline.drained();
      await index.close();
      await quarantine.close();
      await store.close();
    },
  };
}

/**
 * Throws the lead index away and rebuilds it from the event store (it is a projection).
 * Returns how many events were replayed.
 */
export async function rebuildLeadIndex(config: Config): Promise<number> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${config.ingest.leadIndexPath}${suffix}`, { force: true });
  const ingestion = await openIngestion(config);
  try {
    return await ingestion.index.read.checkpoint();
  } finally {
    await ingestion.close();
  }
}

/**
 * On first start (no journey was ever saved) saves and publishes the shipped library, so a new
 * installation suggests something from the first event. Returns the ids it published.
 */
export async function loadJourneyLibrary(journeys: JourneyService, dir: string = journeyLibraryDir): Promise<string[]> {
  if (!(await journeys.isEmpty())) return [];
  const published: string[] = [];
  for (const file of readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    const saved = await journeys.save(readFileSync(`${dir}/${file}`, 'utf8'), { format: 'yaml', by: 'nudge (shipped library)', fileName: file });
    await journeys.publish(saved.journeyId, saved.version, 'nudge (shipped library)');
    published.push(saved.journeyId);
  }
  return published;
}

/** The morning digest over the given queue and mailer; links point at the API's public address (the unsubscribe URL's origin). */
export function openDailyDigest(
  config: Config,
  parts: { store: EventStore; projection: SuggestionQueueProjection; mailer: Mailer; reps: RepService },
): DailyDigest {
  return new DailyDigest({
    store: parts.store,
    projection: parts.projection,
    mailer: parts.mailer,
    reps: { find: (id) => parts.reps.find(id), list: () => parts.reps.list() },
    baseUrl: new URL(config.mail.unsubscribeUrl).origin,
    fromAddress: `nudge@${config.mail.messageIdDomain}`,
    messageIdDomain: config.mail.messageIdDomain,
    hour: config.suggestions.digestHour,
  });
}

/** `nudge digest send --rep`: builds the queue from the store, sends the rep's digest now. */
export async function sendDigestNow(config: Config, repId: string, force: boolean): Promise<DigestOutcome> {
  const store = openEventStore(config);
  const projection = createSuggestionQueueProjection({ store });
  const stop = new AbortController();
  const following = projection.run(stop.signal).catch(() => undefined);
  const mailer = openMailer(config);
  try {
    await projection.settled(60_000);
    return await openDailyDigest(config, { store, projection, mailer, reps: new RepService({ store }) }).send(repId, { force });
  } finally {
    stop.abort();
    await following;
    await mailer.close();
    await store.close();
  }
}

/** `nudge queue --rep`: a rep's queue as of now, built from the store (no server needed). */
export async function readQueueNow(config: Config, repId: string, options: { action?: string; due?: 'today' | 'overdue' }): Promise<QueueView> {
  const store = openEventStore(config, { readOnly: true });
  const projection = createSuggestionQueueProjection({ store });
  const stop = new AbortController();
  const following = projection.run(stop.signal).catch(() => undefined);
  try {
    await projection.settled(60_000);
    const rep = await new RepService({ store }).find(repId);
    return projection.queue.queue(repId, { now: new Date(), capacity: rep?.dailyCapacity ?? null, timeZone: rep?.timeZone ?? 'UTC', ...options });
  } finally {
    stop.abort();
    await following;
    await store.close();
  }
}

/**
 * Runs `runRunnerLoops` on a worker thread (services/runnerThread.ts) with its own connections to
 * the SQLite files. Resolves when the thread has stopped after `signal` aborted (it finishes the
 * batch in hand and closes its files first); rejects when the thread ends on its own.
 */
function runRunnerThread(config: Config, store: EventStore, work: RunnerWork, signal: AbortSignal): Promise<void> {
  // One writer for the file: the thread commits through the main store's writer thread.
  const writerPort = connectSqliteWriter(store);
  const data: RunnerThreadData = { config, work, writerPort };
  return runThread('the runner thread', 'runnerThread', { workerData: data, transferList: writerPort === null ? [] : [writerPort] }, signal);
}

/**
 * Runs the analytics projector on a worker thread (services/projectorThread.ts) with its own
 * read-only connection to the store; the engine stays here and takes the thread's calls over a
 * MessagePort. While the thread runs, `projections` (this process's service: status, rebuild)
 * reports it as this process's projector and sends it rebuilds. Resolves and rejects as
 * `runRunnerThread`.
 */
function runProjectorThread(config: Config, analytics: Analytics, projections: ProjectorService, signal: AbortSignal): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const serving = serveAnalyticsOnPort(analytics, port1);
  const data: ProjectorThreadData = { config, analyticsPort: port2, engine: { database: analytics.database, description: analytics.description } };
  return runThread('the projector thread', 'projectorThread', { workerData: data, transferList: [port2] }, signal, (worker) => {
    // Running once the thread executes (a rebuild before then resets here, and the thread starts on the new generation).
    let running = false;
    worker.once('online', () => {
      running = true;
    });
    let nextId = 1;
    const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
    worker.on('message', (reply: ProjectorThreadReply) => {
      const rebuild = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.error === undefined) rebuild?.resolve();
      else rebuild?.reject(new UnavailableError(`rebuilding the analytics projection: ${reply.error}`));
    });
    projections.projectsOnThread({
      get running() {
        return running;
      },
      rebuild: () =>
        new Promise<void>((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          worker.postMessage({ op: 'rebuild', id } satisfies ProjectorThreadRequest);
        }),
    });
    return () => {
      running = false;
      projections.projectsOnThread(null);
      serving.close();
      for (const rebuild of waiting.values()) rebuild.reject(new UnavailableError('the projector thread stopped before the rebuild began'));
    };
  });
}

/**
 * A worker thread of `nudge serve` running `file` (a sibling of this module) until `signal`
 * aborts, when it is posted 'stop'. `attach` wires the thread up once started and returns what to
 * undo when it ends. Resolves when the thread ends after the stop with exit code 0; rejects when it
 * fails or ends on its own.
 */
function runThread(name: string, file: string, options: WorkerOptions, signal: AbortSignal, attach?: (worker: Worker) => () => void): Promise<void> {
  const extension = extname(new URL(import.meta.url).pathname);
  const worker = new Worker(new URL(`./${file}${extension}`, import.meta.url), options);
  const detach = attach?.(worker);
  const stop = (): void => worker.postMessage('stop');
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return new Promise<void>((resolve, reject) => {
    let failure: Error | null = null;
    worker.once('error', (error: Error) => {
      failure = error;
    });
    worker.once('exit', (code) => {
      signal.removeEventListener('abort', stop);
      detach?.();
      if (failure !== null) reject(failure);
      else if (signal.aborted && code === 0) resolve();
      else reject(new UnavailableError(`${name} ended on its own (exit code ${code})`));
    });
  });
}

/** `nudge serve`: the API server on the configured backends, until SIGINT/SIGTERM. */
export async function serve(config: Config, overrides: { host?: string; port?: number; demo?: boolean; roles?: readonly Role[] } = {}): Promise<void> {
  const logger = createLogger(config);
  const roleSet = new Set<Role>(overrides.roles ?? config.roles);
  /** Whether this process has the role (`all` has every one). */
  const runs = (role: Exclude<Role, 'all'>): boolean => roleSet.has('all') || roleSet.has(role);
  if (roleSet.has('ingest-worker') && config.ingestLog.kind !== 'kafka') {
    throw new ConfigError('the ingest-worker role takes messages from Kafka: set INGEST_LOG=kafka and KAFKA_BROKERS (with INGEST_LOG=direct the api role stores them itself)');
  }
  const shard = config.runnerShard;
  // Routing, expiry and the morning digest keep one state for all leads: the first runner shard does them.
  const firstShard = shard === undefined || shard.index === 0;
  const host = overrides.host ?? config.http.host;
  const port = overrides.port ?? config.http.port;
  const tokens = resolveApiTokens(config.apiTokens, config.dataDir);
  const writeKeys = resolveWriteKeys(config.ingest.writeKeys, config.dataDir);
  logger.info('opening the event store and bringing the lead index up to date');
  const ingestion = await openIngestion(config, openEventStore(config), logger);
  if (ingestion.log !== null) logger.info(`ingest log: ${ingestion.log.description}; the API answers once Kafka holds a message, the ingest worker stores it`);
  if (!roleSet.has('all')) logger.info(`roles: ${[...roleSet].join(', ')}${shard === undefined ? '' : ` (runner shard ${shard.index + 1} of ${shard.count})`}`);
  // Decided before anything of this start is written: the demo only goes into an empty store.
  const demoWanted = overrides.demo ?? config.demo.enabled;
  // The API process loads it; with the roles split, it waits for the other processes (their checkpoints are shared).
  if (demoWanted && !runs('api')) logger.warn('the demo loads in the process with the api role: starting without it');
  const demoOptions = demoToLoad(config, demoWanted && runs('api'), (await ingestion.store.headPosition()) === 0, logger);
  const demo = demoOptions === null ? null : new DemoStartup(demoOptions, config, logger);
  const journeys = new JourneyService({ store: ingestion.store });
  if (config.journeys.loadLibrary) {
    const loaded = await loadJourneyLibrary(journeys);
    if (loaded.length > 0) logger.info({ journeys: loaded }, `published the ${loaded.length} shipped journeys (first start)`);
  }
  const rules = config.routing.enabled ? routingRules(config) : null;
  const journeyStats = createJourneyStatsProjection({ store: ingestion.store });
  const queue = createSuggestionQueueProjection({ store: ingestion.store });
  const suggestions = new SuggestionService({ store: ingestion.store, projection: queue });
  const repService = new RepService({ store: ingestion.store });
  const mailer = openMailer(config);
  const unsubscribeSecret = resolveUnsubscribeSecret(config.dataDir);
  const email = new EmailSender({
    store: ingestion.store,
    projection: queue,
    mailer,
    repOf: async (repId) => {
      const rep = await repService.find(repId);
      return rep ? { name: rep.name, email: rep.email, active: rep.active } : null;
    },
    unsubscribeUrl: (leadId) => unsubscribeLink(config.mail.unsubscribeUrl, unsubscribeSecret, leadId),
    messageIdDomain: config.mail.messageIdDomain,
  });
  const digest = openDailyDigest(config, { store: ingestion.store, projection: queue, mailer, reps: repService });
  // The engine is opened only by the roles that use it (with chDB, one process holds its folder).
  const analytics = runs('api') || runs('projector') || runs('scorer') ? await openAnalytics(config) : null;
  if (analytics) logger.info(`analytics: ${analytics.description}`);
  const projectorShard = config.projectorShard;
  const projections = analytics && new ProjectorService({ store: ingestion.store, analytics, ...(projectorShard === undefined ? {} : { shard: projectorShard }) });
  if (projectorShard !== undefined && runs('projector')) logger.info(`analytics projector: shard ${projectorShard.index + 1} of ${projectorShard.count}`);
  const settings = leadSettings(config);
  const scoring = analytics && new LeadScoring({ analytics, store: ingestion.store, model: scoringModel(config), freeMailDomains: settings.freeMailDomains });
  const base = {
    ...(demo === null ? {} : { startup: demo.startup }),
    eventStore: ingestion.store,
    apiTokens: tokens.tokens,
    logger,
    version,
    bodyLimitBytes: config.http.bodyLimitBytes,
  };
  // Without the api role the process answers health, metrics and /v1/events only (for orchestrators and operators).
  const app = !runs('api') || analytics === null || projections === null || scoring === null ? await buildApp(base) : await buildApp({
    ...base,
    analytics: {
      analytics,
      projections,
      costs: new AdCostService({ store: ingestion.store }),
      sqlLimits: { maxRows: config.analytics.sqlMaxRows, timeoutSeconds: config.analytics.sqlTimeoutSeconds },
      stages: settings.stages,
      scoring,
      freeMailDomains: settings.freeMailDomains,
    },
    unsubscribe: new UnsubscribeService({ store: ingestion.store, secret: unsubscribeSecret }),
    suggestions: {
      suggestions,
      projection: queue,
      clock: systemClock,
      email,
      repSettings: async (repId) => {
        const rep = await repService.find(repId);
        return rep ? { capacity: rep.dailyCapacity, timeZone: rep.timeZone } : null;
      },
    },
    journeys,
    simulation: { evaluator: createCompiledEvaluator() },
    journeyStats,
    leads: ingestion.index.read,
    reps: { service: repService, ownership: new LeadOwnership({ store: ingestion.store, reps: repService }) },
    ingestion: { service: ingestion.service, quarantine: ingestion.quarantine, writeKeys: writeKeys.tokens, rateLimitPerSecond: config.ingest.rateLimitPerSecond },
  });
  const stopFollowing = new AbortController();
  const following = !(runs('api') || runs('ingest-worker'))
    ? Promise.resolve()
    : ingestion.pipeline.follow(stopFollowing.signal).catch((error: unknown) => {
        if (!stopFollowing.signal.aborted) logger.error({ err: error }, 'the lead index stopped following the event store');
      });
  const checkpoints = openCheckpoints(config);
  const runnerWork = { routing: rules !== null && runs('runner') && firstShard, running: config.journeys.runner && runs('runner') };
  // With the SQLite store, the runner and the router get a thread of their own (their own
  // connections to the same files): they no longer wait behind HTTP and ingestion on this event
  // loop, and a commit on either side wakes the other's subscriptions at once.
  const runnerThread = (runnerWork.routing || runnerWork.running) && config.journeys.runnerThread && config.eventStore.kind === 'sqlite';
  if (runnerThread) logger.info('journey runner and lead router: on a thread of their own');
  const runningJourneys = !(runnerWork.routing || runnerWork.running)
    ? Promise.resolve()
    : runnerThread
      ? keepRunning('the runner thread', logger, stopFollowing.signal, (signal) => runRunnerThread(config, ingestion.store, runnerWork, signal))
      : runRunnerLoops(config, { store: ingestion.store, checkpoints, logger }, runnerWork, stopFollowing.signal);
  // INGEST_LOG=kafka: this process is also an ingest worker of the consumer group.
  const ingestLog = ingestion.log;
  const ingestWorking =
    ingestLog === null || !runs('ingest-worker')
      ? Promise.resolve()
      : keepRunning('the ingest worker', logger, stopFollowing.signal, (signal) =>
          new IngestWorker({
            log: ingestLog,
            pipeline: ingestion.pipeline,
            onBatch: (tally) => logger.debug(tally, 'ingest worker: batch stored'),
          }).run(signal),
        );
  // Statistics are read-only: they follow the store whether or not this process runs the journeys.
  const followingStats = !runs('api')
    ? Promise.resolve()
    : journeyStats.run(stopFollowing.signal).catch((error: unknown) => {
        if (!stopFollowing.signal.aborted) logger.error({ err: error }, 'the journey statistics stopped following the event store');
      });

  // The projector resumes from its checkpoint in ClickHouse (a half-written batch is written again).
  // With the SQLite store it reads, builds and encodes on a thread of its own; the engine stays here.
  const projectorThread = config.analytics.projectorThread && config.eventStore.kind === 'sqlite';
  const projecting =
    config.analytics.projector && runs('projector') && analytics && projections
      ? projectorThread
        ? keepRunning('the projector thread', logger, stopFollowing.signal, (signal) => runProjectorThread(config, analytics, projections, signal))
        : keepRunning('the analytics projector', logger, stopFollowing.signal, (signal) => projections.run(signal))
      : Promise.resolve();
  if (config.analytics.projector && runs('projector') && projectorThread) logger.info('analytics projector: on a thread of its own');
  // The scorer waits for the projection to be nearly caught up (start-up, a rebuild), then scores every lead each interval.
  // It reads every lead and waits for every projector shard: one scorer, in the process of projector shard 1 when shards are set.
  const firstProjectorShard = projectorShard === undefined || projectorShard.index === 0;
  if (config.analytics.scorer && runs('scorer') && !firstProjectorShard) logger.info('lead scorer: not here, it runs with projector shard 1');
  const scoringLoop = config.analytics.scorer && runs('scorer') && firstProjectorShard && scoring && projections
    ? keepRunning('the lead scorer', logger, stopFollowing.signal, (signal) =>
        scoring.runScorer(signal, {
          intervalMs: config.analytics.scorerIntervalMs,
          ready: async () => (await projections.status()).lagEvents < 1_000,
          onPass: (pass) => pass.changed > 0 && logger.info(pass, `scored ${pass.leads} leads: ${pass.changed} score changes recorded`),
        }),
      )
    : Promise.resolve();
  // The queue resumes from where it stopped, so the same instance (the API's) runs again.
  const followingQueue = runs('api') || runs('runner') ? keepRunning('the SDR queue', logger, stopFollowing.signal, (signal) => queue.run(signal)) : Promise.resolve();
  // Once a minute: suggestions past their expiry expire (an event); failed email sends are tried again.
  const expiring = (async () => {
    while (!stopFollowing.signal.aborted && runs('runner') && firstShard) {
      await suggestions.expireDue().catch((error: unknown) => logger.error({ err: error }, 'expiring suggestions failed'));
      await email.retryDue().catch((error: unknown) => logger.error({ err: error }, 'retrying email sends failed'));
      await digest
        .sendDue()
        .then((outcomes) => outcomes.length > 0 && logger.info({ digests: outcomes }, `morning digests: ${outcomes.filter((o) => o.status === 'sent').length} sent, ${outcomes.filter((o) => o.status === 'failed').length} failed`))
        .catch((error: unknown) => logger.error({ err: error }, 'sending the morning digests failed'));
      await delay(60_000, undefined, { signal: stopFollowing.signal }).catch(() => undefined);
    }
  })();

  let loadingDemo: Promise<void> = Promise.resolve();
  closeWithGrace({ delay: config.shutdownGraceMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await app.close();
    stopFollowing.abort();
    await loadingDemo;
    await ingestWorking;
    await following;
    await runningJourneys;
    await followingStats;
    await followingQueue;
    await projecting;
    await scoringLoop;
    await expiring;
    await analytics?.close();
    await mailer.close();
    await checkpoints.close();
    await ingestion.close();
  });

  const address = await app.listen({ host, port });
  const url = address.replace('[::1]', 'localhost');
  logger.info({ url, dataDir: config.dataDir }, `Nudge ${version} listening on ${url}`);
  logger.info(`API docs: ${url}${DOCS_PREFIX} (user: anything, password: the API token)`);
  if (tokens.generated) {
    logger.warn(`Generated an admin API token, kept in ${tokens.file} (mode 0600): ${tokens.tokens[0]}`);
  } else if (tokens.file !== undefined) {
    logger.info(`API token: in ${tokens.file}`);
  }
  if (writeKeys.generated) {
    logger.warn(`Generated a Segment write key, kept in ${writeKeys.file}: ${writeKeys.tokens[0]}`);
  } else if (writeKeys.file !== undefined) {
    logger.info(`Segment write key: in ${writeKeys.file}`);
  }
  logger.info(`Send events: POST ${url}/v1/track (Basic auth, the write key as user) or point a Segment SDK's host at ${url}`);
  if (demo !== null) {
    const ingestService = ingestion.service;
    loadingDemo = demo
      .run(
        { reps: repService, ingest: { batch: (body, meta) => ingestService.batch(body, meta) }, costs: new AdCostService({ store: ingestion.store }) },
        {
          headPosition: () => ingestion.store.headPosition(),
          positions: {
            ...(rules ? { routing: () => checkpoints.get(LEAD_ROUTER_CHECKPOINT) } : {}),
            ...(config.journeys.runner ? { journeys: () => checkpoints.get(journeyRunnerCheckpoint(shard)) } : {}),
            ...(config.analytics.projector && projections ? { analytics: async () => (await projections.status()).position } : {}),
            queue: () => Promise.resolve(queue.position),
            leads: () => ingestion.index.read.checkpoint(),
          },
          ingestBacklog: ingestLog === null ? undefined : () => ingestLog.backlog(),
          // The scorer of another process scores on its own interval; this one can be asked now.
          scorePass: config.analytics.scorer && runs('scorer') && scoring ? () => scoring.requestPass() : undefined,
        },
        { url, docsUrl: `${url}${DOCS_PREFIX}`, tokenFile: tokens.file ?? null, writeKeyFile: writeKeys.file ?? null },
        stopFollowing.signal,
      )
      .catch((error: unknown) => {
        if (stopFollowing.signal.aborted) logger.info('the demo load stopped with the server: the next start resumes it');
        else logger.error({ err: error }, 'loading the demo company failed; the next start tries again (or start empty: npm start -- --no-demo)');
      });
  }
}

/** Runs the `nudge` command line; returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const runtime: CliRuntime = {
    version,
    loadConfig: () => loadConfig(process.env),
    openEventStore,
    openIngestion: (config) => openIngestion(config),
    rebuildLeadIndex,
    serve,
    ruleEvaluator: () => createCompiledEvaluator(),
    sendDigest: (config, repId, force) => sendDigestNow(config, repId, force),
    readQueue: (config, repId, options) => readQueueNow(config, repId, options),
    openReps: (config) => {
      const store = openEventStore(config);
      const reps = new RepService({ store });
      const ownership = new LeadOwnership({ store, reps });
      return Promise.resolve({ reps, assign: (request) => ownership.assign(request), close: () => store.close() });
    },
    openAnalyticsAccess,
    importCosts,
    apiBase: serverBase,
    apiToken: (config) => resolveApiTokens(config.apiTokens, config.dataDir).tokens[0]!,
    openJourneys: (config) => {
      const store = openEventStore(config);
      return Promise.resolve({ journeys: new JourneyService({ store }), close: () => store.close() });
    },
    stdout: process.stdout,
    stderr: process.stderr,
  };
  try {
    await buildProgram(runtime).parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`nudge: ${error.message}`);
      return 2;
    }
    if (error instanceof NudgeError) {
      console.error(`nudge: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
