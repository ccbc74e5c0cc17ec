/** `nudge journeys push|list|show|publish|pause|diff` against a data folder, as a marketer runs them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runNudge } from './nudgeProcess.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('nudge journeys (authoring)', () => {
  it('pushes a journey, lists it, publishes, diffs a second version, pauses — and refuses an invalid file with its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-e2e-journeys-cli-'));
    dirs.push(dir);
    const env = { NUDGE_DATA_DIR: join(dir, 'data') };
    const source = readFileSync(join(repoRoot, 'journeys', 'library', 'chat-went-quiet.yaml'), 'utf8');
    const file = join(dir, 'chat.yaml');
    writeFileSync(file, source);

    const pushed = runNudge(['journeys', 'push', file, '--publish', '--by', 'ana'], env);
    expect(pushed.stderr).toBe('');
    expect(pushed.status).toBe(0);
    expect(pushed.stdout).toContain('saved chat-went-quiet version 1');
    expect(pushed.stdout).toContain('published chat-went-quiet version 1');

    writeFileSync(file, source.replace('for: P1D', 'for: PT12H'));
    expect(runNudge(['journeys', 'push', file], env).stdout).toContain('saved chat-went-quiet version 2');

    const list = runNudge(['journeys', 'list'], env);
    expect(list.stdout).toMatch(/chat-went-quiet\s+active\s+v2\s+v1\s+Live Chat Conversation Ended/);

    const diff = runNudge(['journeys', 'diff', 'chat-went-quiet', '1', '2'], env);
    expect(diff.status).toBe(0);
    expect(diff.stdout).toContain('nodes changed: wait-1-day');
    expect(diff.stdout).toContain('-    for: P1D');
    expect(diff.stdout).toContain('+    for: PT12H');

    expect(runNudge(['journeys', 'publish', 'chat-went-quiet'], env).stdout).toContain('published chat-went-quiet version 2');
    expect(runNudge(['journeys', 'pause', 'chat-went-quiet'], env).stdout).toContain('paused chat-went-quiet');
    expect(runNudge(['journeys', 'show', 'chat-went-quiet'], env).stdout).toContain('status:    paused');
    expect(runNudge(['journeys', 'show', 'chat-went-quiet', '1'], env).stdout).toBe(source);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, source.replace('next: came-back', 'next: came-bak'));
    const refused = runNudge(['journeys', 'push', broken], env);
    expect(refused.status).toBe(1);
    const line = source.split('\n').findIndex((text) => text.includes('next: came-back')) + 1;
    expect(refused.stderr).toContain(`${broken}:${line}:`);
    expect(refused.stderr).toContain('came-back');
  });

  it('refuses to pause a journey that was never published, saying why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-e2e-journeys-cli-'));
    dirs.push(dir);
    const env = { NUDGE_DATA_DIR: join(dir, 'data') };
    const file = join(dir, 'chat.yaml');
    writeFileSync(file, readFileSync(join(repoRoot, 'journeys', 'library', 'chat-went-quiet.yaml'), 'utf8'));
    runNudge(['journeys', 'push', file], env);
    const refused = runNudge(['journeys', 'pause', 'chat-went-quiet'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('only a published journey can be paused');
  });
});
