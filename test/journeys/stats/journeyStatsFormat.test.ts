/** The journey stats table for the terminal: given a report, then these lines. */
import { describe, expect, it } from 'vitest';
import type { JourneyStatsReport, NodeStats } from '../../../journeys/stats/index.ts';
import { formatJourneyStats } from '../../../services/cli/journeyStatsFormat.ts';

const none = { total: 0, byReason: {} };
function node(type: string, label: string | null, overrides: Partial<NodeStats> = {}): NodeStats {
  return {
    type,
    label,
    visits: 0,
    leads: 0,
    exits: none,
    suggestions: { proposed: 0, accepted: 0, completed: { total: 0, byOutcome: {} }, dismissed: none, expired: 0, snoozed: 0, open: 0 },
    laterStages: {},
    ...overrides,
  };
}

describe('journey stats for the terminal', () => {
  it('prints the summary, one row per node, and what reps did with the suggestions', () => {
    const report: JourneyStatsReport = {
      journeyId: 'webinar-follow-up',
      version: null,
      versions: [1, 2],
      publishedVersion: 2,
      entries: 3,
      leads: 3,
      refusals: { total: 1, byReason: { reentry_window: 1 } },
      active: 2,
      exits: { total: 1, byReason: { completed: 1 } },
      laterStages: { sql: 1 },
      byVersion: { '1': { entries: 2, active: 1, exits: 1 }, '2': { entries: 1, active: 1, exits: 0 } },
      nodes: {
        'check-fit': node('branch', 'Worth a call?', { visits: 3, leads: 3, laterStages: { sql: 1 } }),
        'call-now': node('suggest', null, {
          visits: 3,
          leads: 3,
          suggestions: { proposed: 3, accepted: 1, completed: { total: 1, byOutcome: { meeting_booked: 1 } }, dismissed: { total: 1, byReason: { bad_timing: 1 } }, expired: 0, snoozed: 0, open: 1 },
          laterStages: { sql: 1 },
        }),
        done: node('exit', null, { visits: 1, leads: 1, exits: { total: 1, byReason: { completed: 1 } }, laterStages: { sql: 1 } }),
      },
    };

    expect(formatJourneyStats(report).split('\n')).toEqual([
      'webinar-follow-up — all versions (v1, v2); published: v2',
      'entries 3 (3 leads)  active 2  exits 1 (completed 1)  refused 1 (reentry_window 1)',
      'later stages: sql 1',
      'by version: v1 2 entries, 1 active, 1 exits; v2 1 entries, 1 active, 0 exits',
      '',
      'node                       type     visits  leads  proposed  accepted  completed  dismissed  expired  open  exits            later stages',
      'check-fit (Worth a call?)  branch        3      3         -         -          -          -        -     -  -                sql 1',
      'call-now                   suggest       3      3         3         1          1          1        0     1  -                sql 1',
      'done                       exit          1      1         -         -          -          -        -     -  1 (completed 1)  sql 1',
      '',
      'what reps did:',
      '  call-now: completed meeting_booked 1, dismissed bad_timing 1',
      '',
    ]);
  });

  it('says so when there is nothing to show', () => {
    const empty: JourneyStatsReport = {
      journeyId: 'new-one',
      version: 2,
      versions: [],
      publishedVersion: null,
      entries: 0,
      leads: 0,
      refusals: none,
      active: 0,
      exits: none,
      laterStages: {},
      byVersion: {},
      nodes: {},
    };
    expect(formatJourneyStats(empty)).toBe('new-one — version 2; published: -\nentries 0 (0 leads)  active 0  exits 0  refused 0\nlater stages: -\n\nNo nodes to show.\n');
  });
});
