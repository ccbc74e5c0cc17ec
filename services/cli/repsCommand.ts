import { InvalidArgumentError, type Command } from 'commander';
import type { OwnerAssignment, Rep, RepChangesInput, RepService } from '../leads/index.ts';

export interface RepsRuntime {
  /** Opens the rep service and hand reassignment on the configured event store; `close` releases it. */
  openReps(): Promise<{
    reps: RepService;
    assign: (request: { leadId: string; ownerId: string; reason: string }) => Promise<OwnerAssignment>;
    close(): Promise<void>;
  }>;
  readonly stdout: { write(text: string): unknown };
}

interface ProfileOptions {
  name?: string;
  email?: string;
  team?: string;
  territory?: string[];
  languages?: string[];
  capacity?: number;
  tz?: string;
}

/**
 *   nudge reps add --id ID --name NAME --email EMAIL --team TEAM [--territory US,CA] [--languages en,fr] [--capacity 20] [--tz America/New_York]
 *   nudge reps list [--team T] [--json]
 *   nudge reps show <id>
 *   nudge reps update <id> [--name …] [--email …] [--team …] [--territory …] [--languages …] [--capacity …] [--tz …]
 *   nudge reps deactivate <id> [--reason "…"]
 *   nudge reps reactivate <id>
 *   nudge leads assign <leadId> <repId> --reason "…"
 */
export function registerRepsCommand(program: Command, runtime: RepsRuntime): void {
  const withReps = async (work: (opened: Awaited<ReturnType<RepsRuntime['openReps']>>) => Promise<void>): Promise<void> => {
    const opened = await runtime.openReps();
    try {
      await work(opened);
    } finally {
      await opened.close();
    }
  };
  const profileOptions = (command: Command): Command =>
    command
      .option('--territory <countries>', 'comma-separated ISO country codes the rep takes routed leads from (empty: any of the team’s)', list)
      .option('--languages <codes>', 'comma-separated ISO 639-1 language codes', list)
      .option('--capacity <n>', 'routed leads a day (the rep’s local day)', parseCapacity)
      .option('--tz <zone>', 'IANA time zone, e.g. Europe/Berlin');

  const reps = program.command('reps').description('Sales reps: who takes leads, in which team, territory and capacity');

  profileOptions(
    reps
      .command('add')
      .description('Add a rep (active from now on)')
      .requiredOption('--id <id>', 'the rep id (lower-case slug, e.g. rep-ana)')
      .requiredOption('--name <name>', 'full name')
      .requiredOption('--email <email>', 'work email')
      .requiredOption('--team <team>', 'team the routing rules send leads to'),
  ).action(async (options: ProfileOptions & { id: string }) => {
    await withReps(async ({ reps: service }) => {
      const rep = await service.add({ id: options.id, ...profileOf(options) } as Parameters<RepService['add']>[0]);
      runtime.stdout.write(`added ${rep.id} to team ${rep.team}\n`);
    });
  });

  reps
    .command('list')
    .description('Every rep with their team, territory, capacity and status')
    .option('--team <team>', 'only this team')
    .option('--json', 'one JSON object per line', false)
    .action(async (options: { team?: string; json: boolean }) => {
      await withReps(async ({ reps: service }) => {
        const all = await service.list({ team: options.team });
        if (options.json) {
          for (const rep of all) runtime.stdout.write(`${JSON.stringify(rep)}\n`);
          return;
        }
        if (all.length === 0) {
          runtime.stdout.write('No reps yet: nudge reps add --id rep-ana --name "Ana Lima" --email ana@example.com --team americas\n');
          return;
        }
        const rows = all.map((rep) => [
          rep.id,
          rep.name,
          rep.team,
          rep.territory.join(',') || '-',
          rep.languages.join(',') || '-',
          String(rep.dailyCapacity),
          rep.timeZone,
          rep.active ? 'active' : 'inactive',
        ]);
        runtime.stdout.write(table(['rep', 'name', 'team', 'territory', 'languages', 'capacity', 'time zone', 'status'], rows));
      });
    });

  reps
    .command('show <id>')
    .description('One rep, as JSON')
    .action(async (id: string) => {
      await withReps(async ({ reps: service }) => {
        runtime.stdout.write(`${JSON.stringify(await service.get(id), null, 2)}\n`);
      });
    });

  profileOptions(
    reps
      .command('update <id>')
      .description('Change a rep: only the options given')
      .option('--name <name>', 'full name')
      .option('--email <email>', 'work email')
      .option('--team <team>', 'team'),
  ).action(async (id: string, options: ProfileOptions) => {
    await withReps(async ({ reps: service }) => {
      const rep = await service.update(id, profileOf(options));
      runtime.stdout.write(`updated ${rep.id}\n${describe(rep)}`);
    });
  });

  reps
    .command('deactivate <id>')
    .description('Deactivate a rep: routing passes them over; their leads keep them until reassigned')
    .option('--reason <text>', 'why (on leave, left the company, …)')
    .action(async (id: string, options: { reason?: string }) => {
      await withReps(async ({ reps: service }) => {
        await service.deactivate(id, options.reason ?? null);
        runtime.stdout.write(`deactivated ${id}\n`);
      });
    });

  reps
    .command('reactivate <id>')
    .description('Reactivate a rep: routing gives them leads again')
    .action(async (id: string) => {
      await withReps(async ({ reps: service }) => {
        await service.reactivate(id);
        runtime.stdout.write(`reactivated ${id}\n`);
      });
    });

  const leads = program.commands.find((command) => command.name() === 'leads') ?? program.command('leads').description('Leads');
  leads
    .command('assign <leadId> <repId>')
    .description('Give a lead to a rep by hand, saying why (recorded as OwnerAssigned with "manual: <reason>")')
    .requiredOption('--reason <text>', 'why the lead changes hands')
    .action(async (leadId: string, repId: string, options: { reason: string }) => {
      await withReps(async (opened) => {
        const result = await opened.assign({ leadId, ownerId: repId, reason: options.reason });
        runtime.stdout.write(
          result.changed
            ? `lead ${leadId} now belongs to ${result.ownerId}${result.previousOwnerId === null ? '' : ` (was ${result.previousOwnerId})`}\n`
            : `lead ${leadId} already belongs to ${result.ownerId}: nothing recorded\n`,
        );
      });
    });
}

function profileOf(options: ProfileOptions): RepChangesInput {
  const profile: RepChangesInput = {};
  if (options.name !== undefined) profile.name = options.name;
  if (options.email !== undefined) profile.email = options.email;
  if (options.team !== undefined) profile.team = options.team;
  if (options.territory !== undefined) profile.territory = options.territory;
  if (options.languages !== undefined) profile.languages = options.languages;
  if (options.capacity !== undefined) profile.dailyCapacity = options.capacity;
  if (options.tz !== undefined) profile.timeZone = options.tz;
  return profile;
}

function describe(rep: Rep): string {
  const lines = [
    `  name:      ${rep.name} <${rep.email}>`,
    `  team:      ${rep.team}`,
    `  territory: ${rep.territory.join(', ') || 'any of the team’s'}`,
    `  languages: ${rep.languages.join(', ') || '-'}`,
    `  capacity:  ${rep.dailyCapacity} a day (${rep.timeZone})`,
    `  status:    ${rep.active ? 'active' : `inactive${rep.deactivatedReason ? ` (${rep.deactivatedReason})` : ''}`}`,
  ];
  return `${lines.join('\n')}\n`;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseCapacity(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(count)) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return count;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
