import { setTimeout as sleep } from 'node:timers/promises';
import { PartitionAssigners } from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';

/**
 * kafkajs's round-robin assigner with the group leader's SyncGroup held back a little, for
 * consumer groups with more than one member on librdkafka's mock cluster.
 *
 * The mock (librdkafka 2.0) completes a rebalance as soon as the leader's SyncGroup arrives with
 * the assignments and returns to state Up; a follower whose SyncGroup comes after that gets
 * INVALID_REQUEST ("This most likely occurs because of a request being malformed…"), its consumer
 * crashes and rejoins, and the group rebalances again, slowly. A real broker waits for the
 * followers instead. kafkajs followers send SyncGroup right after JoinGroup, while the leader
 * first refreshes metadata: they usually win by 2–5 ms, not reliably on a loaded machine. Holding
 * the leader back makes the order certain; against a real broker it only costs the delay.
 *
 *   client.consumer({ groupId, partitionAssigners: mockGroupAssigners })
 */
export const leaderSyncDelayMs = 250;

export const mockGroupAssigners: PartitionAssigner[] = [
  (config) => {
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      name: roundRobin.name,
      version: roundRobin.version,
      protocol: (subscription) => roundRobin.protocol(subscription),
      async assign(group) {
        await sleep(leaderSyncDelayMs);
        return roundRobin.assign(group);
      },
    };
  },
];
