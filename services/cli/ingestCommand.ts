import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { IngestReport, IngestService } from '../ingest/index.ts';
import type { Quarantine } from '../ports/index.ts';

/** What the ingest and quarantine commands need from the composition root. */
export interface CliIngestion {
  readonly service: IngestService;
  readonly quarantine: Quarantine;
  close(): Promise<void>;
}

export interface IngestCommandRuntime {
  openIngestion(): Promise<CliIngestion>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

const CHUNK = 500;

/**
 *   nudge ingest <file.jsonl> [--quiet]
 * Loads Segment messages, one JSON object per line (a demo file or a Segment export), through the
 * same validation as the HTTP API, with a progress bar and a summary.
 */
export function registerIngestCommand(program: Command, runtime: IngestCommandRuntime): void {
  program
    .command('ingest <file>')
    .description('Load Segment messages (JSON lines) through ingestion: validated, deduplicated, tied to leads; invalid lines go to the quarantine')
    .option('--quiet', 'no progress bar', false)
    .action(async (file: string, options: { quiet: boolean }) => {
      const size = statSync(file).size;
      const ingestion = await runtime.openIngestion();
      const totals = { lines: 0, stored: 0, duplicate: 0, unchanged: 0, quarantined: 0 };
      const bar =
        options.quiet || runtime.stderr.isTTY !== true
          ? null
          : new cliProgress.SingleBar(
              { format: 'ingest |{bar}| {percentage}% · {lines} lines · {stored} stored · {duplicate} duplicate · {quarantined} quarantined · {eta_formatted} left', stream: process.stderr, hideCursor: true },
              cliProgress.Presets.shades_classic,
            );
      bar?.start(size, 0, totals);
      const started = performance.now();
      const meta = { source: `file:${basename(file)}`, writeKeyHint: null };
      let bytes = 0;
      const add = (report: IngestReport): void => {
        if (report.failed.length > 0) throw report.failed[0]!.error;
        totals.stored += report.stored;
        totals.duplicate += report.duplicate;
        totals.unchanged += report.unchanged;
        totals.quarantined += report.quarantined.length;
        bar?.update(bytes, totals);
      };
      try {
        const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
        let chunk: unknown[] = [];
        // Two chunks in flight: one being stored while the next is read and validated.
        let inFlight: Promise<void> = Promise.resolve();
        const flush = async (): Promise<void> => {
          const batch = chunk;
          chunk = [];
          const previous = inFlight;
          inFlight = (async () => {
            const report = await ingestion.service.batch({ batch }, meta);
            await previous;
            add(report);
          })();
          await previous;
        };
        for await (const line of lines) {
          bytes += Buffer.byteLength(line) + 1;
          if (line.trim() === '') continue;
          totals.lines += 1;
          let message: unknown;
          try {
            message = JSON.parse(line);
          } catch (error) {
            add(await ingestion.service.unreadable(line, `line ${totals.lines}: ${error instanceof Error ? error.message : String(error)}`, meta));
            continue;
          }
          chunk.push(message);
          if (chunk.length >= CHUNK) await flush();
        }
        if (chunk.length > 0) await flush();
        await inFlight;
      } finally {
        bar?.update(size, totals);
        bar?.stop();
        await ingestion.close();
      }
      const seconds = (performance.now() - started) / 1_000;
      runtime.stdout.write(
        `${file}: ${totals.lines} messages in ${seconds.toFixed(1)} s (${Math.round(totals.lines / Math.max(seconds, 0.001))}/s): ` +
          `${totals.stored} stored, ${totals.duplicate} duplicate, ${totals.unchanged} unchanged, ${totals.quarantined} quarantined\n`,
      );
      if (totals.quarantined > 0) runtime.stdout.write('See them with: nudge quarantine list\n');
    });
}
