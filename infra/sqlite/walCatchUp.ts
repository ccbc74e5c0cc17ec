/**
 * When the SQLite store's checkpointer asks the writer to copy the rest of the WAL (see
 * sqliteCheckpointerThread.ts). Every commit waits while the writer copies, so the checkpointer
 * first runs checkpoints back to back, each copying only what was committed during the one
 * before: under load each pass copies less than the one before (the copies outpace the commits),
 * and once a pass copies at most FINISH_FRAMES, the writer is left about as many, the frames of the
 * last few milliseconds. Asking after the first pass left it the frames of a whole interval: at
 * 5,000 events/s on 2 cores, 70-160 ms of copying every few seconds, in which every commit, of
 * ingestion and of the journeys alike, waited (bench/README.md, "What `e2e.ts` does").
 */

/** What `PRAGMA wal_checkpoint(PASSIVE)` answers: busy (1: another checkpoint ran), frames in the WAL, frames copied. */
export interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/** A pass that copied at most this many frames (1 MiB of 4 KiB pages) leaves the writer about as many. */
export const FINISH_FRAMES = 256;
/** Most passes after the first: when commits outpace the copies (a saturated disk), ask anyway. */
export const MAX_CATCH_UP_PASSES = 16;

/**
 * Runs `checkpoint` (a PASSIVE checkpoint) once, and when the WAL holds `restartFrames` frames or
 * more, again until a pass copies at most FINISH_FRAMES or MAX_CATCH_UP_PASSES have run. `ask`:
 * the WAL is still that large and no pass was busy, so the writer should copy the rest.
 */
export function catchUpBeforeFinish(checkpoint: () => CheckpointResult, restartFrames: number): { readonly ask: boolean; readonly passes: number } {
  let result = checkpoint();
  let passes = 1;
  const large = (r: CheckpointResult): boolean => r.busy === 0 && r.log >= restartFrames;
  if (!large(result)) return { ask: false, passes };
  for (let pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
    const before = result.checkpointed;
    result = checkpoint();
    passes++;
    // Busy (another connection checkpoints), or the WAL started over meanwhile: nothing to ask now.
    if (!large(result)) return { ask: false, passes };
    if (result.checkpointed - before <= FINISH_FRAMES) break;
  }
  return { ask: true, passes };
}
