import type { DemoMessage } from './demoMessage.ts';
import type { Stage } from './funnel.ts';
import { stages } from './funnel.ts';

/** What a demo stream held: messages by call type and by event, and how many leads reached each stage. */
export interface DemoTally {
  messages: number;
  readonly byType: Record<DemoMessage['type'], number>;
  readonly byEvent: Map<string, number>;
  /** `Lifecycle Stage Changed` messages per stage: each contact moves through the stages in order, once. */
  readonly stages: Record<Stage, number>;
}

export function emptyDemoTally(): DemoTally {
  return {
    messages: 0,
    byType: { page: 0, track: 0, identify: 0, group: 0, alias: 0 },
    byEvent: new Map(),
    stages: Object.fromEntries(stages.map((stage) => [stage, 0])) as Record<Stage, number>,
  };
}

/**
 * Counts a message into the tally, for the summary the CLI prints and the tests check.
 *
 *   const tally = emptyDemoTally();
 *   for (const message of demoMessages(world)) countDemoMessage(tally, message);
 */
export function countDemoMessage(tally: DemoTally, message: DemoMessage): void {
  tally.messages += 1;
  tally.byType[message.type] += 1;
  if (message.type !== 'track') return;
  tally.byEvent.set(message.event, (tally.byEvent.get(message.event) ?? 0) + 1);
  if (message.event === 'Lifecycle Stage Changed') tally.stages[message.properties.stage as Stage] += 1;
}
