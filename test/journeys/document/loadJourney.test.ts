import { describe, expect, it } from 'vitest';
import type { JourneyIssue, JourneyParseResult } from '../../../journeys/document/index.ts';
import { parseJourneySource } from '../../../journeys/document/index.ts';
import { exampleYaml, lineOf } from './exampleJourney.ts';

function issuesOf(result: JourneyParseResult): JourneyIssue[] {
  if (result.ok) expect.fail('expected the journey to be refused');
  return result.issues;
}

/** The example with one line replaced (the first line that contains `line`). */
function exampleWith(line: string, replacement: string): string {
  if (!exampleYaml.includes(line)) throw new Error(`the example has no line ${line}`);
  return exampleYaml.replace(line, replacement);
}

describe('parseJourneySource', () => {
  describe('valid documents', () => {
    it('reads the YAML example of the specification, with the defaults filled in', () => {
      const result = parseJourneySource(exampleYaml, { fileName: 'webinar-follow-up.yaml' });
      expect(result).toMatchObject({ ok: true, warnings: [] });
      if (!result.ok) return;
      expect(result.journey.id).toBe('webinar-follow-up');
      expect(result.journey.reentry).toBe('P30D');
      expect(result.journey.nodes['recap-email']).toMatchObject({ type: 'suggest', priority: 'normal', body: 'Hi {{lead.traits.firstName | "there"}}, ...' });
    });

    it('reads the same journey written as JSON', () => {
      const parsed = parseJourneySource(exampleYaml, { format: 'yaml' });
      if (!parsed.ok) expect.fail('the example is valid');
      const json = JSON.stringify(parsed.journey, null, 2);
      expect(parseJourneySource(json, { fileName: 'journey.json' })).toEqual(parsed);
      expect(parseJourneySource(json, { format: 'auto' })).toEqual(parsed);
    });

    it('returns warnings with their line', () => {
      const text = exampleWith('  event: Webinar Attended', '  event: Webinar Atended');
      const result = parseJourneySource(text);
      expect(result.ok).toBe(true);
      expect(result.warnings).toEqual([
        {
          path: 'trigger.event',
          message: expect.stringContaining('did you mean "Webinar Attended"?') as string,
          line: lineOf(text, 'Webinar Atended'),
          column: 10,
          severity: 'warning',
        },
      ]);
    });
  });

  describe('syntax', () => {
    it('reports a YAML syntax error with its line', () => {
      const text = exampleWith('      - { fact: lead, path: $.traits.country, operator: in, value: [CN, SG, US] }', '      - { fact: lead, path: $.traits.country, operator: in, value: [CN, SG, US }');
      const [issue, ...more] = issuesOf(parseJourneySource(text));
      expect(issue).toMatchObject({ path: '', line: lineOf(text, 'value: [CN, SG, US }'), severity: 'error', message: expect.stringMatching(/^is not valid YAML: /) as string });
      expect(more.every((other) => other.message.startsWith('is not valid YAML'))).toBe(true);
    });

    it('reports a JSON syntax error with its line and column', () => {
      const text = '{\n  "apiVersion": "nudge/v1",\n  "kind": "Journey",\n}\n';
      expect(issuesOf(parseJourneySource(text, { fileName: 'broken.json' }))).toEqual([
        { path: '', message: 'is not valid JSON: Expected double-quoted property name', line: 4, column: 1, severity: 'error' },
      ]);
      expect(issuesOf(parseJourneySource('{\n  "id": x\n}', { format: 'json' }))).toEqual([
        { path: '', message: "is not valid JSON: Unexpected token 'x'", line: 2, column: 9, severity: 'error' },
      ]);
    });

    it('refuses a key written twice, in YAML and in JSON', () => {
      const text = exampleWith('    dueIn: P1D\n', '    dueIn: P1D\n    dueIn: P2D\n');
      expect(issuesOf(parseJourneySource(text))).toEqual([
        {
          path: 'nodes.call-now.dueIn',
          message: 'is a duplicate: dueIn is already written above at the same level; write each field once (YAML would keep only the last one)',
          line: lineOf(text, 'dueIn: P2D'),
          column: 5,
          severity: 'error',
        },
      ]);
      expect(issuesOf(parseJourneySource('{"apiVersion": "nudge/v1",\n "apiVersion": "nudge/v1"}'))[0]).toMatchObject({ path: 'apiVersion', line: 2, column: 2 });
    });

    it('refuses an empty file and a file that is not a set of fields', () => {
      expect(issuesOf(parseJourneySource('# nothing yet\n'))[0]?.message).toBe('is empty: a journey starts with apiVersion: nudge/v1 and kind: Journey');
      expect(issuesOf(parseJourneySource('- a\n- b\n'))[0]?.message).toMatch(/^is not a journey/);
    });
  });

  describe('shape', () => {
    it('names the fields of a node when one is unknown, at its line', () => {
      const text = exampleWith('    priority: high\n', '    priority: high\n    foo: bar\n');
      expect(issuesOf(parseJourneySource(text))).toEqual([
        {
          path: 'nodes.call-now.foo',
          message: 'is not a field of a suggest node: the fields are type, label, action, priority, dueIn, expiresIn, title, body, subject, next',
          line: lineOf(text, 'foo: bar'),
          column: 5,
          severity: 'error',
        },
      ]);
    });

    it('suggests the field a misspelt one was meant to be', () => {
      const text = exampleWith('    subject: "Slides', '    subjet: "Slides');
      const issues = issuesOf(parseJourneySource(text));
      expect(issues[0]).toMatchObject({ path: 'nodes.recap-email.subjet', line: lineOf(text, 'subjet:'), message: expect.stringMatching(/^is not a field of a suggest node \(did you mean subject\?\)/) as string });
    });

    it('says "is required" at the node that misses a field', () => {
      const text = exampleWith('    title: Send the recap\n', '');
      expect(issuesOf(parseJourneySource(text))).toEqual([{ path: 'nodes.recap-email.title', message: 'is required', line: lineOf(text, '  recap-email:'), column: 3, severity: 'error' }]);
    });

    it('lists the allowed values of an enum, and the type a field needs', () => {
      const text = exampleWith('    action: call', '    action: phone').replace('    expiresIn: P5D', '    expiresIn: 5');
      expect(issuesOf(parseJourneySource(text))).toEqual([
        { path: 'nodes.call-now.action', message: 'must be one of call, email, chat, linkedin, meeting, task', line: lineOf(text, 'action: phone'), column: 13, severity: 'error' },
        { path: 'nodes.call-now.expiresIn', message: 'must be a text, not the number 5', line: lineOf(text, 'expiresIn: 5'), column: 16, severity: 'error' },
      ]);
    });

    it('explains an unknown node type, and a node without one', () => {
      const text = exampleWith('    type: exit', '    type: exitt');
      expect(issuesOf(parseJourneySource(text))).toEqual([
        { path: 'nodes.done.type', message: 'must be one of branch, suggest, wait, exit (did you mean exit?)', line: lineOf(text, 'type: exitt'), column: 11, severity: 'error' },
      ]);
      const untyped = exampleWith('    type: exit', '    reason: done');
      expect(issuesOf(parseJourneySource(untyped))[0]).toMatchObject({ path: 'nodes.done', message: 'needs a type: one of branch, suggest, wait, exit', line: lineOf(untyped, '  done:') });
    });

    it('explains a condition written without all, any or not', () => {
      const text = exampleWith(
        '    when: { all: [ { fact: lead, path: $.stage, operator: in, value: [sql, opportunity, customer] } ] }',
        '    when: { fact: lead, path: $.stage, operator: in, value: [sql, opportunity, customer] }',
      );
      expect(issuesOf(parseJourneySource(text))).toEqual([
        {
          path: 'exitWhen[0].when',
          message: 'a `when` starts with all, any or not: put this test in a list, like all: [ { fact: …, operator: …, value: … } ]',
          line: lineOf(text, '    when: { fact: lead'),
          column: 5,
          severity: 'error',
        },
      ]);
    });

    it('finds the misspelt field of a condition inside the list', () => {
      const text = exampleWith('operator: greaterThanInclusive, value: 60', 'operator: greaterThanInclusive, valeu: 60');
      expect(issuesOf(parseJourneySource(text))).toEqual([
        {
          path: 'nodes.check-fit.branches[0].when.all[0].valeu',
          message: 'is not a field of a condition (did you mean value?): the fields are fact, operator, value, path, params',
          line: lineOf(text, 'valeu'),
          column: text.split('\n')[lineOf(text, 'valeu') - 1]!.indexOf('valeu') + 1,
          severity: 'error',
        },
      ]);
    });

    it('tells an author that YAML read an unquoted template as fields', () => {
      const text = exampleWith('    title: Send the recap', '    title: {{lead.traits.firstName}}');
      expect(issuesOf(parseJourneySource(text))[0]).toMatchObject({ path: 'nodes.recap-email.title', message: expect.stringContaining('put the text in quotes') as string });
    });
  });

  describe('rules', () => {
    it('places validation errors at their line, the column at the value', () => {
      const text = exampleWith('    next: wait-outcome', '    next: wait-outcme');
      expect(issuesOf(parseJourneySource(text))).toEqual([
        { path: 'nodes.call-now.next', message: 'no node named wait-outcme (did you mean wait-outcome?)', line: lineOf(text, 'next: wait-outcme'), column: 11, severity: 'error' },
      ]);
    });

    it('points at the bad character of a template when the text allows', () => {
      const text = exampleWith('    title: Send the recap', '    title: Send the recap to {{lead.trait.firstName}}');
      expect(issuesOf(parseJourneySource(text))[0]).toMatchObject({ path: 'nodes.recap-email.title', line: lineOf(text, 'Send the recap to'), column: 30 });
    });

    it('points at an unreachable node by its id, and lists issues in line order', () => {
      const text = `${exampleYaml}  orphan:\n    type: exit\n`.replace('    dueIn: P1D', '    dueIn: P1M');
      const issues = issuesOf(parseJourneySource(text));
      expect(issues.map(({ path, line, column }) => ({ path, line, column }))).toEqual([
        { path: 'nodes.call-now.dueIn', line: lineOf(text, 'dueIn: P1M'), column: 12 },
        { path: 'nodes.orphan', line: lineOf(text, '  orphan:'), column: 3 },
      ]);
    });

    it('runs every rule of validateJourney', () => {
      const text = exampleWith('        next: call-now', '        next: check-fit');
      expect(issuesOf(parseJourneySource(text)).map((issue) => issue.message)).toContain('check-fit → check-fit never waits: a lead would loop forever; put a wait in the cycle');
    });
  });
});
