import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/index.ts';

/**
 * All configuration, as one schema over environment variables, read once by the composition
 * root. With no variable set, everything runs embedded: data under ./data, the API on
 * 127.0.0.1:8080, a generated API token.
 */
const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

/** Whole numbers written as digits only: "1e3" or "0x1F90" are typos, not numbers, in a config file. */
const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER, message = `must be a whole number ≥ ${min}`) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().int(message).min(min, message).max(max, message));

const port = wholeNumber(0, 65_535, 'must be a port number from 0 to 65535');

/** `<shard>/<count>` (1-based, like 2/4) as a 0-based shard: how runners and projectors divide the leads. */
const shardSpec = z
  .string()
  .trim()
  .regex(/^\d+\/\d+$/, 'must be <shard>/<count>, like 2/4')
  .transform((value) => {
    const [index, count] = value.split('/').map(Number) as [number, number];
    return { index: index - 1, count };
  })
  .refine((shard) => shard.count >= 1 && shard.index >= 0 && shard.index < shard.count, 'must be <shard>/<count> with 1 ≤ shard ≤ count, like 2/4');

export const environmentSchema = z.object({
  NUDGE_DATA_DIR: z.string().min(1).default('./data').describe('Folder for the embedded event store and generated secrets'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface the HTTP API listens on'),
  PORT: port.default(8080).describe('Port the HTTP API listens on (0 picks a free one)'),
  NUDGE_API_TOKENS: commaList
    .pipe(z.array(z.string().min(16, 'each token must be at least 16 characters')))
    .optional()
    .describe('Comma-separated bearer tokens for the API; when unset in embedded mode one is generated'),
  NUDGE_SQLITE_SYNCHRONOUS: z
    .enum(['full', 'normal'])
    .default('full')
    .describe('full: fsync every commit (survives power loss); normal: survives a killed process only'),
  NUDGE_SQLITE_WRITER_THREAD: z
    .enum(['on', 'off'])
    .default('on')
    .describe('on: the SQLite event store commits on a thread of its own, beside the event loop; off: on the event loop'),
  EVENT_STORE: z
    .enum(['sqlite', 'kurrentdb'])
    .default('sqlite')
    .describe('sqlite: the embedded store, <data dir>/events.db (processes on one host); kurrentdb: a KurrentDB server (KURRENTDB_URL) shared by processes on any host, checkpoints included'),
  KURRENTDB_URL: z
    .string()
    .trim()
    .refine(isKurrentDbUrl, 'must be kurrentdb://[user:password@]host[:port][,host[:port]…][?tls=false&…] (or kurrentdb+discover://…)')
    .optional()
    .describe('KurrentDB connection string, e.g. kurrentdb://kurrentdb:2113?tls=false; required with EVENT_STORE=kurrentdb (KurrentDB 25.1 or later)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Least severe log level written'),
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto').describe('auto: pretty on a terminal, JSON otherwise'),
  NUDGE_SHUTDOWN_GRACE_MS: wholeNumber(0).default(10_000).describe('How long shutdown waits for requests in flight'),
  NUDGE_BODY_LIMIT_BYTES: wholeNumber(1_024).default(1_048_576).describe('Largest request body the API accepts (ingestion has its own limits)'),
  NUDGE_WRITE_KEYS: commaList
    .pipe(z.array(z.string().min(8, 'each write key must be at least 8 characters')))
    .optional()
    .describe('Comma-separated Segment write keys accepted by ingestion; when unset one is generated'),
  NUDGE_INGEST_RATE_LIMIT: wholeNumber(0).default(2_000).describe('Ingestion requests per second allowed per write key (0: no limit)'),
  NUDGE_INGEST_MAX_QUEUED: wholeNumber(100, 10_000_000)
    .default(20_000)
    .describe('Most messages waiting to be stored; beyond, ingestion answers 503 with Retry-After (Segment libraries send again) instead of queueing'),
  NUDGE_CHANNEL_RULES: z.string().min(1).optional().describe('JSON file of channel rules replacing the shipped ones (docs/channels.md)'),
  NUDGE_LIFECYCLE_STAGES: commaList
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'each stage must be lower_snake_case')).min(2, 'must name at least two stages'))
    .optional()
    .describe('Ordered lifecycle stages (default: subscriber,lead,mql,sql,opportunity,customer)'),
  NUDGE_LEAD_STATUSES: commaList
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'each status must be lower_snake_case')).min(1))
    .optional()
    .describe('Lead statuses (default: new,attempting,connected,qualified,unqualified,bad_timing)'),
  NUDGE_FREE_MAIL_DOMAINS: commaList
    .pipe(z.array(z.string().regex(/^\+?[a-z0-9.-]+\.[a-z]{2,}$/i, 'each entry must be a domain like gmail.com')))
    .optional()
    .describe('Free-mail domains that never form accounts, replacing the shipped list; start with + to add to it'),
  NUDGE_JOURNEY_LIBRARY: z
    .enum(['load', 'skip'])
    .default('load')
    .describe('load: on first start (no journey saved yet) save and publish the shipped journeys; skip: start with none'),
  NUDGE_JOURNEY_RUNNER: z.enum(['on', 'off']).default('on').describe('on: nudge serve runs the published journeys; off: the API only'),
  NUDGE_RUNNER_THREAD: z
    .enum(['on', 'off'])
    .default('on')
    .describe('on: with the SQLite store, the journey runner and the lead router run on a thread of their own beside the API and ingestion; off: on the event loop'),
  NUDGE_ROUTING: z.enum(['on', 'off']).default('on').describe('on: nudge serve gives each new lead an owner by the routing rules; off: owners come from people and tracking calls only'),
  NUDGE_DIGEST_HOUR: wholeNumber(0, 23, 'must be an hour from 0 to 23').default(8).describe("Local hour (in each rep's time zone) from which the morning digest goes out, until noon"),
  NUDGE_SUGGESTION_MERGE_HOURS: wholeNumber(0)
    .default(24)
    .describe('The same action for the same lead from two journeys within this many hours becomes one suggestion (0: never merge)'),
  NUDGE_ROUTING_RULES: z.string().min(1).optional().describe('YAML file of routing rules replacing the shipped ones (docs/reps-and-routing.md)'),
  SMTP_URL: z
    .string()
    .trim()
    .refine(isSmtpUrl, 'must be smtp://[user:pass@]host[:port] or smtps://…')
    .optional()
    .describe('SMTP server approved emails go through (smtp:// upgrades with STARTTLS, smtps:// is TLS); unset: .eml files in <data dir>/outbox'),
  NUDGE_MAIL_FROM_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a domain like mail.example.com')
    .default('nudge.local')
    .describe('Domain of the Message-IDs of sent emails (<suggestion-id@domain>)'),
  NUDGE_UNSUBSCRIBE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('http://127.0.0.1:8080/unsubscribe')
    .describe("Base of the unsubscribe link in every email's List-Unsubscribe header and footer"),
  CLICKHOUSE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://user:password@clickhouse:8123' })
    .optional()
    .describe('ClickHouse server for projections and analytics; unset: chDB, the same engine in-process, in <data dir>/clickhouse'),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be letters, digits and _ (a ClickHouse identifier)')
    .default('nudge')
    .describe('ClickHouse database the projection tables live in'),
  CLICKHOUSE_CLUSTER: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.{}-]{1,128}$/, 'must be a cluster name of remote_servers (letters, digits, _ . -) or a macro like {cluster}')
    .optional()
    .describe('ClickHouse cluster (needs CLICKHOUSE_URL): migrations run ON CLUSTER and create Replicated tables (docs/scale.md)'),
  NUDGE_PROJECTOR: z.enum(['on', 'off']).default('on').describe('on: nudge serve projects the event store into ClickHouse for analytics; off: another process does'),
  NUDGE_PROJECTOR_THREAD: z
    .enum(['on', 'off'])
    .default('on')
    .describe('on: with the SQLite store, the analytics projector reads and encodes on a thread of its own and hands its inserts to the engine; off: on the event loop'),
  NUDGE_PROJECTOR_SHARD: shardSpec
    .optional()
    .describe("This projector's share of the events when several projectors divide them: shard/count, e.g. 2/3 (leads by hash of their id, as the runners)"),
  NUDGE_SCORING_MODEL: z.string().min(1).optional().describe('YAML lead-scoring model replacing the shipped one (docs/scoring.md)'),
  NUDGE_SCORER: z.enum(['on', 'off']).default('on').describe('on: nudge serve scores every lead and records LeadScoreChanged when a band or the total moves; off: another process does'),
  NUDGE_SCORER_INTERVAL_SECONDS: wholeNumber(1, 86_400).default(60).describe('How often the scorer scores every lead again (scores decay with time)'),
  NUDGE_SQL_MAX_ROWS: wholeNumber(1, 1_000_000).default(10_000).describe('Most rows an analyst SQL query (nudge sql, POST /v1/analytics/sql) returns'),
  NUDGE_SQL_TIMEOUT_SECONDS: wholeNumber(1, 3_600).default(30).describe('Longest an analyst SQL query may run'),
  INGEST_LOG: z
    .enum(['direct', 'kafka'])
    .default('direct')
    .describe('direct: the API appends accepted messages to the event store; kafka: it publishes them to KAFKA_INGEST_TOPIC and ingest workers store them'),
  KAFKA_BROKERS: commaList
    .pipe(z.array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'must name at least one broker'))
    .optional()
    .describe('Comma-separated Kafka bootstrap brokers (host:port); required with INGEST_LOG=kafka'),
  KAFKA_CLIENT_ID: z.string().min(1).default('nudge').describe('Kafka client id of this process'),
  KAFKA_INGEST_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name').default('nudge.ingest').describe('Topic the API publishes accepted messages to (CloudEvents, binary mode)'),
  KAFKA_DEAD_LETTER_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name')
    .default('nudge.ingest.dead-letter')
    .describe('Topic records that cannot be stored go to, with the error and their source offset'),
  KAFKA_GROUP_ID: z.string().min(1).default('nudge-ingest').describe('Consumer group of the ingest workers'),
  KAFKA_INGEST_PARTITIONS: wholeNumber(1, 10_000).default(12).describe('Partitions of the ingest topic when Nudge creates it (an existing topic is left as it is)'),
  NUDGE_ROLES: z
    .string()
    .default('all')
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
    .pipe(z.array(z.enum(['all', 'api', 'ingest-worker', 'runner', 'projector', 'scorer'], 'each role must be all, api, ingest-worker, runner, projector or scorer')).min(1, 'must name a role'))
    .describe('What nudge serve runs: all, or some of api, ingest-worker, runner, projector, scorer (--role overrides)'),
  NUDGE_RUNNER_SHARD: shardSpec
    .optional()
    .describe('This runner\'s share of the leads when several runners divide them: shard/count, e.g. 2/4 (leads by hash of their id)'),
  NUDGE_DEMO: z
    .enum(['on', 'off'])
    .default('off')
    .describe('on: nudge serve loads a demo company (reps, leads, 180 days of history, ad spend) into an empty data folder first; npm start turns it on (nudge serve --demo)'),
  NUDGE_DEMO_LEADS: wholeNumber(1, 100_000, 'must be a whole number from 1 to 100000').default(3_000).describe('How many leads the demo company has'),
});

export type Environment = z.infer<typeof environmentSchema>;
export const roles = ['all', 'api', 'ingest-worker', 'runner', 'projector', 'scorer'] as const;
export type Role = (typeof roles)[number];

export interface Config {
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number; readonly bodyLimitBytes: number };
  readonly apiTokens: readonly string[] | undefined;
  /** Where events live: the embedded SQLite file, or a KurrentDB server every process shares (docs/scale.md). */
  readonly eventStore:
    | { readonly kind: 'sqlite'; readonly path: string; readonly synchronous: 'full' | 'normal'; readonly writerThread: boolean }
    | { readonly kind: 'kurrentdb'; readonly connectionString: string };
  readonly log: { readonly level: Environment['LOG_LEVEL']; readonly format: Environment['LOG_FORMAT'] };
  readonly shutdownGraceMs: number;
  readonly ingest: {
    readonly writeKeys: readonly string[] | undefined;
    readonly rateLimitPerSecond: number;
    readonly maxQueued: number;
    readonly channelRulesFile: string | undefined;
    readonly leadIndexPath: string;
    readonly quarantinePath: string;
  };
  readonly journeys: {
    readonly loadLibrary: boolean;
    readonly runner: boolean;
    /** The journey runner and the lead router on a worker thread of their own (SQLite store only). */
    readonly runnerThread: boolean;
    /** Where subscribers (the journey runner, later the projector) keep their checkpoints; with KurrentDB, in KurrentDB instead. */
    readonly checkpointsPath: string;
  };
  /** The lead router (checkpoint in `journeys.checkpointsPath`); `rulesFile` undefined: the shipped rules. */
  readonly routing: { readonly enabled: boolean; readonly rulesFile: string | undefined };
  readonly suggestions: { readonly digestHour: number; readonly mergeWindowMs: number };
  readonly mail: {
    /** Set: send through this SMTP server; undefined: write .eml files into `outboxDir`. */
    readonly smtpUrl: string | undefined;
    readonly outboxDir: string;
    readonly messageIdDomain: string;
    readonly unsubscribeUrl: string;
  };
  readonly analytics: {
    /** Set: a ClickHouse server; undefined: chDB in `embeddedPath`. */
    readonly url: string | undefined;
    readonly embeddedPath: string;
    readonly database: string;
    /** Set (with `url`): a ClickHouse cluster; migrations run ON CLUSTER with Replicated engines. */
    readonly cluster: string | undefined;
    readonly projector: boolean;
    /** With the SQLite store: the projector on a thread of its own (the engine stays on the main thread). */
    readonly projectorThread: boolean;
    /** undefined: the shipped model. */
    readonly scoringModelFile: string | undefined;
    readonly scorer: boolean;
    readonly scorerIntervalMs: number;
    readonly sqlMaxRows: number;
    readonly sqlTimeoutSeconds: number;
  };
  /** `kafka`: the API publishes to the ingest log and ingest workers store (docs/scale.md). */
  readonly ingestLog:
    | { readonly kind: 'direct' }
    | {
        readonly kind: 'kafka';
        readonly brokers: readonly string[];
        readonly clientId: string;
        readonly topic: string;
        readonly deadLetterTopic: string;
        readonly groupId: string;
        readonly partitions: number;
      };
  /** What `nudge serve` runs (docs/scale.md). */
  readonly roles: readonly Role[];
  /** This runner's share of the leads (0-based index); undefined: all of them. */
  readonly runnerShard: { readonly index: number; readonly count: number } | undefined;
  /** This projector's share of the events (0-based index); undefined: all of them, as the one projector. */
  readonly projectorShard: { readonly index: number; readonly count: number } | undefined;
  /** The demo company loaded into an empty data folder (`demo.json` there records the load). */
  readonly demo: { readonly enabled: boolean; readonly leads: number; readonly days: number; readonly seed: number; readonly markerPath: string };
  readonly leads: {
    readonly stages: readonly string[] | undefined;
    readonly statuses: readonly string[] | undefined;
    /** Replaces the shipped list, or (`add`) extends it. */
    readonly freeMailDomains: { readonly mode: 'replace' | 'add'; readonly domains: readonly string[] } | undefined;
  };
}

/**
 * Reads configuration from the environment; a bad value throws ConfigError naming the variable:
 *   const config = loadConfig(process.env);
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const relevant = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .map((name) => [name, env[name]] as const)
      .filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const shown = env[variable] === undefined ? '' : ` (got ${JSON.stringify(redactIfSecret(variable, env[variable]))})`;
      return `  ${variable}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  if (e.CLICKHOUSE_CLUSTER !== undefined && e.CLICKHOUSE_URL === undefined) {
    throw new ConfigError('invalid configuration:\n  CLICKHOUSE_CLUSTER: needs CLICKHOUSE_URL (the embedded engine, chDB, is one process, not a cluster)');
  }
  if (e.INGEST_LOG === 'kafka' && e.KAFKA_BROKERS === undefined) {
    throw new ConfigError('invalid configuration:\n  KAFKA_BROKERS: must name the Kafka brokers (host:port,…) when INGEST_LOG=kafka');
  }
  if (e.EVENT_STORE === 'kurrentdb' && e.KURRENTDB_URL === undefined) {
    throw new ConfigError('invalid configuration:\n  KURRENTDB_URL: must name the KurrentDB server (kurrentdb://host:2113?tls=false) when EVENT_STORE=kurrentdb');
  }
  const dataDir = resolve(e.NUDGE_DATA_DIR);
  return {
    dataDir,
    http: { host: e.HOST, port: e.PORT, bodyLimitBytes: e.NUDGE_BODY_LIMIT_BYTES },
    apiTokens: e.NUDGE_API_TOKENS,
    eventStore:
      e.EVENT_STORE === 'kurrentdb' && e.KURRENTDB_URL !== undefined
        ? { kind: 'kurrentdb', connectionString: e.KURRENTDB_URL }
        : { kind: 'sqlite', path: resolve(dataDir, 'events.db'), synchronous: e.NUDGE_SQLITE_SYNCHRONOUS, writerThread: e.NUDGE_SQLITE_WRITER_THREAD === 'on' },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    shutdownGraceMs: e.NUDGE_SHUTDOWN_GRACE_MS,
    ingest: {
      writeKeys: e.NUDGE_WRITE_KEYS,
      rateLimitPerSecond: e.NUDGE_INGEST_RATE_LIMIT,
      maxQueued: e.NUDGE_INGEST_MAX_QUEUED,
      channelRulesFile: e.NUDGE_CHANNEL_RULES === undefined ? undefined : resolve(e.NUDGE_CHANNEL_RULES),
      leadIndexPath: resolve(dataDir, 'leads.db'),
      quarantinePath: resolve(dataDir, 'quarantine.db'),
    },
    journeys: {
      loadLibrary: e.NUDGE_JOURNEY_LIBRARY === 'load',
      runner: e.NUDGE_JOURNEY_RUNNER === 'on',
      runnerThread: e.NUDGE_RUNNER_THREAD === 'on',
      checkpointsPath: resolve(dataDir, 'checkpoints.db'),
    },
    routing: { enabled: e.NUDGE_ROUTING === 'on', rulesFile: e.NUDGE_ROUTING_RULES === undefined ? undefined : resolve(e.NUDGE_ROUTING_RULES) },
    suggestions: { digestHour: e.NUDGE_DIGEST_HOUR, mergeWindowMs: e.NUDGE_SUGGESTION_MERGE_HOURS * 3_600_000 },
    mail: {
      smtpUrl: e.SMTP_URL,
      outboxDir: resolve(dataDir, 'outbox'),
      messageIdDomain: e.NUDGE_MAIL_FROM_DOMAIN,
      unsubscribeUrl: e.NUDGE_UNSUBSCRIBE_URL,
    },
    analytics: {
      url: e.CLICKHOUSE_URL,
      embeddedPath: resolve(dataDir, 'clickhouse'),
      database: e.CLICKHOUSE_DATABASE,
      cluster: e.CLICKHOUSE_CLUSTER,
      projector: e.NUDGE_PROJECTOR === 'on',
      projectorThread: e.NUDGE_PROJECTOR_THREAD === 'on',
      scoringModelFile: e.NUDGE_SCORING_MODEL === undefined ? undefined : resolve(e.NUDGE_SCORING_MODEL),
      scorer: e.NUDGE_SCORER === 'on',
      scorerIntervalMs: e.NUDGE_SCORER_INTERVAL_SECONDS * 1_000,
      sqlMaxRows: e.NUDGE_SQL_MAX_ROWS,
      sqlTimeoutSeconds: e.NUDGE_SQL_TIMEOUT_SECONDS,
    },
    roles: e.NUDGE_ROLES,
    runnerShard: e.NUDGE_RUNNER_SHARD,
    projectorShard: e.NUDGE_PROJECTOR_SHARD,
    ingestLog:
      e.INGEST_LOG === 'kafka'
        ? {
            kind: 'kafka',
            brokers: e.KAFKA_BROKERS ?? [],
            clientId: e.KAFKA_CLIENT_ID,
            topic: e.KAFKA_INGEST_TOPIC,
            deadLetterTopic: e.KAFKA_DEAD_LETTER_TOPIC,
            groupId: e.KAFKA_GROUP_ID,
            partitions: e.KAFKA_INGEST_PARTITIONS,
          }
        : { kind: 'direct' },
    demo: { enabled: e.NUDGE_DEMO === 'on', leads: e.NUDGE_DEMO_LEADS, days: 180, seed: 1, markerPath: resolve(dataDir, 'demo.json') },
    leads: {
      stages: e.NUDGE_LIFECYCLE_STAGES,
      statuses: e.NUDGE_LEAD_STATUSES,
      freeMailDomains: freeMail(env.NUDGE_FREE_MAIL_DOMAINS, e.NUDGE_FREE_MAIL_DOMAINS),
    },
  };
}

function freeMail(raw: string | undefined, domains: readonly string[] | undefined): Config['leads']['freeMailDomains'] {
  if (raw === undefined || domains === undefined) return undefined;
  const add = raw.trim().startsWith('+');
  return { mode: add ? 'add' : 'replace', domains: domains.map((domain) => domain.replace(/^\+/, '').toLowerCase()) };
}

/** smtp:// or smtps:// naming a host: the URL form nodemailer reads. */
function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * A KurrentDB connection string as its client reads it: kurrentdb://, kurrent://, kdb:// (or the
 * deprecated esdb://), `+discover` for DNS discovery, optional user:password@, then one or more
 * host[:port] separated by commas, then ?key=value options.
 */
function isKurrentDbUrl(value: string): boolean {
  const match = /^(?:kurrentdb|kurrent|kdb|esdb)(?:\+discover)?:\/\/(?:[^:@/?]+:[^@/?]+@)?([^@/?]+)\/?(?:\?[^?]*)?$/.exec(value);
  return match !== null && match[1]!.split(',').every((host) => /^[^\s:,]+(?::\d{1,5})?$/.test(host.trim()));
}

function redactIfSecret(variable: string, value: string | undefined): string | undefined {
  // A URL may carry credentials: show the rest, so that a typo in it can be seen.
  if (variable === 'SMTP_URL' || variable === 'CLICKHOUSE_URL' || variable === 'KURRENTDB_URL') return value?.replace(/^(.*?:\/*)?.*@/, (_, scheme: string | undefined) => `${scheme ?? ''}***@`);
  return /TOKEN|KEY|SECRET|PASSWORD/.test(variable) ? '***' : value;
}

/** The variables, their defaults and descriptions: printed by `nudge config` and kept in README. */
export function describeEnvironment(): { name: string; default: string; description: string }[] {
  return Object.entries(environmentSchema.shape).map(([name, schema]) => {
    const parsed = (schema as z.ZodType).safeParse(undefined);
    return {
      name,
      default: !parsed.success || parsed.data === undefined ? '' : Array.isArray(parsed.data) ? parsed.data.join(',') : JSON.stringify(parsed.data).replace(/^"|"$/g, ''),
      description: (schema as z.ZodType).description ?? '',
    };
  });
}
