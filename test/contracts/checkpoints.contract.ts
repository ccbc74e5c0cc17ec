import { afterEach, describe, expect, it } from 'vitest';
import type { Checkpoints } from '../../services/ports/index.ts';

export interface CheckpointsFixture {
  readonly checkpoints: Checkpoints;
  /** Closes and opens the same storage again, as a new process would. */
  reopen(): Promise<Checkpoints>;
  destroy(): Promise<void>;
}

/** The Checkpoints port's contract: every adapter runs it. */
export function checkpointsContract(name: string, factory: { open(): Promise<CheckpointsFixture> }): void {
  describe(`Checkpoints contract: ${name}`, () => {
    let fixture: CheckpointsFixture | undefined;
    afterEach(async () => {
      await fixture?.destroy();
      fixture = undefined;
    });

    it('gives START (0) for a subscriber it has never seen', async () => {
      fixture = await factory.open();
      expect(await fixture.checkpoints.get('journey-runner')).toBe(0);
    });

    it('keeps each subscriber its own checkpoint, across a reopen', async () => {
      fixture = await factory.open();
      await fixture.checkpoints.set('journey-runner', 42);
      await fixture.checkpoints.set('projector', 7);
      const reopened = await fixture.reopen();
      expect(await reopened.get('journey-runner')).toBe(42);
      expect(await reopened.get('projector')).toBe(7);
    });

    it('never moves a checkpoint backwards', async () => {
      fixture = await factory.open();
      await fixture.checkpoints.set('journey-runner', 100);
      await fixture.checkpoints.set('journey-runner', 90);
      expect(await fixture.checkpoints.get('journey-runner')).toBe(100);
      await fixture.checkpoints.set('journey-runner', 120);
      expect(await fixture.checkpoints.get('journey-runner')).toBe(120);
    });

    it('forgets a checkpoint on reset, so the subscriber starts over', async () => {
      fixture = await factory.open();
      await fixture.checkpoints.set('journey-runner', 100);
      await fixture.checkpoints.reset('journey-runner');
      expect(await fixture.checkpoints.get('journey-runner')).toBe(0);
    });
  });
}
