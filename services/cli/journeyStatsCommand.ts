import type { Command } from 'commander';
import { JourneyStats } from '../../journeys/stats/index.ts';
import type { EventStore } from '../ports/index.ts';
import { formatJourneyStats } from './journeyStatsFormat.ts';

export interface JourneyStatsCommandRuntime {
  openStore(): Promise<{ store: EventStore; close(): Promise<void> }>;
  readonly stdout: { write(text: string): unknown };
}

/**
 *   nudge journeys stats <id> [--version N] [--json]
 *
 * Reads the whole store into the per-node read model (the same one `GET /v1/journeys/:id/stats`
 * serves), so it works with or without a server running.
 */
export function registerJourneyStatsCommand(journeysCommand: Command, runtime: JourneyStatsCommandRuntime): void {
  journeysCommand
    .command('stats <id>')
    .description('Per node: visits, suggestions and what became of them, later stages of the leads that passed')
    .option('--only <version>', 'count only instances pinned to this version')
    .option('--json', 'the report as JSON', false)
    .action(async (id: string, options: { only?: string; json: boolean }) => {
      const opened = await runtime.openStore();
      const store = opened.store;
      try {
        const stats = new JourneyStats();
        for (let after = 0; ; ) {
          const page = await store.readAll({ after, limit: 5_000 });
          for (const event of page) stats.apply(event);
          if (page.length < 5_000) break;
          after = page.at(-1)!.position;
        }
        const report = stats.report(id, options.only === undefined ? {} : { version: Number(options.only) });
        runtime.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatJourneyStats(report));
      } finally {
        await opened.close();
      }
    });
}
