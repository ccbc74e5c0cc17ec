import type { QueueItem, QueueView } from '../suggestions/index.ts';

/** A rep's queue as a terminal reads it: today's items in order with their reasons, then what waits. */
export function formatQueue(view: QueueView): string {
  const counts = view.counts;
  const lines = [
    `${view.ownerId}: ${view.today.length} for today, ${view.later.length} later · open ${counts.open} (overdue ${counts.overdue}) · completed ${counts.completed}, dismissed ${counts.dismissed}, expired ${counts.expired}`,
    '',
  ];
  if (view.today.length === 0) lines.push('Nothing due today.');
  view.today.forEach((item, i) => lines.push(...describe(item, `${i + 1}.`)));
  if (view.later.length > 0) {
    lines.push('', 'Later:');
    for (const item of view.later.slice(0, 10)) lines.push(`  - [${item.priority}] ${item.title} (due ${item.dueAt.slice(0, 16).replace('T', ' ')})`);
    if (view.later.length > 10) lines.push(`  … and ${view.later.length - 10} more`);
  }
  return `${lines.join('\n')}\n`;
}

function describe(item: QueueItem, number: string): string[] {
  const who = [item.lead.name, item.lead.title, item.lead.company].filter((part) => part).join(', ');
  return [
    `${number} [${item.priority}] ${item.action}: ${item.title}${who ? ` — ${who}` : ''}`,
    `   due ${item.dueAt.slice(0, 16).replace('T', ' ')} UTC · ${item.status} · ${item.suggestionId}`,
    `   why: ${item.reason}`,
    ...item.alsoBecause.map((other) => `   also (${other.journeyId}): ${other.reason}`),
  ];
}
