import { describe, expect, it } from 'vitest';
import { OffsetCommits, PartitionFlows } from '../../../infra/kafka/partitionFlows.ts';

describe('partition flows: batches handed over before the ones ahead are stored', () => {
  it('commits a partition only up to its first batch not yet stored, whatever order the batches finish in', () => {
    const flows = new PartitionFlows();
    const a = flows.start(0, '0', '10', 10);
    const b = flows.start(0, '10', '20', 10);
    const c = flows.start(0, '20', '25', 5);
    const other = flows.start(1, '0', '7', 7);
    expect(flows.inFlight).toBe(32);
    expect(flows.done(b)).toBeNull();
    expect(flows.done(other)).toBe('7');
    expect(flows.done(a)).toBe('20');
    expect(flows.done(c)).toBe('25');
    expect(flows.inFlight).toBe(0);
  });

  it('a failed batch sends its partition back to the first batch not stored and abandons the later ones', () => {
    const flows = new PartitionFlows();
    const a = flows.start(3, '100', '110', 10);
    const b = flows.start(3, '110', '120', 10);
    const c = flows.start(3, '120', '130', 10);
    const elsewhere = flows.start(4, '0', '5', 5);
    // b fails while a is still being stored: read again from a's first offset.
    expect(flows.failed(b)).toBe('100');
    // The abandoned batches finish later: they neither commit nor seek again.
    expect(flows.done(a)).toBeNull();
    expect(flows.failed(c)).toBeNull();
    expect(flows.done(elsewhere)).toBe('5');
    // What comes after the seek is a new run of the partition.
    const again = flows.start(3, '100', '130', 30);
    expect(flows.done(again)).toBe('130');
    expect(flows.inFlight).toBe(0);
  });

  it('a rebalance abandons every pending batch: none of them commits', () => {
    const flows = new PartitionFlows();
    const a = flows.start(0, '0', '10', 10);
    const b = flows.start(1, '0', '10', 10);
    flows.abandonAll();
    expect(flows.done(a)).toBeNull();
    expect(flows.failed(b)).toBeNull();
    expect(flows.inFlight).toBe(0);
  });

  it('waits for room: below(limit) resolves once enough records are stored', async () => {
    const flows = new PartitionFlows();
    const a = flows.start(0, '0', '600', 600);
    const b = flows.start(1, '0', '600', 600);
    let roomy = false;
    const waiting = flows.below(1_000).then(() => (roomy = true));
    await Promise.resolve();
    expect(roomy).toBe(false);
    flows.done(b);
    await waiting;
    expect(roomy).toBe(true);
    const idle = flows.idle();
    flows.failed(a);
    await idle;
    expect(flows.inFlight).toBe(0);
  });
});

describe('offset commits', () => {
  it('coalesces: one commit in flight, then one with the latest offset of each partition that moved', async () => {
    const calls: { partition: number; offset: string }[][] = [];
    let release: (() => void) | null = null;
    const commits = new OffsetCommits(
      async (offsets) => {
        calls.push([...offsets]);
        if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      () => 'drop',
    );
    commits.add(0, '10');
    await new Promise((resolve) => setImmediate(resolve));
    commits.add(0, '20');
    commits.add(1, '5');
    commits.add(0, '30');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);
    release!();
    await commits.flush();
    expect(calls).toEqual([
      [{ partition: 0, offset: '10' }],
      [
        { partition: 0, offset: '30' },
        { partition: 1, offset: '5' },
      ],
    ]);
  });

  it('tries a failed commit again unless told to drop it, and a later offset replaces the one that failed', async () => {
    const calls: string[] = [];
    let failures = 1;
    const commits = new OffsetCommits(
      async (offsets) => {
        calls.push(offsets.map((o) => `${o.partition}@${o.offset}`).join(','));
        if (failures-- > 0) throw new Error('coordinator not available');
      },
      (error) => ((error as Error).message.includes('rebalance') ? 'drop' : 'retry'),
    );
    commits.add(2, '40');
    await commits.flush();
    expect(calls).toEqual(['2@40', '2@40']);

    const dropped: string[] = [];
    const rebalancing = new OffsetCommits(
      async (offsets) => {
        dropped.push(offsets.map((o) => `${o.partition}@${o.offset}`).join(','));
        throw new Error('rebalance in progress');
      },
      () => 'drop',
    );
    rebalancing.add(0, '1');
    await rebalancing.flush();
    expect(dropped).toEqual(['0@1']);
  });

  it('gives up after a few failed attempts: the records are delivered again, nothing is lost', async () => {
    let attempts = 0;
    const commits = new OffsetCommits(
      async () => {
        attempts++;
        throw new Error('the broker is gone');
      },
      () => 'retry',
    );
    commits.add(0, '9');
    await commits.flush();
    expect(attempts).toBe(4);
  });

  it('clear() forgets offsets not yet sent', async () => {
    const calls: string[] = [];
    const commits = new OffsetCommits(
      async (offsets) => void calls.push(offsets.map((o) => `${o.partition}@${o.offset}`).join(',')),
      () => 'drop',
    );
    commits.add(0, '3');
    commits.clear();
    await commits.flush();
    expect(calls).toEqual([]);
  });
});
