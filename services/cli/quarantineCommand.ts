import { InvalidArgumentError, Option, type Command } from 'commander';
import type { QuarantineEntry } from '../ports/index.ts';
import type { IngestCommandRuntime } from './ingestCommand.ts';

/**
 *   nudge quarantine list [--status open|retried|dropped] [--limit N] [--json]
 *   nudge quarantine show <id>
 *   nudge quarantine retry <id…> | --all
 *   nudge quarantine drop <id…>
 */
export function registerQuarantineCommand(program: Command, runtime: IngestCommandRuntime): void {
  const quarantine = program.command('quarantine').description('Input that failed validation, kept with its error: list it, retry it after fixing the cause, or drop it');

  quarantine
    .command('list')
    .description('Quarantined input, newest first')
    .addOption(new Option('--status <status>', 'which entries').choices(['open', 'retried', 'dropped']).default('open'))
    .addOption(new Option('--limit <count>', 'most entries to print').argParser(parsePositive).default(50))
    .option('--json', 'one JSON object per line', false)
    .action(async (options: { status: 'open' | 'retried' | 'dropped'; limit: number; json: boolean }) => {
      const ingestion = await runtime.openIngestion();
      try {
        const page = await ingestion.quarantine.list({ status: options.status, limit: options.limit });
        if (page.items.length === 0) runtime.stdout.write(`No ${options.status} entries.\n`);
        for (const entry of page.items) runtime.stdout.write(`${options.json ? JSON.stringify(entry) : describe(entry)}\n`);
        if (page.next !== null) runtime.stdout.write(`(more: raise --limit)\n`);
      } finally {
        await ingestion.close();
      }
    });

  quarantine
    .command('show <id>')
    .description('One entry with its whole payload')
    .action(async (id: string) => {
      const ingestion = await runtime.openIngestion();
      try {
        const entry = await ingestion.quarantine.get(id);
        if (entry === null) {
          process.exitCode = 1;
          runtime.stderr.write(`nudge: no quarantine entry ${id}\n`);
          return;
        }
        runtime.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
      } finally {
        await ingestion.close();
      }
    });

  quarantine
    .command('retry [ids...]')
    .description('Send entries through validation again; stored ones leave the quarantine')
    .option('--all', 'every open entry', false)
    .action(async (ids: string[], options: { all: boolean }) => {
      if (!options.all && ids.length === 0) throw new InvalidArgumentError('name entry ids, or --all');
      const ingestion = await runtime.openIngestion();
      let stored = 0;
      let still = 0;
      try {
        const entries: QuarantineEntry[] = [];
        if (options.all) {
          let cursor: string | undefined;
          do {
            const page = await ingestion.quarantine.list({ status: 'open', limit: 500, cursor });
            entries.push(...page.items);
            cursor = page.next ?? undefined;
          } while (cursor !== undefined);
        } else {
          for (const id of ids) {
            const entry = await ingestion.quarantine.get(id);
            if (entry === null || entry.status !== 'open') {
              runtime.stderr.write(`nudge: no open quarantine entry ${id}\n`);
              process.exitCode = 1;
              continue;
            }
            entries.push(entry);
          }
        }
        for (const entry of entries) {
          const { entry: after } = await ingestion.service.retry(entry);
          if (after.status === 'retried') {
            stored += 1;
            runtime.stdout.write(`${entry.id}: stored\n`);
          } else {
            still += 1;
            runtime.stdout.write(`${entry.id}: still invalid: ${after.issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}\n`);
          }
        }
      } finally {
        await ingestion.close();
      }
      runtime.stdout.write(`${stored} stored, ${still} still in quarantine\n`);
      if (still > 0) process.exitCode = 1;
    });

  quarantine
    .command('drop <ids...>')
    .description('Give up on entries: they stay on record as dropped')
    .action(async (ids: string[]) => {
      const ingestion = await runtime.openIngestion();
      try {
        for (const id of ids) {
          await ingestion.quarantine.resolve(id, 'dropped', new Date().toISOString());
          runtime.stdout.write(`${id}: dropped\n`);
        }
      } finally {
        await ingestion.close();
      }
    });
}

function describe(entry: QuarantineEntry): string {
  const issues = entry.issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
  const payload = entry.payload.length > 120 ? `${entry.payload.slice(0, 117)}...` : entry.payload;
  return `${entry.id}  ${entry.receivedAt}  ${entry.source}  attempts=${entry.attempts}\n  ${issues}\n  ${payload}`;
}

function parsePositive(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return count;
}
