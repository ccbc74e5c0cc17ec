import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJourneySource } from '../../../journeys/document/index.ts';
import { journeyLibraryDir } from '../../../journeys/library/index.ts';
import type { GivenEvent, JourneyScenario } from '../journeyScenario.ts';

/** Publishes a shipped journey (journeys/library/<id>.yaml) into the scenario; fails on an invalid file. */
export async function publishLibraryJourney(scenario: JourneyScenario, id: string): Promise<void> {
  const parsed = parseJourneySource(readFileSync(join(journeyLibraryDir, `${id}.yaml`), 'utf8'), { format: 'yaml', fileName: `${id}.yaml` });
  if (!parsed.ok) throw new Error(`${id}.yaml is invalid: ${JSON.stringify(parsed.issues)}`);
  await scenario.publish(parsed.journey);
}

/** The suggestions of a scenario so far, as a rep would list them. */
export function suggestions(scenario: JourneyScenario): { action: string; priority: string; title: string; at: string; dueAt: string }[] {
  return scenario.all('SuggestionProposed').map((event) => {
    const data = event.data as { action: string; priority: string; title: string; dueAt: string };
    return { action: data.action, priority: data.priority, title: data.title, at: event.metadata.occurredAt, dueAt: data.dueAt };
  });
}

export function account(accountId: string, name: string, employees: number, at: string): GivenEvent {
  return {
    type: 'AccountAssociated',
    at,
    data: { messageId: `acct-${accountId}-${at}`, accountId, via: 'group', groupId: accountId, domain: null, name, traits: { employees } },
  };
}

export function identified(identities: { kind: string; value: string }[], at: string): GivenEvent {
  return { type: 'LeadIdentified', at, data: { messageId: `id-${at}`, via: 'identify', identities } };
}
