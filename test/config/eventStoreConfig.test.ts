/**
 * Choosing the event store: given EVENT_STORE and KURRENTDB_URL, then the event store Nudge opens
 * (or a ConfigError that names the variable and never shows a password).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.ts';
import { ConfigError } from '../../services/core/index.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected loadConfig to reject ${JSON.stringify(Object.keys(env))}`);
}

describe('the event store', () => {
  it('is the embedded SQLite file when nothing is set', () => {
    const config = loadConfig({});

    expect(config.eventStore).toEqual({ kind: 'sqlite', path: join(config.dataDir, 'events.db'), synchronous: 'full', writerThread: true });
  });

  it('is the KurrentDB server of KURRENTDB_URL with EVENT_STORE=kurrentdb', () => {
    const config = loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: ' kurrentdb://admin:changeit@kurrentdb:2113?tls=false ' });

    expect(config.eventStore).toEqual({ kind: 'kurrentdb', connectionString: 'kurrentdb://admin:changeit@kurrentdb:2113?tls=false' });
  });

  it.each([
    'kurrentdb://kurrentdb:2113?tls=false',
    'kurrentdb://node1:2113,node2:2113,node3:2113?tls=true&tlsVerifyCert=false',
    'kurrentdb+discover://cluster.example.com:2113',
    'kurrent://localhost',
    'esdb://localhost:2113?tls=false',
  ])('accepts the connection string %s', (url) => {
    expect(loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: url }).eventStore).toEqual({ kind: 'kurrentdb', connectionString: url });
  });

  it('with EVENT_STORE=kurrentdb, needs KURRENTDB_URL and says so', () => {
    expect(configError({ EVENT_STORE: 'kurrentdb' }).message).toMatch(/KURRENTDB_URL: must name the KurrentDB server .* when EVENT_STORE=kurrentdb/);
  });

  it('refuses a store it does not know, naming EVENT_STORE', () => {
    expect(configError({ EVENT_STORE: 'postgres' }).message).toMatch(/EVENT_STORE: .*"postgres"/);
  });

  it.each(['http://kurrentdb:2113', 'kurrentdb://', 'kurrentdb://kurrentdb:port', 'kurrentdb://a b:2113'])('refuses the connection string %s, naming KURRENTDB_URL', (url) => {
    expect(configError({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: url }).message).toMatch(/KURRENTDB_URL: must be kurrentdb:\/\//);
  });

  it('shows a refused connection string without its password', () => {
    const error = configError({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://admin:hunter2@kurrentdb:notaport' });

    expect(error.message).toContain('(got "kurrentdb://***@kurrentdb:notaport")');
    expect(error.message).not.toContain('hunter2');
  });
});
