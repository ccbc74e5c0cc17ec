import { describe, expect, it } from 'vitest';
import type { JourneyDocument, JourneyIssue, JourneyNode } from '../../../journeys/document/index.ts';
import { MAX_WALK_NODES, validateJourney } from '../../../journeys/document/index.ts';
import { exampleJourney } from './exampleJourney.ts';

/** Given the valid example changed by `change`, when validated, the issues. */
function issuesAfter(change: (doc: JourneyDocument) => void): JourneyIssue[] {
  const doc = exampleJourney();
  change(doc);
  return validateJourney(doc);
}

function errorsAfter(change: (doc: JourneyDocument) => void): { path: string; message: string }[] {
  return issuesAfter(change)
    .filter((issue) => issue.severity === 'error')
    .map(({ path, message }) => ({ path, message }));
}

/** The example's trigger condition, replaced by this one leaf. */
function triggerTest(leaf: Record<string, unknown>): (doc: JourneyDocument) => void {
  return (doc) => {
    doc.trigger.when = { all: [leaf as never] };
  };
}

function node<T extends JourneyNode['type']>(doc: JourneyDocument, id: string, type: T): Extract<JourneyNode, { type: T }> {
  const found = doc.nodes[id];
  if (found?.type !== type) throw new Error(`${id} is not a ${type} node`);
  return found as Extract<JourneyNode, { type: T }>;
}

describe('validateJourney', () => {
  it('finds nothing wrong with the example journey of the specification', () => {
    expect(validateJourney(exampleJourney())).toEqual([]);
  });

  it('leaves line and column to the loader', () => {
    const [issue] = issuesAfter((doc) => (doc.start = 'nowhere'));
    expect(issue).toMatchObject({ line: null, column: null, severity: 'error' });
  });

  describe('node references', () => {
    it('names the close match of a next that points at no node', () => {
      expect(errorsAfter((doc) => (node(doc, 'call-now', 'suggest').next = 'wait-outcme'))).toEqual([
        { path: 'nodes.call-now.next', message: 'no node named wait-outcme (did you mean wait-outcome?)' },
      ]);
    });

    it('checks start, otherwise, onTimeout and branch next the same way', () => {
      const errors = errorsAfter((doc) => {
        doc.start = 'check-fitt';
        node(doc, 'check-fit', 'branch').otherwise = 'wait-2-dayz';
        node(doc, 'check-fit', 'branch').branches[0]!.next = 'cal-now';
        node(doc, 'wait-outcome', 'wait').onTimeout = 'recap';
      });
      expect(errors).toEqual(
        expect.arrayContaining([
          { path: 'start', message: 'no node named check-fitt (did you mean check-fit?)' },
          { path: 'nodes.check-fit.otherwise', message: 'no node named wait-2-dayz (did you mean wait-2-days?)' },
          { path: 'nodes.check-fit.branches[0].next', message: 'no node named cal-now (did you mean call-now?)' },
          { path: 'nodes.wait-outcome.onTimeout', message: expect.stringMatching(/^no node named recap: the nodes are check-fit, call-now, wait-outcome/) as string },
        ]),
      );
    });

    it('reports a node that no path from start reaches', () => {
      expect(errorsAfter((doc) => (doc.nodes.forgotten = { type: 'exit' }))).toEqual([
        { path: 'nodes.forgotten', message: 'is never reached: no path from start (check-fit) leads to it; point a next at it or remove it' },
      ]);
    });
  });

  describe('cycles', () => {
    it('refuses a cycle without a wait, naming it', () => {
      expect(errorsAfter((doc) => (node(doc, 'call-now', 'suggest').next = 'check-fit'))).toContainEqual({
        path: 'nodes.check-fit.branches[0].next',
        message: 'check-fit → call-now → check-fit never waits: a lead would loop forever; put a wait in the cycle',
      });
    });

    it('refuses a node that leads to itself', () => {
      expect(errorsAfter((doc) => (node(doc, 'check-fit', 'branch').otherwise = 'check-fit'))).toContainEqual({
        path: 'nodes.check-fit.otherwise',
        message: 'check-fit → check-fit never waits: a lead would loop forever; put a wait in the cycle',
      });
    });

    it('accepts a cycle that passes through a wait (a check every two days)', () => {
      expect(issuesAfter((doc) => (node(doc, 'wait-2-days', 'wait').next = 'check-fit'))).toEqual([]);
    });

    it(`refuses a walk longer than ${MAX_WALK_NODES} nodes without a wait, and accepts one of exactly ${MAX_WALK_NODES}`, () => {
      const chain = (suggestions: number) => (doc: JourneyDocument) => {
        doc.nodes = { done: { type: 'exit' } };
        for (let i = suggestions; i >= 1; i--) {
          doc.nodes[`step-${i}`] = { type: 'suggest', action: 'task', priority: 'normal', title: `Step ${i}`, next: i === suggestions ? 'done' : `step-${i + 1}` };
        }
        doc.start = 'step-1';
      };
      expect(errorsAfter(chain(MAX_WALK_NODES - 1))).toEqual([]);
      expect(errorsAfter(chain(MAX_WALK_NODES))).toEqual([
        {
          path: 'nodes.step-1',
          message: `a walk from here runs ${MAX_WALK_NODES + 1} nodes without a wait (step-1 → step-2 → step-3 → … → step-${MAX_WALK_NODES} → done); a walk stops after ${MAX_WALK_NODES}: put a wait in between`,
        },
      ]);
    });
  });

  describe('conditions', () => {
    it('refuses an unknown fact, listing the known ones', () => {
      expect(errorsAfter(triggerTest({ fact: 'leads', path: '$.stage', operator: 'equal', value: 'sql' }))).toEqual([
        {
          path: 'trigger.when.all[0].fact',
          message: '"leads" is not a fact (did you mean lead?): the facts are lead, account, score, trigger, event, touches, daysSince, suggestions',
        },
      ]);
    });

    it("checks params with the fact's params schema", () => {
      expect(errorsAfter(triggerTest({ fact: 'touches', params: { name: 'Content Viewed', withinDays: 'thirty' }, operator: 'greaterThan', value: 2 }))).toEqual([
        { path: 'trigger.when.all[0].params.withinDays', message: 'must be a number, not the text "thirty"' },
      ]);
      expect(errorsAfter(triggerTest({ fact: 'touches', params: { names: 'Content Viewed' }, operator: 'greaterThan', value: 2 }))).toEqual([
        {
          path: 'trigger.when.all[0].params.names',
          message: 'is not a field of the params of touches (did you mean name?): the fields are name, channel, withinDays',
        },
      ]);
    });

    it('requires params.event of daysSince, and refuses params on a fact that takes none', () => {
      expect(errorsAfter(triggerTest({ fact: 'daysSince', operator: 'lessThan', value: 3 }))).toEqual([
        { path: 'trigger.when.all[0].params', message: 'daysSince needs params: event is required, like params: { event: Email Link Clicked }' },
      ]);
      expect(errorsAfter(triggerTest({ fact: 'lead', params: { id: 1 }, path: '$.stage', operator: 'equal', value: 'sql' }))).toEqual([
        { path: 'trigger.when.all[0].params', message: 'lead takes no params: remove params' },
      ]);
    });

    it('refuses a path that is not a simple path, starts at no field of the fact, or is given to a number', () => {
      const [wildcard] = errorsAfter(triggerTest({ fact: 'lead', path: '$.traits.*', operator: 'equal', value: 'x' }));
      expect(wildcard).toMatchObject({ path: 'trigger.when.all[0].path', message: expect.stringContaining('is not a simple path') as string });
      expect(errorsAfter(triggerTest({ fact: 'lead', path: '$.trait.country', operator: 'equal', value: 'US' }))).toEqual([
        { path: 'trigger.when.all[0].path', message: expect.stringMatching(/^lead has no field trait \(did you mean traits\?\): a path starts with one of id, createdAt/) as string },
      ]);
      expect(errorsAfter(triggerTest({ fact: 'touches', path: '$.count', operator: 'greaterThan', value: 1 }))).toEqual([
        { path: 'trigger.when.all[0].path', message: 'touches is a number, so it takes no path: remove path' },
      ]);
    });

    it('refuses an unknown operator, naming the close one', () => {
      expect(errorsAfter(triggerTest({ fact: 'lead', path: '$.stage', operator: 'equals', value: 'sql' }))).toEqual([
        { path: 'trigger.when.all[0].operator', message: expect.stringMatching(/^"equals" is not an operator \(did you mean equal\?\): the operators are equal, notEqual, in,/) as string },
      ]);
      expect(errorsAfter(triggerTest({ fact: 'score', path: '$.fit', operator: '>=', value: 60 }))).toEqual([
        { path: 'trigger.when.all[0].operator', message: expect.stringMatching(/^">=" is not an operator \(did you mean greaterThanInclusive\?\)/) as string },
      ]);
      expect(errorsAfter(triggerTest({ fact: 'lead', path: '$.stage', operator: 'nott:in', value: ['sql'] }))).toEqual([
        { path: 'trigger.when.all[0].operator', message: expect.stringMatching(/^"nott" is not an operator decorator \(did you mean not\?\)/) as string },
      ]);
    });

    it('accepts operators with decorators', () => {
      for (const leaf of [
        { fact: 'lead', path: '$.stage', operator: 'not:in', value: ['sql', 'customer'] },
        { fact: 'lead', path: '$.tags', operator: 'someFact:equal', value: 'vip' },
        { fact: 'lead', path: '$.traits.employees', operator: 'everyValue:greaterThan', value: [10, 50] },
        { fact: 'lead', path: '$.tags', operator: 'swap:in', value: 'vip' },
        { fact: 'lead', path: '$.tags', operator: 'not:contains', value: 'vip' },
      ]) {
        expect(issuesAfter(triggerTest(leaf)), leaf.operator).toEqual([]);
      }
    });

    it('needs a list for in and notIn, and a number for numeric operators', () => {
      expect(errorsAfter(triggerTest({ fact: 'lead', path: '$.traits.country', operator: 'in', value: 'US' }))).toEqual([
        { path: 'trigger.when.all[0].value', message: 'in needs a list of values, like value: [US, CA] (to compare with one value, use equal)' },
      ]);
      expect(errorsAfter(triggerTest({ fact: 'score', path: '$.fit', operator: 'greaterThan', value: '60' }))).toEqual([
        { path: 'trigger.when.all[0].value', message: 'greaterThan compares numbers: the value must be a number, like 60 (remove the quotes around "60")' },
      ]);
      expect(errorsAfter(triggerTest({ fact: 'score', path: '$.fit', operator: 'someValue:lessThan', value: 60 }))).toEqual([
        { path: 'trigger.when.all[0].value', message: 'someValue:lessThan compares with each item of the value: it must be a list, like [a, b]' },
      ]);
    });

    it('checks a fact named as the value like any other fact', () => {
      expect(errorsAfter(triggerTest({ fact: 'event', path: '$.properties.id', operator: 'equal', value: { fact: 'trigger', path: '$.propertes.id' } }))).toEqual([
        { path: 'trigger.when.all[0].value.path', message: expect.stringMatching(/^trigger has no field propertes \(did you mean properties\?\)/) as string },
      ]);
      expect(issuesAfter(triggerTest({ fact: 'score', path: '$.fit', operator: 'greaterThan', value: { fact: 'account', path: '$.traits.minFit' } }))).toEqual([]);
    });

    it('needs a value to compare with', () => {
      expect(errorsAfter(triggerTest({ fact: 'lead', path: '$.stage', operator: 'equal' }))).toEqual([
        { path: 'trigger.when.all[0]', message: expect.stringMatching(/^needs a value to compare with/) as string },
      ]);
    });

    it('refuses an empty all or any, everywhere a condition can be', () => {
      expect(errorsAfter((doc) => (doc.trigger.when = { all: [] }))).toEqual([
        { path: 'trigger.when.all', message: 'an empty all: [] always holds; remove it or add conditions' },
      ]);
      expect(errorsAfter((doc) => (node(doc, 'check-fit', 'branch').branches[0]!.when = { not: { any: [] } }))).toEqual([
        { path: 'nodes.check-fit.branches[0].when.not.any', message: 'an empty any: [] never holds; remove it or add conditions' },
      ]);
      expect(errorsAfter((doc) => (doc.exitWhen[0]!.when = { all: [{ fact: 'lead', path: '$.stage', operator: 'equals', value: 'x' }] }))[0]?.path).toBe(
        'exitWhen[0].when.all[0].operator',
      );
      expect(
        errorsAfter((doc) => (node(doc, 'wait-outcome', 'wait').until = { event: 'Suggestion Completed', when: { all: [{ fact: 'evnt', operator: 'equal', value: 1 }] } }))[0]?.path,
      ).toBe('nodes.wait-outcome.until.when.all[0].fact');
    });
  });

  describe('durations', () => {
    it('refuses months and years, and text that is not a duration', () => {
      expect(errorsAfter((doc) => (node(doc, 'call-now', 'suggest').dueIn = 'P1M'))).toEqual([
        { path: 'nodes.call-now.dueIn', message: '"P1M" uses years or months, whose length varies: write days instead (P30D, P90D)' },
      ]);
      expect(errorsAfter((doc) => (node(doc, 'wait-2-days', 'wait').for = 'two days'))).toEqual([
        { path: 'nodes.wait-2-days.for', message: expect.stringMatching(/^"two days" is not a duration: write it like P3D/) as string },
      ]);
      expect(errorsAfter((doc) => (doc.reentry = 'P1Y'))[0]?.path).toBe('reentry');
      expect(errorsAfter((doc) => (node(doc, 'wait-outcome', 'wait').timeout = 'PT0S'))[0]?.path).toBe('nodes.wait-outcome.timeout');
    });

    it('accepts never and always as reentry', () => {
      expect(issuesAfter((doc) => (doc.reentry = 'always'))).toEqual([]);
    });
  });

  describe('suggestions', () => {
    it('refuses a template variable that cannot resolve', () => {
      expect(errorsAfter((doc) => (node(doc, 'call-now', 'suggest').title = 'Call {{lead.trait.firstName}}'))).toEqual([
        { path: 'nodes.call-now.title', message: expect.stringMatching(/^\{\{lead\.trait\.firstName\}\}: lead has no field trait \(did you mean traits\?\)/) as string },
      ]);
      expect(errorsAfter((doc) => (node(doc, 'call-now', 'suggest').body = '{{leed.traits.firstName}}'))).toEqual([
        { path: 'nodes.call-now.body', message: '{{leed.traits.firstName}}: leed is not something a template can use (did you mean lead?): start with lead, account, score, trigger, event' },
      ]);
      expect(errorsAfter((doc) => (node(doc, 'call-now', 'suggest').body = '{{score.fit.value}}'))).toEqual([
        { path: 'nodes.call-now.body', message: '{{score.fit.value}}: score.fit has no fields: write {{score.fit}}' },
      ]);
    });

    it('accepts any key under an open field (traits, properties)', () => {
      expect(issuesAfter((doc) => (node(doc, 'call-now', 'suggest').body = '{{lead.traits.job_title}} {{account.traits.industry}} {{event.properties.a.b}} {{lead.tags}} {{lead.tags.0}}'))).toEqual([]);
    });

    it('refuses a template that does not parse', () => {
      expect(errorsAfter((doc) => (node(doc, 'recap-email', 'suggest').subject = 'Slides from {{trigger.properties.webinar_title'))).toEqual([
        { path: 'nodes.recap-email.subject', message: '{{ at character 13 is not closed: end the variable with }} (or write \\{{ for a literal {{)' },
      ]);
    });

    it('needs a subject and a body for an email', () => {
      expect(
        errorsAfter((doc) => {
          delete node(doc, 'recap-email', 'suggest').subject;
          node(doc, 'recap-email', 'suggest').body = ' ';
        }),
      ).toEqual([
        { path: 'nodes.recap-email.subject', message: 'an email suggestion needs a subject: the subject line of the draft the rep sends' },
        { path: 'nodes.recap-email.body', message: 'an email suggestion needs a body: the text of the draft the rep sends' },
      ]);
    });
  });

  describe('event names', () => {
    it('warns about a probable typo of a known event name, without refusing the journey', () => {
      expect(issuesAfter((doc) => (doc.trigger.event = 'Webinar Atended'))).toEqual([
        {
          path: 'trigger.event',
          message: 'no event is named "Webinar Atended"; did you mean "Webinar Attended"? events match by exact name, so this one would never match "Webinar Attended"',
          line: null,
          column: null,
          severity: 'warning',
        },
      ]);
      expect(issuesAfter((doc) => (node(doc, 'wait-outcome', 'wait').until = { event: 'suggestion completed' }))[0]).toMatchObject({
        path: 'nodes.wait-outcome.until.event',
        severity: 'warning',
        message: expect.stringContaining('Names are case-sensitive') as string,
      });
    });

    it("accepts a team's own event names that resemble no known one", () => {
      expect(issuesAfter((doc) => (doc.trigger.event = 'Pricing Calculator Used'))).toEqual([]);
    });

    it('warns about a misspelt name in touches and daysSince params', () => {
      const issues = issuesAfter(triggerTest({ fact: 'touches', params: { name: ['Content Viewed', 'Content Downloded'] }, operator: 'greaterThan', value: 1 }));
      expect(issues.map(({ path, severity }) => ({ path, severity }))).toEqual([{ path: 'trigger.when.all[0].params.name[1]', severity: 'warning' }]);
    });
  });
});
