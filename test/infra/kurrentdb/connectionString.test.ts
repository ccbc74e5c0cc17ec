/**
 * Connection strings: given one, then a client (it connects only when used), or a ConfigError
 * that says what is wrong without showing the password.
 */
import { describe, expect, it } from 'vitest';
import { connectKurrentDb, redactConnectionString } from '../../../infra/kurrentdb/connectionString.ts';
import { ConfigError } from '../../../services/core/index.ts';

describe('a KurrentDB connection string', () => {
  it('gives a client without connecting: the server is reached on first use', async () => {
    const client = connectKurrentDb('kurrentdb://admin:changeit@kurrentdb:2113?tls=false');

    await client.dispose();
  });

  it('takes several hosts and DNS discovery', async () => {
    await connectKurrentDb('kurrentdb://node1:2113,node2:2113,node3:2113?tls=false').dispose();
    await connectKurrentDb('kurrentdb+discover://cluster.example.com:2113').dispose();
  });

  it('is refused with a ConfigError saying what was expected where', () => {
    expect(() => connectKurrentDb('http://kurrentdb:2113')).toThrow(ConfigError);
    expect(() => connectKurrentDb('http://kurrentdb:2113')).toThrow(/expected kurrentdb:\/\//);
    expect(() => connectKurrentDb('kurrentdb://kurrentdb:port')).toThrow(/expected port number/);
  });

  it('never shows its password in the refusal', () => {
    const error = (() => {
      try {
        connectKurrentDb('kurrentdb://admin:s3cret-pw@kurrentdb:notaport');
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a ConfigError');
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('kurrentdb://***@kurrentdb:notaport');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('is shown without credentials in messages', () => {
    expect(redactConnectionString('kurrentdb://admin:changeit@db:2113?tls=false')).toBe('kurrentdb://***@db:2113?tls=false');
    expect(redactConnectionString('kurrentdb://db:2113')).toBe('kurrentdb://db:2113');
  });
});
