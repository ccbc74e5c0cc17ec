import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../services/core/index.ts';
import { isUuid, manualClock, newEvent, sequentialIds } from '../../services/core/index.ts';

describe('newEvent', () => {
  it('wraps a domain event in the envelope with an id and the clock’s time', () => {
    const clock = manualClock('2026-05-05T10:00:00.000Z');

    const event = newEvent({ type: 'OwnerAssigned', data: { repId: 'rep-7' } }, { clock });

    expect(isUuid(event.id)).toBe(true);
    expect(event).toMatchObject({
      type: 'OwnerAssigned',
      data: { repId: 'rep-7' },
      metadata: { occurredAt: '2026-05-05T10:00:00.000Z', causationId: null, correlationId: null, schemaVersion: 1 },
    });
  });

  it('takes an explicit id, time and schema version', () => {
    const event = newEvent(
      { type: 'TouchRecorded', data: {} },
      { id: '00000000-0000-7000-8000-00000000002a', occurredAt: '2026-01-01T12:00:00+02:00', schemaVersion: 2 },
    );

    expect(event.id).toBe('00000000-0000-7000-8000-00000000002a');
    expect(event.metadata.occurredAt).toBe('2026-01-01T10:00:00.000Z');
    expect(event.metadata.schemaVersion).toBe(2);
  });

  it('writes every given time the way toISOString does', () => {
    const at = (occurredAt: string) => newEvent({ type: 'TouchRecorded', data: {} }, { occurredAt }).metadata.occurredAt;
    for (const given of ['2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00Z', '2026-11-22T10:00:00.5Z', '2026-11-22', '2026-02-29T00:00:00.000Z', '2026-02-31T12:00:00.000Z', '2024-02-29T23:59:59.999Z', '2026-12-31T23:59:59.999Z']) {
      expect(at(given), given).toBe(new Date(given).toISOString());
    }
    expect(() => at('2026-13-01T00:00:00.000Z')).toThrow(RangeError);
  });

  it('an event caused by another carries the cause’s id and correlation on', () => {
    const cause: Pick<RecordedEvent, 'id' | 'metadata'> = {
      id: 'cause-1',
      metadata: { occurredAt: '', recordedAt: '', causationId: 'request-9', correlationId: 'request-9', schemaVersion: 1 },
    };

    const effect = newEvent({ type: 'SuggestionProposed', data: {} }, { causedBy: cause, ids: sequentialIds() });

    expect(effect.metadata.causationId).toBe('cause-1');
    expect(effect.metadata.correlationId).toBe('request-9');
  });

  it('the first event of a chain starts its correlation with its cause’s id', () => {
    const cause: Pick<RecordedEvent, 'id' | 'metadata'> = {
      id: 'root-event',
      metadata: { occurredAt: '', recordedAt: '', causationId: null, correlationId: null, schemaVersion: 1 },
    };

    expect(newEvent({ type: 'X', data: {} }, { causedBy: cause }).metadata.correlationId).toBe('root-event');
  });

  it('a command’s message id becomes the causation and, by default, the correlation', () => {
    expect(newEvent({ type: 'X', data: {} }, { causedBy: { messageId: 'msg-1' } }).metadata).toMatchObject({
      causationId: 'msg-1',
      correlationId: 'msg-1',
    });
    expect(newEvent({ type: 'X', data: {} }, { causedBy: { messageId: 'msg-1', correlationId: 'flow-3' } }).metadata).toMatchObject({
      causationId: 'msg-1',
      correlationId: 'flow-3',
    });
  });
});
