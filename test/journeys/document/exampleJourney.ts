import { expect } from 'vitest';
import type { JourneyDocument } from '../../../journeys/document/index.ts';
import { parseJourneySource } from '../../../journeys/document/index.ts';

/** The example of ../shared/JOURNEYS.md, made valid (the recap email has a title). */
export const exampleYaml = `apiVersion: nudge/v1
kind: Journey
id: webinar-follow-up
name: Webinar follow-up
description: Attendees who fit our profile get a call; others get a recap email.
trigger:
  event: Webinar Attended
  when:
    all:
      - { fact: lead, path: $.traits.country, operator: in, value: [CN, SG, US] }
reentry: P30D
exitWhen:
  - reason: converted
    when: { all: [ { fact: lead, path: $.stage, operator: in, value: [sql, opportunity, customer] } ] }
start: check-fit
nodes:
  check-fit:
    type: branch
    branches:
      - when: { all: [ { fact: score, path: $.fit, operator: greaterThanInclusive, value: 60 } ] }
        next: call-now
    otherwise: wait-2-days
  call-now:
    type: suggest
    action: call
    priority: high
    dueIn: P1D
    expiresIn: P5D
    title: "Call {{lead.traits.firstName}} about {{trigger.properties.webinar_title}}"
    body: "They attended and fit the profile (fit score {{score.fit}})."
    next: wait-outcome
  wait-outcome:
    type: wait
    until: { event: Suggestion Completed }
    timeout: P3D
    onTimeout: recap-email
    next: done
  wait-2-days:
    type: wait
    for: P2D
    next: recap-email
  recap-email:
    type: suggest
    action: email
    title: Send the recap
    subject: "Slides from {{trigger.properties.webinar_title}}"
    body: "Hi {{lead.traits.firstName | \\"there\\"}}, ..."
    next: done
  done:
    type: exit
`;

/** A fresh copy of the example as a parsed document, to change one thing in. */
export function exampleJourney(): JourneyDocument {
  const parsed = parseJourneySource(exampleYaml, { format: 'yaml' });
  if (!parsed.ok) expect.fail(`the example journey is invalid: ${JSON.stringify(parsed.issues)}`);
  return structuredClone(parsed.journey);
}

/** The 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const index = text.indexOf(needle, from);
  if (index < 0) expect.fail(`${JSON.stringify(needle)} is not in the text`);
  return text.slice(0, index).split('\n').length;
}
