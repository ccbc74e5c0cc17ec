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

/**
 * The API tokens in force: the configured ones, or in embedded mode the admin token kept in
 * `<data dir>/api-token` (mode 0600), generated on first start.
 */
export function resolveApiTokens(configured: readonly string[] | undefined, dataDir: string): ApiTokens {
  if (configured !== undefined && configured.length > 0) return { tokens: configured, file: undefined, generated: false };
  const file = join(dataDir, 'api-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return { tokens: [token], file, generated: false };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = `ndg_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { tokens: [token], file, generated: true };
}
