import { describe, expect, it } from 'vitest';
import type { CheckpointResult } from '../../../infra/sqlite/walCatchUp.ts';
import { catchUpBeforeFinish, FINISH_FRAMES, MAX_CATCH_UP_PASSES } from '../../../infra/sqlite/walCatchUp.ts';

/** A checkpoint that answers the scripted results in turn, and counts its calls. */
function scripted(results: readonly CheckpointResult[]): { checkpoint: () => CheckpointResult; calls: () => number } {
  let calls = 0;
  return {
    checkpoint: () => {
      const result = results[Math.min(calls, results.length - 1)]!;
      calls++;
      return result;
    },
    calls: () => calls,
  };
}

const RESTART = 40_000;

describe('catchUpBeforeFinish: when the checkpointer asks the writer to copy the rest of the WAL', () => {
  it('runs one checkpoint and asks nothing while the WAL is below the restart size', () => {
    const run = scripted([{ busy: 0, log: 39_999, checkpointed: 39_000 }]);
    expect(catchUpBeforeFinish(run.checkpoint, RESTART)).toEqual({ ask: false, passes: 1 });
    expect(run.calls()).toBe(1);
  });

  it('catches up pass after pass until one copies at most FINISH_FRAMES, then asks: the writer is left only that much', () => {
    // Each pass copies what was committed during the one before: 3,000, then 1,200, 480, 190 frames.
    const run = scripted([
      { busy: 0, log: 41_000, checkpointed: 38_000 },
      { busy: 0, log: 41_500, checkpointed: 39_200 },
      { busy: 0, log: 41_700, checkpointed: 39_680 },
      { busy: 0, log: 41_800, checkpointed: 39_680 + FINISH_FRAMES - 66 },
      { busy: 0, log: 41_900, checkpointed: 41_900 },
    ]);
    expect(catchUpBeforeFinish(run.checkpoint, RESTART)).toEqual({ ask: true, passes: 4 });
    expect(run.calls()).toBe(4);
  });

  it('asks after the most passes when the commits outpace the copies', () => {
    let checkpointed = 40_000;
    const run = (): CheckpointResult => {
      checkpointed += 5_000;
      return { busy: 0, log: checkpointed + 5_000, checkpointed };
    };
    expect(catchUpBeforeFinish(run, RESTART)).toEqual({ ask: true, passes: MAX_CATCH_UP_PASSES + 1 });
  });

  it('asks nothing when a pass finds another checkpoint running, or the WAL started over meanwhile', () => {
    const busy = scripted([
      { busy: 0, log: 41_000, checkpointed: 38_000 },
      { busy: 1, log: 41_500, checkpointed: 38_000 },
    ]);
    expect(catchUpBeforeFinish(busy.checkpoint, RESTART)).toEqual({ ask: false, passes: 2 });
    const startedOver = scripted([
      { busy: 0, log: 41_000, checkpointed: 38_000 },
      { busy: 0, log: 120, checkpointed: 0 },
    ]);
    expect(catchUpBeforeFinish(startedOver.checkpoint, RESTART)).toEqual({ ask: false, passes: 2 });
    // Busy on the first checkpoint: nothing more this time.
    const busyFirst = scripted([{ busy: 1, log: 50_000, checkpointed: 10_000 }]);
    expect(catchUpBeforeFinish(busyFirst.checkpoint, RESTART)).toEqual({ ask: false, passes: 1 });
    expect(busyFirst.calls()).toBe(1);
  });
});
