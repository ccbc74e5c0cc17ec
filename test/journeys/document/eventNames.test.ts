import { describe, expect, it } from 'vitest';
import { systemEventNameOfType } from '../../../journeys/facts/eventFacts.ts';
import { systemEventNames, touchEventNames } from '../../../journeys/facts/eventNames.ts';
import { touchEventNames as ingestTouchNames } from '../../../services/ingest/channels/eventNames.ts';

describe('the event names journeys know', () => {
  it("keeps its copy of the touch names equal to ingestion's catalogue", () => {
    expect([...touchEventNames]).toEqual([...ingestTouchNames]);
  });

  it('includes every system name the journey runner gives an event', () => {
    expect(systemEventNames).toEqual(expect.arrayContaining(Object.values(systemEventNameOfType)));
  });
});
