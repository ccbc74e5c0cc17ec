/**
 * The envelope through KurrentDB: given a Nudge event, when it is written (as a multi-stream
 * append record) and read back (KurrentDB shows the record's properties as JSON metadata, next to
 * its own `$schema.*` keys), then the same event, metadata exact; and which streams are the domain's.
 */
import type { JSONRecordedEvent } from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import { fromMetadata, METADATA_PROPERTY, toEventData, toRecordedEvent } from '../../../infra/kurrentdb/recordedEvents.ts';
import { DOMAIN_STREAMS_REGEX, eventIdStream, isDomainEvent, isDomainStream } from '../../../infra/kurrentdb/reservedStreams.ts';
import { newEvent } from '../../../services/core/index.ts';

const event = newEvent(
  { type: 'TouchRecorded', data: { name: '网络研讨会 — “Pricing” 🚀', nested: { list: [1, 2.5, null, true] } } },
  { occurredAt: '2026-11-01T09:30:00.000Z', causedBy: { messageId: 'req-1', correlationId: 'corr-1' }, schemaVersion: 3 },
);

describe('an event written to KurrentDB', () => {
  it('carries its data as JSON and its metadata, recordedAt included, as one string property', () => {
    const data = toEventData(event, '2026-11-01T09:30:01.000Z');

    expect(data).toMatchObject({ id: event.id, type: 'TouchRecorded', contentType: 'application/json', data: event.data });
    expect(Object.values(data.metadata as Record<string, unknown>).every((value) => typeof value === 'string')).toBe(true);
  });

  it('reads back as the same event, with its stream, revision and position', () => {
    const written = toEventData(event, '2026-11-01T09:30:01.000Z');
    const shownByKurrentDb = { '$schema.format': 'Json', '$schema.name': 'TouchRecorded', ...(written.metadata as Record<string, string>) };
    const read: JSONRecordedEvent = {
      streamId: 'lead-42',
      id: event.id,
      isJson: true,
      revision: 3n,
      type: 'TouchRecorded',
      created: new Date('2026-11-01T09:30:01.002Z'),
      data: event.data,
      metadata: shownByKurrentDb,
      position: { commit: 8_812n, prepare: 8_812n },
    };

    expect(toRecordedEvent(read)).toEqual({
      id: event.id,
      stream: 'lead-42',
      revision: 3,
      position: 8_812,
      type: 'TouchRecorded',
      data: event.data,
      metadata: { ...event.metadata, recordedAt: '2026-11-01T09:30:01.000Z' },
    });
  });

  it('written by another tool, reads as recorded when KurrentDB stored it, with no causation', () => {
    expect(fromMetadata({ source: 'importer' }, new Date('2026-02-03T04:05:06.000Z'))).toEqual({
      occurredAt: '2026-02-03T04:05:06.000Z',
      recordedAt: '2026-02-03T04:05:06.000Z',
      causationId: null,
      correlationId: null,
      schemaVersion: 1,
    });
    expect(fromMetadata(undefined, new Date(0)).schemaVersion).toBe(1);
    expect(METADATA_PROPERTY.startsWith('$')).toBe(false);
  });
});

describe('the domain’s streams', () => {
  it("exclude KurrentDB's ($…) and the store's own (nudge.…), on the server and in the adapter alike", () => {
    const regex = new RegExp(DOMAIN_STREAMS_REGEX);
    const streams = ['lead-42', 'visitor-a1', 'journey-x', '$stats-127.0.0.1:2113', '$$lead-42', eventIdStream(event.id), 'nudge.checkpoint-journey-runner'];

    expect(streams.filter((stream) => regex.test(stream))).toEqual(['lead-42', 'visitor-a1', 'journey-x']);
    expect(streams.filter(isDomainStream)).toEqual(['lead-42', 'visitor-a1', 'journey-x']);
    expect(isDomainEvent('lead-42', '$metadata')).toBe(false);
    expect(isDomainEvent('lead-42', 'TouchRecorded')).toBe(true);
  });

  it('key the id guard by the lower-case id, as KurrentDB returns ids', () => {
    expect(eventIdStream('0190E4A8-0000-7000-8000-00000000000A')).toBe('nudge.event-id-0190e4a8-0000-7000-8000-00000000000a');
  });
});
