/**
 * `nudge journeys validate` as an author or a CI job runs it: GCC-style lines an editor can jump
 * from, a summary, and an exit code that fails the build when a journey is invalid.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runNudge } from './nudgeProcess.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-journeys-validate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const validYaml = readFileSync(join(repoRoot, 'journeys', 'library', 'webinar-follow-up.yaml'), 'utf8');
/** The same journey with a misspelt node id, an unknown operator and a misspelt trigger event. */
const invalidYaml = validYaml
  .replace('    next: wait-outcome', '    next: wait-outcme')
  .replace('operator: greaterThanInclusive, value: 60', 'operator: greaterThanOrEqual, value: 60')
  .replace('  event: Webinar Attended', '  event: Webinar Atended');

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lineAndColumn(text: string, needle: string): string {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`${needle} is not in the text`);
  const before = text.slice(0, index);
  return `${before.split('\n').length}:${index - before.lastIndexOf('\n')}`;
}

describe('nudge journeys validate', () => {
  it('says a valid journey is valid, and exits 0', () => {
    const file = join(dir, 'webinar-follow-up.yaml');
    writeFileSync(file, validYaml);
    const run = runNudge(['journeys', 'validate', file], {});
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`✓ ${file}: webinar-follow-up is valid\n1 file checked: all valid\n`);
    expect(run.status).toBe(0);
  });

  it('prints each problem as file:line:column  path  message, and exits 1', () => {
    const valid = join(dir, 'valid.yaml');
    const invalid = join(dir, 'invalid.yaml');
    writeFileSync(valid, validYaml);
    writeFileSync(invalid, invalidYaml);
    const run = runNudge(['journeys', 'validate', valid, invalid], {});
    expect(run.status).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      `✓ ${valid}: webinar-follow-up is valid`,
      `${invalid}:${lineAndColumn(invalidYaml, 'Webinar Atended')}  trigger.event  warning: no event is named "Webinar Atended"; did you mean "Webinar Attended"? events match by exact name, so this one would never match "Webinar Attended"`,
      expect.stringMatching(
        new RegExp(
          `^${escaped(invalid)}:${lineAndColumn(invalidYaml, 'greaterThanOrEqual')}  nodes\\.check-fit\\.branches\\[0\\]\\.when\\.all\\[0\\]\\.operator  "greaterThanOrEqual" is not an operator`,
        ),
      ),
      `${invalid}:${lineAndColumn(invalidYaml, 'wait-outcme')}  nodes.call-now.next  no node named wait-outcme (did you mean wait-outcome?)`,
      `✗ ${invalid}: 2 errors, 1 warning`,
      '2 files checked: 1 valid, 1 invalid',
      '',
    ]);
  });

  it('reports a YAML syntax error at its line', () => {
    const file = join(dir, 'broken.yaml');
    const text = validYaml.replace('  event: Webinar Attended', '  event: [Webinar Attended');
    writeFileSync(file, text);
    const run = runNudge(['journeys', 'validate', file], {});
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^${escaped(file)}:\\d+:\\d+  is not valid YAML: `, 'm'));
  });

  it('fails on a file it cannot read, and says why', () => {
    const missing = join(dir, 'missing.yaml');
    const run = runNudge(['journeys', 'validate', missing], {});
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`${missing}  cannot be read: no such file`);
  });

  it('prints machine-readable results with --json', () => {
    const valid = join(dir, 'valid.json');
    const invalid = join(dir, 'invalid.yaml');
    writeFileSync(valid, JSON.stringify({ apiVersion: 'nudge/v1', kind: 'Journey', id: 'hello', name: 'Hello', trigger: { event: 'Signed Up' }, start: 'done', nodes: { done: { type: 'exit' } } }));
    writeFileSync(invalid, invalidYaml);
    const run = runNudge(['journeys', 'validate', '--json', valid, invalid], {});
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; valid: number; invalid: number; files: { file: string; ok: boolean; journeyId: string | null; issues: { path: string; line: number }[] }[] };
    expect(report).toMatchObject({ ok: false, valid: 1, invalid: 1 });
    expect(report.files[0]).toMatchObject({ file: valid, ok: true, journeyId: 'hello', issues: [] });
    expect(report.files[1]!.issues).toContainEqual(expect.objectContaining({ path: 'nodes.call-now.next', line: Number(lineAndColumn(invalidYaml, 'wait-outcme').split(':')[0]) }));
  });
});
