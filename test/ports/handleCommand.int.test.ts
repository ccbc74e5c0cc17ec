import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import type { Command, Decider, Event } from '../../services/core/index.ts';
import { ConcurrencyError, manualClock, newEvent } from '../../services/core/index.ts';
import type { EventStore } from '../../services/ports/index.ts';
import { handleCommand } from '../../services/ports/index.ts';

type Tag = Command<'TagLead', { tag: string }>;
type Tagged = Event<'LeadTagged', { tag: string; at: string }>;
type Tags = readonly string[];

const tags: Decider<Tag, Tags, Tagged> = {
  initialState: () => [],
  evolve: (state, event) => [...state, event.data.tag],
  decide: (command, state, { now }) => (state.includes(command.data.tag) ? [] : [{ type: 'LeadTagged', data: { tag: command.data.tag, at: now.toISOString() } }]),
};

describe('handleCommand', () => {
  let store: EventStore;
  const clock = manualClock('2026-02-02T02:02:02.000Z');

  beforeEach(() => {
    store = createSqliteEventStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('given a new stream, when a command is handled, then its events are appended with causation', async () => {
    const result = await handleCommand(store, 'lead-1', tags, { type: 'TagLead', data: { tag: 'vip' }, metadata: { messageId: 'req-1' } }, { clock });

    expect(result.state).toEqual(['vip']);
    expect(result.streamRevision).toBe(0);
    const [stored] = await store.readStream('lead-1');
    expect(stored).toMatchObject({
      type: 'LeadTagged',
      data: { tag: 'vip', at: '2026-02-02T02:02:02.000Z' },
      metadata: { causationId: 'req-1', correlationId: 'req-1', occurredAt: '2026-02-02T02:02:02.000Z' },
    });
  });

  it('given a decision of no events, then nothing is appended', async () => {
    await handleCommand(store, 'lead-1', tags, { type: 'TagLead', data: { tag: 'vip' } }, { clock });

    const again = await handleCommand(store, 'lead-1', tags, { type: 'TagLead', data: { tag: 'vip' } }, { clock });

    expect(again.appended).toEqual([]);
    expect(await store.readStream('lead-1')).toHaveLength(1);
  });

  it('given another writer appends between read and append, then it re-reads and decides again', async () => {
    let interfered = false;
    const racing: EventStore = {
      ...store,
      readStream: (stream, options) => store.readStream(stream, options),
      append: async (stream, events, options) => {
        if (!interfered) {
          interfered = true;
          await store.append(stream, [newEvent({ type: 'LeadTagged', data: { tag: 'partner', at: 'x' } })]);
        }
        return store.append(stream, events, options);
      },
    };

    const result = await handleCommand(racing, 'lead-2', tags, { type: 'TagLead', data: { tag: 'vip' } }, { clock });

    expect(result.state).toEqual(['partner', 'vip']);
    expect((await store.readStream('lead-2')).map((e) => (e.data as { tag: string }).tag)).toEqual(['partner', 'vip']);
  });

  it('given a writer that always wins, then it gives up after the retries with the ConcurrencyError', async () => {
    const alwaysLosing: EventStore = {
      ...store,
      readStream: (stream, options) => store.readStream(stream, options),
      append: async (stream, events, options) => {
        await store.append(stream, [newEvent({ type: 'LeadTagged', data: { tag: `other-${Math.random()}`, at: 'x' } })]);
        return store.append(stream, events, options);
      },
    };

    await expect(handleCommand(alwaysLosing, 'lead-3', tags, { type: 'TagLead', data: { tag: 'vip' } }, { clock, retries: 2 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect((await store.readStream('lead-3')).map((e) => (e.data as { tag: string }).tag)).not.toContain('vip');
  });
});
