import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { ConfigError } from '../../services/core/index.ts';
import { kurrentDbClientLibrary } from './clientLibrary.ts';
import { messageOf } from './errorTranslation.ts';

/**
 * A connection string with its password hidden, for messages and logs:
 * `kurrentdb://admin:changeit@db:2113` → `kurrentdb://***@db:2113`.
 */
export function redactConnectionString(text: string): string {
  return text.replace(/(\/\/)[^@/\s]*@/g, '$1***@');
}

/**
 * A client for `connectionString` (kurrentdb://[user:password@]host[:port][,…][?tls=false&…]);
 * it connects on first use. A string the client cannot parse is a ConfigError that shows the
 * string without its password and says what was expected where.
 */
export function connectKurrentDb(connectionString: string): KurrentDBClient {
  try {
    return kurrentDbClientLibrary().KurrentDBClient.connectionString(connectionString);
  } catch (error) {
    // The parser quotes the text it stumbled on, which may be part of the credentials.
    const detail = messageOf(error).replace(/^Unexpected ".*" at /s, 'at ');
    throw new ConfigError(`invalid KurrentDB connection string ${redactConnectionString(connectionString)}: ${redactConnectionString(detail)}`, { cause: error });
  }
}
