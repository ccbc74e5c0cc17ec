import type { JourneyStatsReport, NodeStats, ReasonCounts } from '../../journeys/stats/index.ts';

/**
 * A journey's statistics as text for a terminal: a summary, then one row per node (visits, leads,
 * suggestions by state, later stages), then what reps did with the suggestions, by outcome and
 * reason. For `nudge journeys stats <id>`:
 *
 *   stdout.write(formatJourneyStats(projection.report(id)));
 */
export function formatJourneyStats(report: JourneyStatsReport): string {
  const lines: string[] = [];
  const scope = report.version === null ? `all versions (${report.versions.length === 0 ? 'none entered yet' : report.versions.map((v) => `v${v}`).join(', ')})` : `version ${report.version}`;
  lines.push(`${report.journeyId} — ${scope}; published: ${report.publishedVersion === null ? '-' : `v${report.publishedVersion}`}`);
  lines.push(
    `entries ${report.entries} (${report.leads} lead${report.leads === 1 ? '' : 's'})  active ${report.active}  exits ${counted(report.exits)}  refused ${counted(report.refusals)}`,
  );
  lines.push(`later stages: ${stages(report.laterStages)}`);
  if (report.version === null && report.versions.length > 1) {
    lines.push(`by version: ${Object.entries(report.byVersion).map(([version, v]) => `v${version} ${v.entries} entries, ${v.active} active, ${v.exits} exits`).join('; ')}`);
  }
  lines.push('');

  const nodes = Object.entries(report.nodes);
  if (nodes.length === 0) return `${lines.join('\n')}\nNo nodes to show.\n`;
  const header = ['node', 'type', 'visits', 'leads', 'proposed', 'accepted', 'completed', 'dismissed', 'expired', 'open', 'exits', 'later stages'];
  const rows = nodes.map(([id, node]) => nodeRow(id, node));
  lines.push(table(header, rows));

  const outcomes = nodes.flatMap(([id, node]) => {
    const parts = [...Object.entries(node.suggestions.completed.byOutcome).map(([outcome, n]) => `completed ${outcome} ${n}`), ...Object.entries(node.suggestions.dismissed.byReason).map(([reason, n]) => `dismissed ${reason} ${n}`)];
    return parts.length === 0 ? [] : [`  ${id}: ${parts.join(', ')}`];
  });
  if (outcomes.length > 0) lines.push('', 'what reps did:', ...outcomes);
  return `${lines.join('\n')}\n`;
}

function nodeRow(id: string, node: NodeStats): string[] {
  const s = node.suggestions;
  const suggests = s.proposed > 0 || node.type === 'suggest';
  const dash = (value: number) => (suggests ? String(value) : '-');
  return [
    node.label === null ? id : `${id} (${node.label})`,
    node.type ?? '?',
    String(node.visits),
    String(node.leads),
    dash(s.proposed),
    dash(s.accepted),
    dash(s.completed.total),
    dash(s.dismissed.total),
    dash(s.expired),
    dash(s.open),
    node.exits.total === 0 ? '-' : counted(node.exits),
    stages(node.laterStages),
  ];
}

function counted(counts: ReasonCounts): string {
  const parts = Object.entries(counts.byReason).map(([reason, n]) => `${reason} ${n}`);
  return parts.length === 0 ? String(counts.total) : `${counts.total} (${parts.join(', ')})`;
}

function stages(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts).map(([stage, n]) => `${stage} ${n}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const numeric = (column: number) => column >= 2 && column <= 9;
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (numeric(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
