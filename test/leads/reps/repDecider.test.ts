/**
 * A rep's stream: given its events, when a command comes, then these events (or the refusal that
 * names the problem).
 */
import { describe, expect, it } from 'vitest';
import type { Event } from '../../../services/core/index.ts';
import { ConflictError, fold, NotFoundError, ValidationError } from '../../../services/core/index.ts';
import type { RepEvent } from '../../../services/events/index.ts';
import type { RepCommand } from '../../../services/leads/index.ts';
import { repDecider } from '../../../services/leads/index.ts';

const now = new Date('2026-03-02T09:00:00Z');
const added: RepEvent = {
  type: 'RepAdded',
  data: { repId: 'rep-ana', name: 'Ana Lima', email: 'ana@orbitly.example', team: 'americas', territory: ['BR', 'US'], languages: ['en', 'pt'], dailyCapacity: 20, timeZone: 'America/Sao_Paulo' },
};

function decide(given: readonly RepEvent[], command: RepCommand): readonly Event[] {
  return repDecider.decide(command, fold(repDecider, given), { now });
}

function refusal(given: readonly RepEvent[], command: RepCommand): Error {
  try {
    decide(given, command);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the command to be refused');
}

describe('adding a rep', () => {
  it('records RepAdded with the fields normalised and the defaults filled in', () => {
    const events = decide([], {
      type: 'AddRep',
      data: { fields: { id: 'rep-ben', name: ' Ben Okafor ', email: 'Ben@Orbitly.example', team: 'americas', territory: ['us', 'ca', 'US'], languages: ['EN'] } },
    });

    expect(events).toEqual([
      {
        type: 'RepAdded',
        data: { repId: 'rep-ben', name: 'Ben Okafor', email: 'ben@orbitly.example', team: 'americas', territory: ['CA', 'US'], languages: ['en'], dailyCapacity: 20, timeZone: 'UTC' },
      },
    ]);
  });

  it('refuses a rep id already taken with ConflictError', () => {
    const error = refusal([added], { type: 'AddRep', data: { fields: { id: 'rep-ana', name: 'Ana', email: 'a@b.example', team: 'emea' } } });

    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain('rep rep-ana already exists');
  });

  it('refuses invalid fields with ValidationError naming each of them', () => {
    const error = refusal([], {
      type: 'AddRep',
      data: { fields: { id: 'Rep Ana', name: '', email: 'not-an-email', team: 'americas', territory: ['USA'], languages: ['english'], dailyCapacity: -1, timeZone: 'Mars/Olympus' } },
    });

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path).sort()).toEqual(['dailyCapacity', 'email', 'id', 'languages[0]', 'name', 'territory[0]', 'timeZone']);
  });
});

describe('updating a rep', () => {
  it('records only the fields that change', () => {
    const events = decide([added], { type: 'UpdateRep', data: { repId: 'rep-ana', changes: { team: 'americas', dailyCapacity: 12, timeZone: 'America/New_York' } } });

    expect(events).toEqual([{ type: 'RepUpdated', data: { repId: 'rep-ana', changes: { dailyCapacity: 12, timeZone: 'America/New_York' } } }]);
  });

  it('records nothing when every value is the current one', () => {
    expect(decide([added], { type: 'UpdateRep', data: { repId: 'rep-ana', changes: { territory: ['US', 'BR'], name: 'Ana Lima' } } })).toEqual([]);
  });

  it('refuses an update that changes nothing at all, or a rep that does not exist', () => {
    expect(refusal([added], { type: 'UpdateRep', data: { repId: 'rep-ana', changes: {} } })).toBeInstanceOf(ValidationError);
    expect(refusal([], { type: 'UpdateRep', data: { repId: 'rep-zoe', changes: { name: 'Zoe' } } })).toBeInstanceOf(NotFoundError);
  });

  it('folds the changes into the rep', () => {
    const state = fold(repDecider, [added, { type: 'RepUpdated', data: { repId: 'rep-ana', changes: { team: 'emea', languages: ['de'] } } }]);

    expect(state.rep).toMatchObject({ id: 'rep-ana', team: 'emea', languages: ['de'], territory: ['BR', 'US'], active: true });
  });
});

describe('deactivating and reactivating a rep', () => {
  it('deactivates an active rep with the reason, and reactivates them', () => {
    expect(decide([added], { type: 'DeactivateRep', data: { repId: 'rep-ana', reason: ' parental leave ' } })).toEqual([
      { type: 'RepDeactivated', data: { repId: 'rep-ana', reason: 'parental leave' } },
    ]);
    const deactivated: RepEvent = { type: 'RepDeactivated', data: { repId: 'rep-ana', reason: 'parental leave' } };
    expect(fold(repDecider, [added, deactivated]).rep).toMatchObject({ active: false, deactivatedReason: 'parental leave' });
    expect(decide([added, deactivated], { type: 'ReactivateRep', data: { repId: 'rep-ana' } })).toEqual([{ type: 'RepReactivated', data: { repId: 'rep-ana' } }]);
  });

  it('refuses to deactivate an inactive rep or reactivate an active one, saying which', () => {
    const deactivated: RepEvent = { type: 'RepDeactivated', data: { repId: 'rep-ana', reason: null } };
    const again = refusal([added, deactivated], { type: 'DeactivateRep', data: { repId: 'rep-ana', reason: null } });
    expect(again).toBeInstanceOf(ConflictError);
    expect(again.message).toBe('rep rep-ana is already inactive');
    expect(refusal([added], { type: 'ReactivateRep', data: { repId: 'rep-ana' } })).toBeInstanceOf(ConflictError);
    expect(refusal([], { type: 'DeactivateRep', data: { repId: 'rep-ana', reason: null } })).toBeInstanceOf(NotFoundError);
  });
});
