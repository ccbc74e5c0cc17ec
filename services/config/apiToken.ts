import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ApiTokens {
  readonly tokens: readonly string[];
  /** Where the generated token is kept, when one was generated or found. */
  readonly file: string | undefined;
  /** True when this start generated the token (so it is shown once). */
  readonly generated: boolean;
}

/** Write keys have the same shape: configured ones, or one generated and kept in the data folder. */
export type WriteKeys = ApiTokens;

/**
 * The API tokens in force: the configured ones, or in embedded mode the admin token kept in
 * `<data dir>/api-token` (mode 0600), generated on first start.
 */
export function resolveApiTokens(configured: readonly string[] | undefined, dataDir: string): ApiTokens {
  return resolveSecrets(configured, join(dataDir, 'api-token'), 'ndg_', 32);
}

/**
 * The Segment write keys in force: `NUDGE_WRITE_KEYS`, or one kept in `<data dir>/write-key`
 * (generated on first start). A write key is not a strong secret (browsers ship it in page
 * source); it names the source and lets the server refuse strangers.
 */
export function resolveWriteKeys(configured: readonly string[] | undefined, dataDir: string): WriteKeys {
  return resolveSecrets(configured, join(dataDir, 'write-key'), 'wk_', 18);
}

/**
 * The key that signs each lead's unsubscribe link: kept in `<data dir>/unsubscribe-secret`
 * (generated on first start). Every process serving the links must share it.
 */
export function resolveUnsubscribeSecret(dataDir: string): string {
  return resolveSecrets(undefined, join(dataDir, 'unsubscribe-secret'), 'us_', 32).tokens[0]!;
}

function resolveSecrets(configured: readonly string[] | undefined, file: string, prefix: string, bytes: number): ApiTokens {
  if (configured !== undefined && configured.length > 0) return { tokens: configured, file: undefined, generated: false };
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 16) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return { tokens: [secret], file, generated: false };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const secret = `${prefix}${randomBytes(bytes).toString('base64url')}`;
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { tokens: [secret], file, generated: true };
}
