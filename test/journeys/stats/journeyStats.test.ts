/**
 * Per-node journey statistics folded from hand-made events, in global order: given this history,
 * then these visits, suggestion states, exits and later stages.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../services/core/index.ts';
import { JourneyStats } from '../../../journeys/stats/index.ts';
import { webinarFollowUp } from '../interpreter/webinarFollowUp.fixture.ts';

const JOURNEY = 'webinar-follow-up';

/** A history under construction: each event gets the next position and its stream's next revision. */
class History {
  readonly events: RecordedEvent[] = [];
  readonly #revisions = new Map<string, number>();

  add(stream: string, type: string, data: Record<string, unknown>): this {
    const revision = (this.#revisions.get(stream) ?? -1) + 1;
    this.#revisions.set(stream, revision);
    const at = new Date(Date.UTC(2026, 2, 2, 10) + this.events.length * 60_000).toISOString();
    this.events.push({
      id: `00000000-0000-4000-8000-${String(this.events.length + 1).padStart(12, '0')}`,
      stream,
      revision,
      position: this.events.length + 1,
      type,
      data,
      metadata: { occurredAt: at, recordedAt: at, causationId: null, correlationId: null, schemaVersion: 1 },
    });
    return this;
  }

  publish(version: number, document: Record<string, unknown>): this {
    return this.add(`journey-${JOURNEY}`, 'JourneyDraftSaved', { journeyId: JOURNEY, version, document, source: '', savedBy: null }).add(
      `journey-${JOURNEY}`,
      'JourneyPublished',
      { journeyId: JOURNEY, version, by: null },
    );
  }

  enter(lead: string, version: number): this {
    return this.add(`lead-${lead}`, 'JourneyEntered', { journeyId: JOURNEY, version, instanceId: `i-${lead}-${version}`, start: 'check-fit', trigger: {} });
  }

  refused(lead: string, version: number, reason: string): this {
    return this.add(`lead-${lead}`, 'JourneyEntryRefused', {
      journeyId: JOURNEY,
      version,
      reason,
      trigger: { eventId: 'e', name: 'Webinar Attended', occurredAt: '2026-03-02T10:00:00.000Z' },
      activeInstanceId: null,
      reentryAllowedAt: null,
    });
  }

  step(lead: string, version: number, node: string, nodeType: 'branch' | 'suggest' | 'wait', next: string): this {
    return this.add(`lead-${lead}`, 'JourneyStepTaken', {
      journeyId: JOURNEY,
      version,
      instanceId: `i-${lead}-${version}`,
      node,
      nodeType,
      next,
      decision: null,
      matched: null,
      suggestionId: null,
      skipped: null,
    });
  }

  /** A suggest node: the proposal, then the step past it. */
  suggest(lead: string, version: number, node: string, suggestionId: string, next: string): this {
    return this.add(`lead-${lead}`, 'SuggestionProposed', { suggestionId, leadId: lead, journeyId: JOURNEY, version, instanceId: `i-${lead}-${version}`, node }).step(
      lead,
      version,
      node,
      'suggest',
      next,
    );
  }

  wait(lead: string, version: number, node: string): this {
    return this.add(`lead-${lead}`, 'JourneyWaitStarted', { journeyId: JOURNEY, version, instanceId: `i-${lead}-${version}`, node, kind: 'for', until: null, dueAt: '2026-03-04T10:00:00.000Z' });
  }

  timer(lead: string, version: number, node: string, next: string): this {
    return this.add(`lead-${lead}`, 'JourneyTimerElapsed', { journeyId: JOURNEY, version, instanceId: `i-${lead}-${version}`, node, kind: 'wait', dueAt: '2026-03-04T10:00:00.000Z', next });
  }

  exit(lead: string, version: number, node: string | null, reason: string, via: string): this {
    return this.add(`lead-${lead}`, 'JourneyExited', { journeyId: JOURNEY, version, instanceId: `i-${lead}-${version}`, node, reason, via, checks: null });
  }

  suggestion(lead: string, type: string, suggestionId: string, data: Record<string, unknown> = {}): this {
    return this.add(`lead-${lead}`, type, { suggestionId, by: 'rep-1', ...data });
  }

  stage(lead: string, to: string): this {
    return this.add(`lead-${lead}`, 'LifecycleStageChanged', { messageId: 'm', from: null, to, amount: null, currency: null });
  }

  stats(): JourneyStats {
    const stats = new JourneyStats();
    for (const event of this.events) stats.apply(event);
    return stats;
  }
}

/** Version 2 renames call-now to call-first and labels the branch. */
function versionTwo(): Record<string, unknown> {
  const document = webinarFollowUp();
  const nodes = document.nodes as Record<string, Record<string, unknown>>;
  const { 'call-now': callNow, ...rest } = nodes;
  return {
    ...document,
    nodes: {
      'check-fit': { ...rest['check-fit'], label: 'Worth a call?', branches: [{ when: { all: [] }, next: 'call-first' }] },
      'call-first': callNow,
      'wait-outcome': rest['wait-outcome'],
      'wait-2-days': rest['wait-2-days'],
      'recap-email': rest['recap-email'],
      done: rest.done,
    },
  };
}

/**
 * Four leads over two versions:
 * - a (mql before entering): call-now, accepted and completed (connected), exits at done, then sql;
 * - b: waits two days, recap email dismissed (then an expiry that comes too late), exits at done;
 * - c: call-now snoozed twice then expired; reaches opportunity while waiting; exitWhen converted;
 * - d (version 2): call-first proposed and still open, waiting; reaches sql.
 */
function fourLeads(): History {
  return new History()
    .publish(1, webinarFollowUp())
    .stage('a', 'mql')
    .enter('a', 1)
    .step('a', 1, 'check-fit', 'branch', 'call-now')
    .suggest('a', 1, 'call-now', 's-a', 'wait-outcome')
    .wait('a', 1, 'wait-outcome')
    .enter('b', 1)
    .step('b', 1, 'check-fit', 'branch', 'wait-2-days')
    .wait('b', 1, 'wait-2-days')
    .refused('b', 1, 'already_active')
    .suggestion('a', 'SuggestionAccepted', 's-a')
    .suggestion('a', 'SuggestionCompleted', 's-a', { outcome: 'connected', note: null })
    .step('a', 1, 'wait-outcome', 'wait', 'done')
    .exit('a', 1, 'done', 'completed', 'exit_node')
    .stage('a', 'sql')
    .timer('b', 1, 'wait-2-days', 'recap-email')
    .suggest('b', 1, 'recap-email', 's-b', 'done')
    .exit('b', 1, 'done', 'completed', 'exit_node')
    .suggestion('b', 'SuggestionDismissed', 's-b', { reason: 'not_relevant', note: null })
    .suggestion('b', 'SuggestionExpired', 's-b')
    .enter('c', 1)
    .step('c', 1, 'check-fit', 'branch', 'call-now')
    .suggest('c', 1, 'call-now', 's-c', 'wait-outcome')
    .wait('c', 1, 'wait-outcome')
    .suggestion('c', 'SuggestionSnoozed', 's-c', { until: '2026-03-03T10:00:00.000Z' })
    .suggestion('c', 'SuggestionSnoozed', 's-c', { until: '2026-03-04T10:00:00.000Z' })
    .stage('c', 'opportunity')
    .exit('c', 1, 'wait-outcome', 'converted', 'exit_when')
    .suggestion('c', 'SuggestionExpired', 's-c')
    .publish(2, versionTwo())
    .enter('d', 2)
    .step('d', 2, 'check-fit', 'branch', 'call-first')
    .suggest('d', 2, 'call-first', 's-d', 'wait-outcome')
    .wait('d', 2, 'wait-outcome')
    .refused('a', 2, 'reentry_window')
    .stage('d', 'sql');
}

const noSuggestions = {
  proposed: 0,
  accepted: 0,
  completed: { total: 0, byOutcome: {} },
  dismissed: { total: 0, byReason: {} },
  expired: 0,
  snoozed: 0,
  open: 0,
};
const noExits = { total: 0, byReason: {} };

describe('journey statistics', () => {
  it('merges every version: entries, refusals, active instances, exits, later stages and each node', () => {
    const report = fourLeads().stats().report(JOURNEY);

    expect(report).toMatchObject({
      journeyId: JOURNEY,
      version: null,
      versions: [1, 2],
      publishedVersion: 2,
      entries: 4,
      leads: 4,
      refusals: { total: 2, byReason: { already_active: 1, reentry_window: 1 } },
      active: 1,
      exits: { total: 3, byReason: { completed: 2, converted: 1 } },
      // a's mql came before it entered: not counted.
      laterStages: { opportunity: 1, sql: 2 },
      byVersion: { '1': { entries: 3, active: 0, exits: 3 }, '2': { entries: 1, active: 1, exits: 0 } },
    });
    // The newest version's nodes in its document's order, then the nodes only older versions have.
    expect(Object.keys(report.nodes)).toEqual(['check-fit', 'call-first', 'wait-outcome', 'wait-2-days', 'recap-email', 'done', 'call-now']);
    expect(report.nodes['check-fit']).toEqual({
      type: 'branch',
      label: 'Worth a call?',
      visits: 4,
      leads: 4,
      exits: noExits,
      suggestions: noSuggestions,
      laterStages: { opportunity: 1, sql: 2 },
    });
    expect(report.nodes['call-now']).toEqual({
      type: 'suggest',
      label: null,
      visits: 2,
      leads: 2,
      exits: noExits,
      suggestions: {
        proposed: 2,
        accepted: 1,
        completed: { total: 1, byOutcome: { connected: 1 } },
        dismissed: { total: 0, byReason: {} },
        expired: 1,
        snoozed: 1,
        open: 0,
      },
      laterStages: { opportunity: 1, sql: 1 },
    });
    expect(report.nodes['call-first']).toMatchObject({ visits: 1, leads: 1, suggestions: { ...noSuggestions, proposed: 1, open: 1 }, laterStages: { sql: 1 } });
    // a's step out of the wait (the awaited event came) is not a second visit.
    expect(report.nodes['wait-outcome']).toMatchObject({ type: 'wait', visits: 3, leads: 3, exits: { total: 1, byReason: { converted: 1 } }, laterStages: { opportunity: 1, sql: 2 } });
    expect(report.nodes['wait-2-days']).toMatchObject({ visits: 1, leads: 1 });
    expect(report.nodes['wait-2-days']?.laterStages).toEqual({});
    // The expiry after the dismissal does not count: the first end of a suggestion is its end.
    expect(report.nodes['recap-email']?.suggestions).toEqual({ ...noSuggestions, proposed: 1, dismissed: { total: 1, byReason: { not_relevant: 1 } } });
    expect(report.nodes.done).toEqual({
      type: 'exit',
      label: null,
      visits: 2,
      leads: 2,
      exits: { total: 2, byReason: { completed: 2 } },
      suggestions: noSuggestions,
      laterStages: { sql: 1 },
    });
  });

  it('counts a stage only when the lead reached it after its first visit to the node', () => {
    const report = new History()
      .publish(1, webinarFollowUp())
      .stage('e', 'sql')
      .enter('e', 1)
      .step('e', 1, 'check-fit', 'branch', 'wait-2-days')
      .wait('e', 1, 'wait-2-days')
      .stage('e', 'opportunity')
      .timer('e', 1, 'wait-2-days', 'recap-email')
      .suggest('e', 1, 'recap-email', 's-e', 'done')
      .exit('e', 1, 'done', 'completed', 'exit_node')
      .stats()
      .report(JOURNEY);

    expect(report.laterStages).toEqual({ opportunity: 1 });
    expect(report.nodes['check-fit']?.laterStages).toEqual({ opportunity: 1 });
    expect(report.nodes['wait-2-days']?.laterStages).toEqual({ opportunity: 1 });
    expect(report.nodes['recap-email']?.laterStages).toEqual({});
    expect(report.nodes.done?.laterStages).toEqual({});
  });

  it('reports one version alone: its entries, refusals and nodes, with every version still listed', () => {
    const stats = fourLeads().stats();

    const one = stats.report(JOURNEY, { version: 1 });
    expect(one).toMatchObject({
      version: 1,
      versions: [1, 2],
      entries: 3,
      leads: 3,
      refusals: { total: 1, byReason: { already_active: 1 } },
      active: 0,
      exits: { total: 3, byReason: { completed: 2, converted: 1 } },
      laterStages: { opportunity: 1, sql: 1 },
      byVersion: { '1': { entries: 3 }, '2': { entries: 1 } },
    });
    expect(Object.keys(one.nodes)).toEqual(['check-fit', 'call-now', 'wait-outcome', 'wait-2-days', 'recap-email', 'done']);
    expect(one.nodes['check-fit']).toMatchObject({ label: null, visits: 3, leads: 3, laterStages: { opportunity: 1, sql: 1 } });
    expect(one.nodes['wait-outcome']).toMatchObject({ visits: 2, laterStages: { opportunity: 1, sql: 1 } });

    const two = stats.report(JOURNEY, { version: 2 });
    expect(two).toMatchObject({ version: 2, entries: 1, leads: 1, refusals: { total: 1, byReason: { reentry_window: 1 } }, active: 1, exits: noExits, laterStages: { sql: 1 } });
    expect(Object.keys(two.nodes)).toEqual(['check-fit', 'call-first', 'wait-outcome', 'wait-2-days', 'recap-email', 'done']);
    expect(two.nodes['check-fit']).toMatchObject({ label: 'Worth a call?', visits: 1, leads: 1 });
    // A node of the version nobody reached is listed with zeros.
    expect(two.nodes['recap-email']).toEqual({ type: 'suggest', label: null, visits: 0, leads: 0, exits: noExits, suggestions: noSuggestions, laterStages: {} });
  });

  it('counts a lead that went through two versions once in merged leads and stages', () => {
    const report = new History()
      .publish(1, webinarFollowUp())
      .enter('f', 1)
      .step('f', 1, 'check-fit', 'branch', 'wait-2-days')
      .wait('f', 1, 'wait-2-days')
      .exit('f', 1, 'wait-2-days', 'journey_archived', 'archived')
      .publish(2, webinarFollowUp())
      .enter('f', 2)
      .step('f', 2, 'check-fit', 'branch', 'wait-2-days')
      .wait('f', 2, 'wait-2-days')
      .stage('f', 'sql')
      .stats()
      .report(JOURNEY);

    expect(report).toMatchObject({ entries: 2, leads: 1, active: 1, exits: { total: 1, byReason: { journey_archived: 1 } }, laterStages: { sql: 1 } });
    expect(report.nodes['check-fit']).toMatchObject({ visits: 2, leads: 1, laterStages: { sql: 1 } });
    expect(report.nodes['wait-2-days']).toMatchObject({ visits: 2, leads: 1, exits: { total: 1, byReason: { journey_archived: 1 } } });
  });

  it('ignores suggestion events for suggestions it never saw proposed, and other journeys’ events', () => {
    const history = new History()
      .publish(1, webinarFollowUp())
      .suggestion('g', 'SuggestionCompleted', 's-unknown', { outcome: 'connected', note: null })
      .add('lead-g', 'TouchRecorded', { name: 'Webinar Attended' })
      .add('lead-g', 'JourneyEntered', { journeyId: 'other', version: 1, instanceId: 'i-g', start: 'x', trigger: {} });
    const report = history.stats().report(JOURNEY);

    expect(report).toMatchObject({ entries: 0, leads: 0, versions: [], publishedVersion: 1 });
    expect(report.laterStages).toEqual({});
    expect(report.nodes['call-now']?.suggestions).toEqual(noSuggestions);
  });

  it('reports zeros for a journey it never saw', () => {
    expect(new JourneyStats().report('nobody-knows')).toEqual({
      journeyId: 'nobody-knows',
      version: null,
      versions: [],
      publishedVersion: null,
      entries: 0,
      leads: 0,
      refusals: noExits,
      active: 0,
      exits: noExits,
      laterStages: {},
      byVersion: {},
      nodes: {},
    });
  });
});
