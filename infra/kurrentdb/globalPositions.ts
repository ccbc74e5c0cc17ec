import type { Position } from '@kurrent/kurrentdb-client';
import { UnavailableError } from '../../services/core/index.ts';
import type { GlobalPosition } from '../../services/ports/index.ts';

/**
 * KurrentDB's place of an event in $all is a pair of bigints, {commit, prepare}: byte offsets of
 * records in its transaction log. The port's GlobalPosition is one JS number, 0 before the first
 * event, and the rest of Nudge only needs it to be unique per event and to increase in the
 * order of $all (checkpoints compare positions; gaps are allowed).
 *
 * Why the commit position alone is that number: every append KurrentDB has accepted since its
 * gRPC API (EventStoreDB 20+, and so every append this adapter makes, multi-stream ones included)
 * is an implicit transaction whose records are each marked committed; such an event's commit
 * position is its own log offset (KurrentDB's ResolvedEvent gives TFPos(LogPosition, LogPosition)
 * for a self-committed event, from $all and from stream reads alike). Log offsets are unique and
 * grow in the order of $all, and no user event sits at offset 0 (the log opens with its own
 * records), so START = 0 stays "before everything". Reading from a number goes back to
 * {commit: n, prepare: n}, which is how Kurrent's own clients turn a single log position back
 * into a $all position.
 *
 * Why a number is safe: an offset is a count of bytes written to the log. Numbers are exact up to
 * 2^53 - 1 bytes (8 PiB of events, far beyond what one Nudge deployment writes), and the check
 * below refuses anything larger rather than round it, because a rounded position could make a
 * subscriber skip or repeat events. An absent position (the server did not report it; KurrentDB
 * sends 2^64 - 1 then) is refused the same way.
 */
const LARGEST = BigInt(Number.MAX_SAFE_INTEGER);

export function toGlobalPosition(position: Position | undefined): GlobalPosition {
  if (position === undefined) throw new UnavailableError('KurrentDB did not report the position of an event (KurrentDB 25.1 or later is needed)');
  const { commit } = position;
  if (commit <= 0n || commit > LARGEST) {
    throw new UnavailableError(`KurrentDB reported the position ${commit} for an event, outside 1 … 2^53-1: it cannot be a Nudge position`);
  }
  return Number(commit);
}

/** The $all position to read from for a stored GlobalPosition (never START: callers use START for 0). */
export function toAllPosition(position: GlobalPosition): Position {
  if (!Number.isSafeInteger(position) || position <= 0) throw new RangeError(`not a KurrentDB log position: ${position}`);
  const offset = BigInt(position);
  return { commit: offset, prepare: offset };
}

/** Stream revisions are counts of events in one stream: safe as numbers for any real stream. */
export function toRevision(revision: bigint): number {
  if (revision < 0n || revision > LARGEST) throw new UnavailableError(`KurrentDB reported the stream revision ${revision}, outside 0 … 2^53-1`);
  return Number(revision);
}
