/**
 * The API token in force, over a real temp folder: given configured tokens or a data folder
 * (empty, or holding a token file), when the tokens are resolved, then these tokens and this file.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveApiTokens } from '../../services/config/index.ts';

let root: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nudge-token-'));
  dataDir = join(root, 'data');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const permissionsOf = (path: string): number => statSync(path).mode & 0o777;

describe('resolveApiTokens', () => {
  it('generates a token on first start and keeps it in <data dir>/api-token', () => {
    const resolved = resolveApiTokens(undefined, dataDir);

    expect(resolved.generated).toBe(true);
    expect(resolved.file).toBe(join(dataDir, 'api-token'));
    expect(resolved.tokens).toHaveLength(1);
    expect(resolved.tokens[0]).toMatch(/^ndg_[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(join(dataDir, 'api-token'), 'utf8')).toBe(`${resolved.tokens[0]}\n`);
  });

  it('makes the token file readable by its owner only (0600) and the data folder private', () => {
    resolveApiTokens(undefined, dataDir);

    expect(permissionsOf(join(dataDir, 'api-token'))).toBe(0o600);
    expect(permissionsOf(dataDir) & 0o077).toBe(0);
  });

  it('returns the same token on a later start, as not generated', () => {
    const first = resolveApiTokens(undefined, dataDir);

    const second = resolveApiTokens(undefined, dataDir);

    expect(second).toEqual({ tokens: first.tokens, file: first.file, generated: false });
  });

  it('generates a different token in another data folder', () => {
    const here = resolveApiTokens(undefined, dataDir);

    const elsewhere = resolveApiTokens(undefined, join(root, 'other'));

    expect(elsewhere.tokens[0]).not.toBe(here.tokens[0]);
  });

  it('uses the configured tokens and neither reads nor writes a token file', () => {
    const configured = ['configured-token-0123456789', 'another-token-0123456789'];

    const resolved = resolveApiTokens(configured, dataDir);

    expect(resolved).toEqual({ tokens: configured, file: undefined, generated: false });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('falls back to the token file when the configured list is empty', () => {
    const resolved = resolveApiTokens([], dataDir);

    expect(resolved.generated).toBe(true);
    expect(existsSync(join(dataDir, 'api-token'))).toBe(true);
  });

  it('keeps an existing token file that others can read but tightens it to 0600', () => {
    const first = resolveApiTokens(undefined, dataDir);
    const file = join(dataDir, 'api-token');
    chmodSync(file, 0o644);

    const again = resolveApiTokens(undefined, dataDir);

    expect(again).toEqual({ tokens: first.tokens, file, generated: false });
    expect(permissionsOf(file)).toBe(0o600);
  });

  it('reads a token an operator wrote by hand, ignoring surrounding whitespace', () => {
    resolveApiTokens(undefined, dataDir);
    const file = join(dataDir, 'api-token');
    writeFileSync(file, '  operator-chosen-token-42  \n\n');

    const resolved = resolveApiTokens(undefined, dataDir);

    expect(resolved).toEqual({ tokens: ['operator-chosen-token-42'], file, generated: false });
  });

  it('replaces a token file holding a token too short to be safe with a generated one', () => {
    resolveApiTokens(undefined, dataDir);
    const file = join(dataDir, 'api-token');
    writeFileSync(file, 'short\n');

    const resolved = resolveApiTokens(undefined, dataDir);

    expect(resolved.generated).toBe(true);
    expect(resolved.tokens[0]).toMatch(/^ndg_/);
    expect(readFileSync(file, 'utf8')).toBe(`${resolved.tokens[0]}\n`);
    expect(permissionsOf(file)).toBe(0o600);
  });
});
