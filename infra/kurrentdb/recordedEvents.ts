import type { EventData, JSONType, RecordedEvent as KurrentRecordedEvent } from '@kurrent/kurrentdb-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../services/core/index.ts';
import { toGlobalPosition, toRevision } from './globalPositions.ts';

/**
 * How an event's envelope travels through KurrentDB.
 *
 * Data is the event's JSON. Metadata goes as one property, `nudge.metadata`, holding the
 * envelope's metadata as a JSON string: multi-stream appends (the only way this adapter writes)
 * take properties as string → string, and KurrentDB shows them to readers as the event's JSON
 * metadata, next to its own `$schema.*` keys. A string property keeps numbers (schemaVersion) and
 * nulls (causationId) exactly.
 */
export const METADATA_PROPERTY = 'nudge.metadata';

export function toEventData(event: NewEvent, recordedAt: string): EventData {
  const metadata: EventMetadata = { ...event.metadata, recordedAt };
  return jsonEventData(event.id, event.type, event.data, { [METADATA_PROPERTY]: JSON.stringify(metadata) });
}

/** A JSON event as the client takes it (what its `jsonEvent()` builds, without loading the client). */
export function jsonEventData(id: string, type: string, data: unknown, metadata?: Record<string, string>): EventData {
  return { id, contentType: 'application/json', type, data: data as JSONType, metadata };
}

/** An event as KurrentDB returned it (from a stream or from $all), as the port's RecordedEvent. */
export function toRecordedEvent(event: KurrentRecordedEvent): RecordedEvent {
  return {
    id: event.id,
    stream: event.streamId,
    revision: toRevision(event.revision),
    position: toGlobalPosition(event.position),
    type: event.type,
    data: event.isJson ? event.data : Buffer.from(event.data).toString('base64'),
    metadata: fromMetadata(event.metadata, event.created),
  };
}

/**
 * The envelope's metadata from what KurrentDB returns: an object with `nudge.metadata` (written
 * by this adapter). An event another tool wrote into a domain stream has no envelope: it reads
 * as happened and recorded when KurrentDB stored it, with no causation, schema version 1.
 */
export function fromMetadata(raw: unknown, created: Date): EventMetadata {
  const property = typeof raw === 'object' && raw !== null && !(raw instanceof Uint8Array) ? (raw as Record<string, unknown>)[METADATA_PROPERTY] : undefined;
  if (typeof property === 'string') return JSON.parse(property) as EventMetadata;
  const at = created.toISOString();
  return { occurredAt: at, recordedAt: at, causationId: null, correlationId: null, schemaVersion: 1 };
}
