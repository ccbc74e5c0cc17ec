/**
 * `nudge demo generate` in-process: given options, when the command runs, then the event and cost
 * files (or stdout), a summary on stderr, the same bytes for the same seed and start, and errors
 * that name the option at fault.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerDemoCommand } from '../../services/cli/demoCommand.ts';
import { ValidationError } from '../../services/core/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-demo-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ stdout: string; stderr: string; errors: string }> {
  const out = { stdout: '', stderr: '', errors: '' };
  const program = new Command('nudge').exitOverride().configureOutput({ writeErr: (text) => (out.errors += text), writeOut: () => undefined });
  registerDemoCommand(program, {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    now: () => new Date('2026-06-15T13:45:00Z'),
  });
  await program.parseAsync(['demo', 'generate', ...args], { from: 'user' });
  return out;
}

const files = (name: string) => ['--out', join(dir, `${name}.jsonl`), '--costs-out', join(dir, `${name}.csv`)];

describe('nudge demo generate', () => {
  it('writes the events and the costs, says what it wrote, and writes the same bytes again for the same seed and start', async () => {
    const first = await run('--leads', '60', '--days', '20', '--seed', '2', '--start', '2026-04-01', ...files('a'));
    await run('--leads', '60', '--days', '20', '--seed', '2', '--start', '2026-04-01', ...files('b'));

    const events = readFileSync(join(dir, 'a.jsonl'), 'utf8');
    expect(events).toBe(readFileSync(join(dir, 'b.jsonl'), 'utf8'));
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(readFileSync(join(dir, 'b.csv'), 'utf8'));
    const lines = events.trimEnd().split('\n');
    expect(lines.every((line) => typeof (JSON.parse(line) as { messageId: string }).messageId === 'string')).toBe(true);
    expect(first.stderr).toContain(`Generated ${lines.length.toLocaleString('en-US')} messages: 60 leads in `);
    expect(first.stderr).toMatch(/funnel: subscriber 60 → lead \d+ → mql \d+/);
    expect(first.stderr).toMatch(/identify 60 · group 60/);
    expect(first.stderr).toContain(`Wrote ${join(dir, 'a.jsonl')} and ${join(dir, 'a.csv')}`);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8').split('\n')[0]).toBe('date,source,medium,campaign,cost,currency,impressions,clicks');
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'a.jsonl', 'b.csv', 'b.jsonl']);
  });

  it('writes the costs beside the events when --costs-out is not given, not in the working folder', async () => {
    await run('--leads', '10', '--days', '5', '--out', join(dir, 'nested.jsonl'));
    expect(readdirSync(dir).sort()).toEqual(['demo-costs.csv', 'nested.jsonl']);
  });

  it('writes the events to stdout with --out -, and starts --days days before today (UTC) by default', async () => {
    const result = await run('--leads', '20', '--days', '10', '--out', '-', '--costs-out', join(dir, 'costs.csv'));

    const messages = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { timestamp: string });
    expect(messages.length).toBeGreaterThan(100);
    expect(messages[0]!.timestamp >= '2026-06-05T00:00:00.000Z').toBe(true);
    expect(messages.at(-1)!.timestamp < '2026-06-15T00:00:00.000Z').toBe(true);
    expect(existsSync(join(dir, 'costs.csv'))).toBe(true);
    expect(result.stderr).toContain('2026-06-05 to 2026-06-14');
  });

  it.each([
    [['--leads', '0'], "option '--leads <n>' argument '0' is invalid. must be a whole number from 1 to 1000000"],
    [['--leads', 'many'], "option '--leads <n>' argument 'many' is invalid"],
    [['--days', '2.5'], "option '--days <d>' argument '2.5' is invalid"],
    [['--seed', '-3'], "option '--seed <s>' argument '-3' is invalid"],
    [['--start', '2026-02-30'], "option '--start <YYYY-MM-DD>' argument '2026-02-30' is invalid. must be a date as YYYY-MM-DD"],
    [['--out', '-', '--costs-out', '-'], '--out and --costs-out cannot both be -'],
  ])('given %o, then it refuses, naming the option', async (args, message) => {
    const result = run(...args);
    await expect(result).rejects.toThrow(message);
  });

  it('names --out when the file cannot be written, and leaves nothing behind', async () => {
    const missing = join(dir, 'no-such-folder', 'events.jsonl');
    const result = run('--leads', '5', '--days', '5', '--out', missing, '--costs-out', join(dir, 'costs.csv'));
    await expect(result).rejects.toThrow(ValidationError);
    await expect(result).rejects.toThrow(/cannot write .*events\.jsonl: --out: ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
