import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { JourneyDetail, JourneyService } from '../../journeys/authoring/index.ts';
import { JourneyInvalidError } from '../../journeys/authoring/index.ts';

export interface JourneyAuthoringRuntime {
  /** Opens the journey service on the configured event store; `close` releases it. */
  openJourneys(): Promise<{ journeys: JourneyService; close(): Promise<void> }>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 *   nudge journeys push <files…> [--publish] [--by NAME]
 *   nudge journeys list [--json]
 *   nudge journeys show <id> [version]
 *   nudge journeys publish <id> [version]
 *   nudge journeys pause <id>
 *   nudge journeys archive <id>
 *   nudge journeys diff <id> <from> <to>
 */
export function registerJourneyAuthoringCommands(journeysCommand: Command, runtime: JourneyAuthoringRuntime): void {
  const withJourneys = async (work: (journeys: JourneyService) => Promise<void>): Promise<void> => {
    const opened = await runtime.openJourneys();
    try {
      await work(opened.journeys);
    } finally {
      await opened.close();
    }
  };

  journeysCommand
    .command('push <files...>')
    .description('Save each file as the next version of its journey (validated first); --publish also publishes it')
    .option('--publish', 'publish the saved version', false)
    .option('--by <name>', 'who saves it (recorded with the version)')
    .action(async (files: string[], options: { publish: boolean; by?: string }) => {
      await withJourneys(async (journeys) => {
        for (const file of files) {
          let text: string;
          try {
            text = readFileSync(file, 'utf8');
          } catch (error) {
            runtime.stderr.write(`nudge: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
            continue;
          }
          try {
            const saved = await journeys.save(text, { fileName: basename(file), by: options.by ?? null, format: file.endsWith('.json') ? 'json' : 'yaml' });
            for (const warning of saved.warnings) runtime.stdout.write(`${file}:${warning.line ?? 0}:${warning.column ?? 0}  warning  ${warning.path}  ${warning.message}\n`);
            runtime.stdout.write(
              saved.created ? `${file}: saved ${saved.journeyId} version ${saved.version}\n` : `${file}: ${saved.journeyId} version ${saved.version} is the same document, nothing saved\n`,
            );
            if (options.publish) {
              const detail = await journeys.publish(saved.journeyId, saved.version, options.by ?? null);
              runtime.stdout.write(`${file}: published ${detail.id} version ${detail.publishedVersion}\n`);
            }
          } catch (error) {
            if (!(error instanceof JourneyInvalidError)) throw error;
            for (const issue of error.journeyIssues) runtime.stderr.write(`${file}:${issue.line ?? 0}:${issue.column ?? 0}  ${issue.path}  ${issue.message}\n`);
            runtime.stderr.write(`${file}: not saved (${error.journeyIssues.length} problem${error.journeyIssues.length === 1 ? '' : 's'})\n`);
            process.exitCode = 1;
          }
        }
      });
    });

  journeysCommand
    .command('list')
    .description('Every journey with its status and versions')
    .option('--json', 'one JSON object per line', false)
    .action(async (options: { json: boolean }) => {
      await withJourneys(async (journeys) => {
        const list = await journeys.list();
        if (options.json) {
          for (const journey of list) runtime.stdout.write(`${JSON.stringify(journey)}\n`);
          return;
        }
        if (list.length === 0) {
          runtime.stdout.write('No journeys yet: nudge journeys push <file.yaml> --publish\n');
          return;
        }
        const rows = list.map((journey) => [journey.id, journey.status, `v${journey.latestVersion}`, journey.publishedVersion === null ? '-' : `v${journey.publishedVersion}`, journey.trigger]);
        runtime.stdout.write(table(['journey', 'status', 'latest', 'published', 'trigger'], rows));
      });
    });

  journeysCommand
    .command('show <id> [version]')
    .description('A journey and its versions; with a version number, that version as it was written')
    .action(async (id: string, version: string | undefined) => {
      await withJourneys(async (journeys) => {
        if (version !== undefined) {
          runtime.stdout.write((await journeys.version(id, parseVersion(version))).source);
          return;
        }
        runtime.stdout.write(describe(await journeys.get(id)));
      });
    });

  journeysCommand
    .command('publish <id> [version]')
    .description('Publish a version (default: the latest); publishing a paused journey resumes it')
    .option('--by <name>', 'who publishes it')
    .action(async (id: string, version: string | undefined, options: { by?: string }) => {
      await withJourneys(async (journeys) => {
        const detail = await journeys.publish(id, version === undefined ? null : parseVersion(version), options.by ?? null);
        runtime.stdout.write(`published ${detail.id} version ${detail.publishedVersion}\n`);
      });
    });

  journeysCommand
    .command('pause <id>')
    .description('Pause a published journey: no entries; waiting leads hold until it is published again')
    .option('--by <name>', 'who pauses it')
    .action(async (id: string, options: { by?: string }) => {
      await withJourneys(async (journeys) => {
        await journeys.pause(id, options.by ?? null);
        runtime.stdout.write(`paused ${id}\n`);
      });
    });

  journeysCommand
    .command('archive <id>')
    .description('Archive a journey: leads in it exit, and it takes no more entries')
    .option('--by <name>', 'who archives it')
    .action(async (id: string, options: { by?: string }) => {
      await withJourneys(async (journeys) => {
        await journeys.archive(id, options.by ?? null);
        runtime.stdout.write(`archived ${id}\n`);
      });
    });

  journeysCommand
    .command('diff <id> <from> <to>')
    .description('What changed between two versions: nodes, fields, and a unified diff of the sources')
    .action(async (id: string, from: string, to: string) => {
      await withJourneys(async (journeys) => {
        const diff = await journeys.diff(id, parseVersion(from), parseVersion(to));
        const lines = [
          `${id}: version ${diff.from} → ${diff.to}`,
          `  nodes added:   ${diff.nodes.added.join(', ') || '-'}`,
          `  nodes removed: ${diff.nodes.removed.join(', ') || '-'}`,
          `  nodes changed: ${diff.nodes.changed.join(', ') || '-'}`,
          `  fields changed: ${diff.fields.join(', ') || '-'}`,
          '',
          diff.unified === '' ? '(the sources are the same)' : diff.unified,
        ];
        runtime.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}

function parseVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || version < 1) throw new InvalidArgumentError('must be a version number (1, 2, …)');
  return version;
}

function describe(journey: JourneyDetail): string {
  const lines = [
    `${journey.id}: ${journey.name}`,
    `  status:    ${journey.status}${journey.publishedVersion === null ? '' : ` (version ${journey.publishedVersion} published${journey.publishedAt ? ` ${journey.publishedAt}` : ''})`}`,
    `  trigger:   ${journey.trigger}`,
    ...(journey.description ? [`  about:     ${journey.description.trim()}`] : []),
    '  versions:',
    ...journey.versions.map((version) => `    v${version.version}  ${version.savedAt ?? ''}  ${version.savedBy ?? ''}`.trimEnd()),
  ];
  return `${lines.join('\n')}\n`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
