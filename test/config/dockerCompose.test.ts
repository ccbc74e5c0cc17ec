/**
 * docker-compose.yml cannot be started here (no container engine), so its Nudge services are
 * checked the way Nudge would read them: each one's environment (with compose's ${VAR:-default}
 * filled in) must load as a configuration, and its command must name roles `nudge serve` knows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, roles } from '../../services/config/index.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(import.meta.dirname, '..', '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const nudgeServices = Object.entries(compose.services).filter(([, service]) => service.build === '.');

/** Compose's interpolation, with every variable unset: ${NAME:-default} → default. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\{[A-Z_]+\}/g, '');
}

describe('docker-compose.yml', () => {
  it('runs Kafka, KurrentDB, ClickHouse, a mail catcher and Nudge as an API, two ingest workers, a runner and two projector shards with the scorer', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'clickhouse', 'ingest-worker-1', 'ingest-worker-2', 'kafka', 'kurrentdb', 'mailpit', 'projector-1', 'projector-2', 'runner']);
    expect(nudgeServices.map(([name, service]) => `${name}: ${service.command?.join(' ')}`)).toEqual([
      'api: serve --role api',
      'ingest-worker-1: serve --role ingest-worker',
      'ingest-worker-2: serve --role ingest-worker',
      'runner: serve --role runner',
      'projector-1: serve --role projector,scorer',
      'projector-2: serve --role projector,scorer',
    ]);
  });

  it("gives every Nudge service a configuration Nudge accepts, on Kafka, KurrentDB and the ClickHouse server, with roles it knows", () => {
    for (const [name, service] of nudgeServices) {
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]));
      const config = loadConfig(env);
      expect(config.ingestLog, name).toMatchObject({ kind: 'kafka', brokers: ['kafka:9092'] });
      expect(config.eventStore, name).toEqual({ kind: 'kurrentdb', connectionString: 'kurrentdb://kurrentdb:2113?tls=false' });
      expect(config.analytics.url, name).toBe('http://nudge:nudge@clickhouse:8123');
      expect(config.dataDir, name).toBe('/data');
      const asked = service.command![service.command!.indexOf('--role') + 1]!.split(',');
      for (const role of asked) expect(roles as readonly string[], name).toContain(role);
    }
  });

  it('divides the projection between the two projectors, shard 1 of 2 and shard 2 of 2, and no other service projects a shard', () => {
    const shards = nudgeServices.map(([name, service]) => [name, loadConfig(Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]))).projectorShard] as const);
    expect(shards.filter(([, shard]) => shard !== undefined)).toEqual([
      ['projector-1', { index: 0, count: 2 }],
      ['projector-2', { index: 1, count: 2 }],
    ]);
  });

  it('starts Nudge only once Kafka, KurrentDB and ClickHouse answer their health checks, and checks Nudge the same way', () => {
    for (const [name, service] of nudgeServices) {
      expect(service.depends_on, name).toMatchObject({ kafka: { condition: 'service_healthy' }, kurrentdb: { condition: 'service_healthy' }, clickhouse: { condition: 'service_healthy' } });
      expect(service.healthcheck?.test.join(' '), name).toContain('/health/ready');
    }
    expect(compose.services.kafka?.healthcheck).toBeDefined();
    expect(compose.services.kurrentdb?.healthcheck?.test.join(' ')).toContain('/health/live');
    expect(compose.services.clickhouse?.healthcheck).toBeDefined();
    expect(Object.keys(compose.volumes).sort()).toEqual(['clickhouse-data', 'kafka-data', 'kurrentdb-data', 'nudge-data']);
  });
});
