import { randomUUID } from 'node:crypto';
import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { UnavailableError, ValidationError } from '../../services/core/index.ts';
import type { Checkpoints, GlobalPosition } from '../../services/ports/index.ts';
import { connectKurrentDb } from './connectionString.ts';
import { isMissingStream, isWrongExpectedVersion, translateError } from './errorTranslation.ts';
import { jsonEventData } from './recordedEvents.ts';
import { checkpointStream } from './reservedStreams.ts';

export interface KurrentDbCheckpointsOptions {
  /** The same server as the event store's (see createKurrentDbEventStore). */
  readonly connectionString: string;
  /** Keeps several sets of checkpoints apart on one server (tests, or two deployments). Default: none. */
  readonly scope?: string;
}

/** A stale `set` that lost a race is tried again this often before it gives up. */
const MAX_ATTEMPTS = 10;

interface Stored {
  readonly position: GlobalPosition;
  readonly revision: bigint;
}

/**
 * Checkpoints kept in KurrentDB, so that processes on several hosts share them (docs/scale.md):
 * one stream per subscriber, `nudge.checkpoint-<name>`, whose last event holds the position. The
 * stream's metadata sets `$maxCount: 1`, so KurrentDB keeps only the newest event (older ones go at
 * the next scavenge). A `set` writes only past the stored position, with the stream's revision as
 * its expectation: of two processes racing, the one that lost reads again and writes only if it
 * is still ahead, so a checkpoint never moves backwards. `reset` writes position 0.
 *
 *   const checkpoints = createKurrentDbCheckpoints({ connectionString: 'kurrentdb://kurrentdb:2113?tls=false' });
 */
export function createKurrentDbCheckpoints(options: KurrentDbCheckpointsOptions): Checkpoints {
  const client = connectKurrentDb(options.connectionString);
  let open = true;
  const guard = (): void => {
    if (!open) throw new UnavailableError('the checkpoints are closed');
  };
  const streamOf = (name: string): string => checkpointStream(name, options.scope);

  return {
    async get(name) {
      guard();
      return (await readStored(client, streamOf(name)))?.position ?? 0;
    },
    async set(name, position) {
      guard();
      if (!Number.isSafeInteger(position) || position < 0) throw new ValidationError('cannot store the checkpoint', [{ path: 'position', message: 'must be a whole number ≥ 0' }]);
      const stream = streamOf(name);
      for (let attempt = 1; ; attempt++) {
        const stored = await readStored(client, stream);
        if (stored !== null && stored.position >= position) return;
        try {
          if (stored === null) await client.setStreamMetadata(stream, { maxCount: 1 });
          await client.appendToStream(stream, jsonEventData(randomUUID(), 'CheckpointStored', { position }), { streamState: stored === null ? 'no_stream' : stored.revision });
          return;
        } catch (error) {
          if (!isWrongExpectedVersion(error) || attempt >= MAX_ATTEMPTS) throw translateError(error, `store checkpoint ${name}`);
        }
      }
    },
    async reset(name) {
      guard();
      const stream = streamOf(name);
      if ((await readStored(client, stream)) === null) return;
      try {
        await client.appendToStream(stream, jsonEventData(randomUUID(), 'CheckpointReset', { position: 0 }));
      } catch (error) {
        throw translateError(error, `reset checkpoint ${name}`);
      }
    },
    async close() {
      if (!open) return;
      open = false;
      await client.dispose();
    },
  };
}

async function readStored(client: KurrentDBClient, stream: string): Promise<Stored | null> {
  try {
    for await (const resolved of client.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 1 })) {
      if (resolved.event === undefined) continue;
      const position = (resolved.event.data as { position?: unknown } | null)?.position;
      if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
        throw new UnavailableError(`KurrentDB: the checkpoint stream ${stream} holds no position`);
      }
      return { position, revision: resolved.event.revision };
    }
    return null;
  } catch (error) {
    if (isMissingStream(error)) return null;
    throw translateError(error, `read checkpoint ${stream}`);
  }
}
