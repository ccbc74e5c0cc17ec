/**
 * Configuration from the environment: given these variables, when the config is loaded, then
 * this config (or a ConfigError that names each bad variable and never shows a secret).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEnvironment, environmentSchema, loadConfig } from '../../services/config/index.ts';
import { ConfigError } from '../../services/core/index.ts';

const LONG_TOKEN = 'abcdefghijklmnop-0123456789';
const OTHER_TOKEN = 'qrstuvwxyz-9876543210-token';

/** The ConfigError loadConfig throws for `env`; fails the test when it throws nothing or something else. */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected loadConfig to reject ${JSON.stringify(Object.keys(env))}`);
}

describe('configuration defaults', () => {
  it('runs embedded with no variables set: ./data made absolute, 127.0.0.1:8080, fsync on every commit', () => {
    const config = loadConfig({});

    expect(isAbsolute(config.dataDir)).toBe(true);
    expect(config.dataDir).toBe(resolve(process.cwd(), 'data'));
    expect(config).toEqual({
      dataDir: config.dataDir,
      http: { host: '127.0.0.1', port: 8080, bodyLimitBytes: 1_048_576 },
      apiTokens: undefined,
      eventStore: { kind: 'sqlite', path: join(config.dataDir, 'events.db'), synchronous: 'full', writerThread: true },
      log: { level: 'info', format: 'auto' },
      shutdownGraceMs: 10_000,
      ingest: {
        writeKeys: undefined,
        rateLimitPerSecond: 2000,
        maxQueued: 20_000,
        channelRulesFile: undefined,
        leadIndexPath: join(config.dataDir, 'leads.db'),
        quarantinePath: join(config.dataDir, 'quarantine.db'),
      },
      journeys: { loadLibrary: true, runner: true, runnerThread: true, checkpointsPath: join(config.dataDir, 'checkpoints.db') },
      routing: { enabled: true, rulesFile: undefined },
      suggestions: { digestHour: 8, mergeWindowMs: 86_400_000 },
      mail: {
        smtpUrl: undefined,
        outboxDir: join(config.dataDir, 'outbox'),
        messageIdDomain: 'nudge.local',
        unsubscribeUrl: 'http://127.0.0.1:8080/unsubscribe',
      },
      analytics: { url: undefined, embeddedPath: join(config.dataDir, 'clickhouse'), database: 'nudge', cluster: undefined, projector: true, projectorThread: true, scoringModelFile: undefined, scorer: true, scorerIntervalMs: 60_000, sqlMaxRows: 10_000, sqlTimeoutSeconds: 30 },
      roles: ['all'],
      runnerShard: undefined,
      projectorShard: undefined,
      ingestLog: { kind: 'direct' },
      demo: { enabled: false, leads: 3_000, days: 180, seed: 1, markerPath: join(config.dataDir, 'demo.json') },
      leads: { stages: undefined, statuses: undefined, freeMailDomains: undefined },
    });
  });

  it('treats variables set to the empty string as unset', () => {
    const config = loadConfig({
      NUDGE_DATA_DIR: '',
      HOST: '',
      PORT: '',
      NUDGE_API_TOKENS: '',
      NUDGE_SQLITE_SYNCHRONOUS: '',
      LOG_LEVEL: '',
      LOG_FORMAT: '',
      NUDGE_SHUTDOWN_GRACE_MS: '',
      NUDGE_BODY_LIMIT_BYTES: '',
      NUDGE_WRITE_KEYS: '',
      NUDGE_INGEST_RATE_LIMIT: '',
      NUDGE_CHANNEL_RULES: '',
      NUDGE_LIFECYCLE_STAGES: '',
      NUDGE_LEAD_STATUSES: '',
      NUDGE_FREE_MAIL_DOMAINS: '',
      NUDGE_ROUTING: '',
      NUDGE_ROUTING_RULES: '',
      SMTP_URL: '',
      NUDGE_MAIL_FROM_DOMAIN: '',
      NUDGE_UNSUBSCRIBE_URL: '',
    });

    expect(config).toEqual(loadConfig({}));
  });

  it('treats a variable of only spaces as unset rather than as zero', () => {
    const config = loadConfig({ PORT: '  ', NUDGE_SHUTDOWN_GRACE_MS: ' ' });

    expect(config.http.port).toBe(8080);
    expect(config.shutdownGraceMs).toBe(10_000);
  });

  it('ignores variables it does not know', () => {
    const config = loadConfig({ PATH: '/usr/bin', NUDGE_UNKNOWN: 'x', port: 'not-a-port' });

    expect(config).toEqual(loadConfig({}));
  });
});

describe('configuration overrides', () => {
  it('takes every variable from the environment, coercing numbers', () => {
    const config = loadConfig({
      NUDGE_DATA_DIR: '/srv/nudge',
      HOST: '0.0.0.0',
      PORT: '9090',
      NUDGE_API_TOKENS: LONG_TOKEN,
      NUDGE_SQLITE_SYNCHRONOUS: 'normal',
      NUDGE_SQLITE_WRITER_THREAD: 'off',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      NUDGE_SHUTDOWN_GRACE_MS: '2500',
      NUDGE_BODY_LIMIT_BYTES: '4096',
      NUDGE_WRITE_KEYS: 'wk-site-1234, wk-server-5678',
      NUDGE_INGEST_RATE_LIMIT: '50',
      NUDGE_CHANNEL_RULES: '/etc/nudge/channels.json',
      NUDGE_LIFECYCLE_STAGES: 'lead,mql,customer',
      NUDGE_LEAD_STATUSES: 'open,closed',
      NUDGE_FREE_MAIL_DOMAINS: 'Mail.Example.org',
      NUDGE_JOURNEY_LIBRARY: 'skip',
      NUDGE_JOURNEY_RUNNER: 'off',
      NUDGE_RUNNER_THREAD: 'off',
      NUDGE_ROUTING: 'off',
      NUDGE_ROUTING_RULES: '/etc/nudge/routing.yaml',
      NUDGE_DIGEST_HOUR: '7',
      NUDGE_SUGGESTION_MERGE_HOURS: '0',
      SMTP_URL: 'smtp://nudge:secret@mail.example.com:587?requireTLS=true',
      NUDGE_MAIL_FROM_DOMAIN: 'Mail.Example.com',
      NUDGE_UNSUBSCRIBE_URL: 'https://nudge.example.com/unsubscribe',
      CLICKHOUSE_URL: 'http://nudge:secret@clickhouse:8123',
      CLICKHOUSE_DATABASE: 'analytics_eu',
      CLICKHOUSE_CLUSTER: 'nudge_cluster',
      NUDGE_PROJECTOR: 'off',
      NUDGE_SCORING_MODEL: '/etc/nudge/scoring.yaml',
      NUDGE_SCORER: 'off',
      NUDGE_SCORER_INTERVAL_SECONDS: '300',
      NUDGE_SQL_MAX_ROWS: '500',
      NUDGE_SQL_TIMEOUT_SECONDS: '12',
      NUDGE_INGEST_MAX_QUEUED: '5000',
      NUDGE_DEMO: 'on',
      NUDGE_DEMO_LEADS: '500',
      INGEST_LOG: 'kafka',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_CLIENT_ID: 'nudge-api',
      KAFKA_INGEST_TOPIC: 'touches',
      KAFKA_DEAD_LETTER_TOPIC: 'touches.dlq',
      KAFKA_GROUP_ID: 'workers',
      KAFKA_INGEST_PARTITIONS: '24',
      NUDGE_ROLES: 'api, scorer',
      NUDGE_RUNNER_SHARD: '2/4',
      NUDGE_PROJECTOR_SHARD: '3/3',
      NUDGE_PROJECTOR_THREAD: 'off',
    });

    expect(config).toEqual({
      dataDir: '/srv/nudge',
      http: { host: '0.0.0.0', port: 9090, bodyLimitBytes: 4096 },
      apiTokens: [LONG_TOKEN],
      eventStore: { kind: 'sqlite', path: '/srv/nudge/events.db', synchronous: 'normal', writerThread: false },
      log: { level: 'debug', format: 'json' },
      shutdownGraceMs: 2500,
      ingest: {
        writeKeys: ['wk-site-1234', 'wk-server-5678'],
        rateLimitPerSecond: 50,
        maxQueued: 5_000,
        channelRulesFile: '/etc/nudge/channels.json',
        leadIndexPath: '/srv/nudge/leads.db',
        quarantinePath: '/srv/nudge/quarantine.db',
      },
      journeys: { loadLibrary: false, runner: false, runnerThread: false, checkpointsPath: '/srv/nudge/checkpoints.db' },
      routing: { enabled: false, rulesFile: '/etc/nudge/routing.yaml' },
      suggestions: { digestHour: 7, mergeWindowMs: 0 },
      mail: {
        smtpUrl: 'smtp://nudge:secret@mail.example.com:587?requireTLS=true',
        outboxDir: '/srv/nudge/outbox',
        messageIdDomain: 'mail.example.com',
        unsubscribeUrl: 'https://nudge.example.com/unsubscribe',
      },
      analytics: { url: 'http://nudge:secret@clickhouse:8123', embeddedPath: '/srv/nudge/clickhouse', database: 'analytics_eu', cluster: 'nudge_cluster', projector: false, projectorThread: false, scoringModelFile: '/etc/nudge/scoring.yaml', scorer: false, scorerIntervalMs: 300_000, sqlMaxRows: 500, sqlTimeoutSeconds: 12 },
      roles: ['api', 'scorer'],
      runnerShard: { index: 1, count: 4 },
      projectorShard: { index: 2, count: 3 },
      ingestLog: { kind: 'kafka', brokers: ['kafka-1:9092', 'kafka-2:9092'], clientId: 'nudge-api', topic: 'touches', deadLetterTopic: 'touches.dlq', groupId: 'workers', partitions: 24 },
      demo: { enabled: true, leads: 500, days: 180, seed: 1, markerPath: '/srv/nudge/demo.json' },
      leads: {
        stages: ['lead', 'mql', 'customer'],
        statuses: ['open', 'closed'],
        freeMailDomains: { mode: 'replace', domains: ['mail.example.org'] },
      },
    });
  });

  it('resolves a relative data folder against the working directory', () => {
    const config = loadConfig({ NUDGE_DATA_DIR: 'var/nudge' });

    expect(config.dataDir).toBe(resolve(process.cwd(), 'var/nudge'));
    expect(config.eventStore).toMatchObject({ kind: 'sqlite', path: resolve(process.cwd(), 'var/nudge/events.db') });
  });

  it('adds to the shipped free-mail list when NUDGE_FREE_MAIL_DOMAINS starts with +', () => {
    const config = loadConfig({ NUDGE_FREE_MAIL_DOMAINS: '+corp-mail.io,+Inbox.example' });

    expect(config.leads.freeMailDomains).toEqual({ mode: 'add', domains: ['corp-mail.io', 'inbox.example'] });
  });

  it('rejects a lifecycle of one stage and a stage that is not lower_snake_case, naming each variable', () => {
    expect(configErrorFor({ NUDGE_LIFECYCLE_STAGES: 'lead' }).message).toContain('NUDGE_LIFECYCLE_STAGES: must name at least two stages');
    expect(configErrorFor({ NUDGE_LEAD_STATUSES: 'Open' }).message).toContain('NUDGE_LEAD_STATUSES');
  });

  it('rejects a write key shorter than 8 characters without showing it', () => {
    const error = configErrorFor({ NUDGE_WRITE_KEYS: 'short' });

    expect(error.message).toContain('NUDGE_WRITE_KEYS');
    expect(error.message).not.toContain('short"');
  });

  it('accepts PORT=0 to let the system pick a free port', () => {
    expect(loadConfig({ PORT: '0' }).http.port).toBe(0);
  });

  it('splits NUDGE_API_TOKENS on commas, trimming spaces and dropping empty items', () => {
    const config = loadConfig({ NUDGE_API_TOKENS: ` ${LONG_TOKEN} ,, ${OTHER_TOKEN},` });

    expect(config.apiTokens).toEqual([LONG_TOKEN, OTHER_TOKEN]);
  });
});

describe('configuration errors', () => {
  it('rejects a token shorter than 16 characters, naming the variable and redacting its value', () => {
    const error = configErrorFor({ NUDGE_API_TOKENS: `${LONG_TOKEN},tiny-secret` });

    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('NUDGE_API_TOKENS');
    expect(error.message).toContain('at least 16 characters');
    expect(error.message).toContain('"***"');
    expect(error.message).not.toContain('tiny-secret');
    expect(error.message).not.toContain(LONG_TOKEN);
  });

  it.each([
    ['PORT', 'abc', /PORT: must be a port number from 0 to 65535 \(got "abc"\)/],
    ['PORT', '70000', /PORT: must be a port number from 0 to 65535 \(got "70000"\)/],
    ['PORT', '-1', /PORT: must be a port number/],
    ['PORT', '80.5', /PORT: must be a port number/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: .*"loud"/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT: .*"xml"/],
    ['NUDGE_SQLITE_SYNCHRONOUS', 'off', /NUDGE_SQLITE_SYNCHRONOUS: .*"off"/],
    ['NUDGE_SHUTDOWN_GRACE_MS', '-5', /NUDGE_SHUTDOWN_GRACE_MS: must be a whole number ≥ 0/],
    ['NUDGE_BODY_LIMIT_BYTES', '100', /NUDGE_BODY_LIMIT_BYTES: must be a whole number ≥ 1024/],
    ['NUDGE_ROUTING', 'maybe', /NUDGE_ROUTING: .*"maybe"/],
  ])('rejects %s=%s with a ConfigError naming the variable and the value', (variable, value, expected) => {
    const error = configErrorFor({ [variable]: value });

    expect(error.message).toMatch(expected);
  });

  it('rejects an SMTP_URL that is not smtp:// or smtps://, showing it without its credentials', () => {
    const error = configErrorFor({ SMTP_URL: 'smpt://nudge:hunter2@mail.example.com:587' });

    expect(error.message).toContain('SMTP_URL: must be smtp://');
    expect(error.message).toContain('(got "smpt://***@mail.example.com:587")');
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['NUDGE_MAIL_FROM_DOMAIN', 'localhost', /NUDGE_MAIL_FROM_DOMAIN: must be a domain/],
    ['NUDGE_UNSUBSCRIBE_URL', 'mailto:unsubscribe@example.com', /NUDGE_UNSUBSCRIBE_URL: must be an http\(s\) URL/],
  ])('rejects %s=%s', (variable, value, expected) => {
    expect(configErrorFor({ [variable]: value }).message).toMatch(expected);
  });

  it('reports every bad variable in one error, one line each', () => {
    const error = configErrorFor({ PORT: 'abc', LOG_LEVEL: 'loud', NUDGE_API_TOKENS: 'short', HOST: '::1' });

    const lines = error.message.split('\n');
    expect(lines[0]).toBe('invalid configuration:');
    expect(lines.slice(1).map((line) => line.trim().split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'NUDGE_API_TOKENS', 'PORT']);
  });
});

describe('roles and shards', () => {
  it('refuses a role it does not know and a shard outside its count', () => {
    expect(() => loadConfig({ NUDGE_ROLES: 'api,chef' })).toThrow(/NUDGE_ROLES: each role must be/);
    expect(() => loadConfig({ NUDGE_RUNNER_SHARD: '5/4' })).toThrow(/NUDGE_RUNNER_SHARD: must be <shard>\/<count> with 1 ≤ shard ≤ count/);
    expect(() => loadConfig({ NUDGE_RUNNER_SHARD: 'half' })).toThrow(/NUDGE_RUNNER_SHARD: must be <shard>\/<count>, like 2\/4/);
  });

  it('reads NUDGE_PROJECTOR_SHARD as the runners’ shard/count, and refuses one that is not, naming the variable', () => {
    expect(loadConfig({ NUDGE_PROJECTOR_SHARD: ' 1/2 ' }).projectorShard).toEqual({ index: 0, count: 2 });
    expect(loadConfig({ NUDGE_PROJECTOR_SHARD: '1/1' }).projectorShard).toEqual({ index: 0, count: 1 });
    for (const bad of ['0/3', '4/3', '2/0']) expect(() => loadConfig({ NUDGE_PROJECTOR_SHARD: bad })).toThrow(/NUDGE_PROJECTOR_SHARD: must be <shard>\/<count> with 1 ≤ shard ≤ count/);
    for (const bad of ['2', 'two/3', '2-3', '-1/3', '1.5/3']) {
      const error = configErrorFor({ NUDGE_PROJECTOR_SHARD: bad });
      expect(error.message).toMatch(/NUDGE_PROJECTOR_SHARD: must be <shard>\/<count>, like 2\/4/);
      expect(error.message).toContain(`(got ${JSON.stringify(bad)})`);
    }
    // Each variable is read on its own: a runner shard says nothing of the projector's.
    expect(loadConfig({ NUDGE_RUNNER_SHARD: '2/4' }).projectorShard).toBeUndefined();
  });
});

describe('ClickHouse cluster', () => {
  it('takes CLICKHOUSE_CLUSTER with CLICKHOUSE_URL, a name or a macro', () => {
    expect(loadConfig({ CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_CLUSTER: '{cluster}' }).analytics.cluster).toBe('{cluster}');
  });

  it('refuses CLICKHOUSE_CLUSTER without CLICKHOUSE_URL (chDB is not a cluster) and a name that could not be one', () => {
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'nudge' })).toThrow(/CLICKHOUSE_CLUSTER: needs CLICKHOUSE_URL/);
    expect(() => loadConfig({ CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_CLUSTER: "nudge' OR 1" })).toThrow(/CLICKHOUSE_CLUSTER: must be a cluster name/);
  });
});

describe('the Kafka ingest log', () => {
  it('refuses INGEST_LOG=kafka without KAFKA_BROKERS, naming the variable', () => {
    expect(() => loadConfig({ INGEST_LOG: 'kafka' })).toThrow(/KAFKA_BROKERS: must name the Kafka brokers/);
  });

  it('refuses a broker that is not host:port', () => {
    expect(() => loadConfig({ INGEST_LOG: 'kafka', KAFKA_BROKERS: 'kafka' })).toThrow(/KAFKA_BROKERS: each broker must be host:port/);
  });
});

describe('describeEnvironment', () => {
  it('lists every variable the schema reads, with its default as text', () => {
    const described = describeEnvironment();

    expect(described.map((variable) => variable.name)).toEqual(Object.keys(environmentSchema.shape));
    const byName = new Map(described.map((variable) => [variable.name, variable]));
    expect(byName.get('PORT')).toMatchObject({ default: '8080' });
    expect(byName.get('PORT')?.description).toContain('Port');
    expect(byName.get('NUDGE_DATA_DIR')).toMatchObject({ default: './data' });
    expect(byName.get('HOST')).toMatchObject({ default: '127.0.0.1' });
    expect(byName.get('NUDGE_SQLITE_SYNCHRONOUS')).toMatchObject({ default: 'full' });
    expect(byName.get('NUDGE_API_TOKENS')).toMatchObject({ default: '' });
  });

  it("is the README's table: every variable with its default, and nothing the schema does not read", () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|/gm)].map((match) => ({ name: match[1]!, default: match[2]!.trim() }));

    expect(rows.map((row) => row.name).sort()).toEqual(Object.keys(environmentSchema.shape).sort());
    for (const variable of describeEnvironment().filter((v) => v.default !== '')) {
      expect(rows.find((row) => row.name === variable.name)?.default, variable.name).toBe(`\`${variable.default}\``);
    }
  });
});
