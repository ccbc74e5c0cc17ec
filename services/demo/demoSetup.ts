import type { IngestReport } from '../ingest/index.ts';
import type { RepFieldsInput } from '../leads/reps/index.ts';
import { demoAdCosts } from './adCosts.ts';
import type { DemoMessage } from './demoMessage.ts';
import { demoMessages } from './demoMessages.ts';
import type { DemoOptions, DemoWorld } from './demoWorld.ts';
import { buildDemoWorld } from './demoWorld.ts';
import { repsByRegion } from './sellerSite.ts';

/**
 * The demo company's sales team, as reps Nudge routes leads to: the seven reps the demo history
 * already names (its `Owner Assigned` calls and the accounts' owners), in the teams of the
 * shipped routing rules (docs/reps-and-routing.md), plus one inbound SDR for leads in no region.
 */
export const demoTeam: readonly RepFieldsInput[] = [
  { id: 'rep-ana', name: 'Ana Souza', email: 'ana.souza@orbitly.example', team: 'americas', territory: ['US', 'CA', 'MX'], languages: ['en', 'es'], dailyCapacity: 25, timeZone: 'America/New_York' },
  { id: 'rep-ben', name: 'Ben Carter', email: 'ben.carter@orbitly.example', team: 'americas', territory: ['US', 'CA'], languages: ['en'], dailyCapacity: 25, timeZone: 'America/Chicago' },
  { id: 'rep-carla', name: 'Carla Mendes', email: 'carla.mendes@orbitly.example', team: 'americas', territory: [], languages: ['en', 'pt', 'es'], dailyCapacity: 20, timeZone: 'America/Sao_Paulo' },
  { id: 'rep-dieter', name: 'Dieter Brandt', email: 'dieter.brandt@orbitly.example', team: 'emea', territory: [], languages: ['de', 'en'], dailyCapacity: 25, timeZone: 'Europe/Berlin' },
  { id: 'rep-emma', name: 'Emma Clarke', email: 'emma.clarke@orbitly.example', team: 'emea', territory: [], languages: ['en', 'fr', 'nl'], dailyCapacity: 25, timeZone: 'Europe/London' },
  { id: 'rep-hiro', name: 'Hiro Tanaka', email: 'hiro.tanaka@orbitly.example', team: 'apac', territory: [], languages: ['ja', 'en'], dailyCapacity: 20, timeZone: 'Asia/Tokyo' },
  { id: 'rep-mei', name: 'Mei Lin', email: 'mei.lin@orbitly.example', team: 'apac', territory: [], languages: ['zh', 'en'], dailyCapacity: 25, timeZone: 'Asia/Shanghai' },
  { id: 'rep-ines', name: 'Ines Romero', email: 'ines.romero@orbitly.example', team: 'inbound', territory: [], languages: ['en', 'es'], dailyCapacity: 30, timeZone: 'UTC' },
];

// The team must name every rep the generated history does, or routing and the funnel by owner disagree.
for (const id of Object.values(repsByRegion).flat()) {
  if (!demoTeam.some((rep) => rep.id === id)) throw new Error(`demo team: ${id} of the demo history is missing`);
}

/** What the demo load needs; the composition root hands in the real services. */
export interface DemoSetupParts {
  readonly reps: { find(id: string): Promise<unknown>; add(fields: RepFieldsInput): Promise<unknown> };
  readonly ingest: { batch(body: { batch: readonly DemoMessage[] }, meta: { source: string; writeKeyHint: null }): Promise<IngestReport> };
  readonly costs: { report(rows: readonly unknown[]): Promise<{ stored: number; unchanged: number }> };
}

export interface DemoLoadProgress {
  /** Share of the history's days loaded, 0 to 1 (messages come in time order). */
  readonly fraction: number;
  /** The day of the history the load has reached, 1-based. */
  readonly day: number;
  readonly days: number;
  readonly messages: number;
  readonly stored: number;
}

export interface DemoLoadReport {
  readonly repsAdded: number;
  readonly leads: number;
  readonly accounts: number;
  readonly messages: number;
  readonly stored: number;
  /** Already in the store: a load that was interrupted and started again. */
  readonly duplicate: number;
  readonly unchanged: number;
  readonly quarantined: number;
  readonly costRows: number;
  /** A known lead's userId, for the examples printed afterwards (see exampleUser). */
  readonly exampleUserId: string | null;
}

const CHUNK = 500;

/**
 * Loads the demo company into a Nudge: its reps (first, so routing gives the new leads owners),
 * its history of Segment calls through ingestion (the same validation as the HTTP API, two chunks
 * in flight), then its ad spend. Message ids are derived from the options, so a load that was
 * interrupted can run again with the same options: what was stored counts as duplicate.
 *
 *   const report = await loadDemo({ leads: 3000, days: 180, seed: 1, start }, parts, (p) => bar.update(p.fraction));
 */
export async function loadDemo(options: DemoOptions, parts: DemoSetupParts, onProgress: (progress: DemoLoadProgress) => void = () => undefined): Promise<DemoLoadReport> {
  let repsAdded = 0;
  for (const rep of demoTeam) {
    if ((await parts.reps.find(rep.id)) !== null) continue;
    await parts.reps.add(rep);
    repsAdded++;
  }
  const world = buildDemoWorld(options);
  const totals = { messages: 0, stored: 0, duplicate: 0, unchanged: 0, quarantined: 0 };
  const progressAt = (timestamp: string): DemoLoadProgress => {
    const fraction = Math.min(1, Math.max(0, (Date.parse(timestamp) - world.startMs) / (world.endMs - world.startMs)));
    return { fraction, day: Math.min(options.days, Math.floor(fraction * options.days) + 1), days: options.days, messages: totals.messages, stored: totals.stored };
  };
  const send = async (chunk: DemoMessage[]): Promise<void> => {
    const report = await parts.ingest.batch({ batch: chunk }, { source: 'demo', writeKeyHint: null });
    if (report.failed.length > 0) throw report.failed[0]!.error;
    totals.messages += chunk.length;
    // With INGEST_LOG=kafka the API's answer is `accepted`: the ingest log holds it, a worker stores it.
    totals.stored += report.stored + report.accepted;
    totals.duplicate += report.duplicate;
    totals.unchanged += report.unchanged;
    totals.quarantined += report.quarantined.length;
    onProgress(progressAt(chunk[chunk.length - 1]!.timestamp));
  };
  // Two chunks in flight: one is stored while the next is generated and validated.
  let inFlight: Promise<void> | null = null;
  let chunk: DemoMessage[] = [];
  for (const message of demoMessages(world)) {
    chunk.push(message);
    if (chunk.length < CHUNK) continue;
    const sending = send(chunk);
    chunk = [];
    if (inFlight) await inFlight;
    inFlight = sending;
  }
  if (inFlight) await inFlight;
  if (chunk.length > 0) await send(chunk);
  onProgress({ fraction: 1, day: options.days, days: options.days, messages: totals.messages, stored: totals.stored });
  const costs = demoAdCosts(world);
  for (let i = 0; i < costs.length; i += 10_000) await parts.costs.report(costs.slice(i, i + 10_000));
  return { repsAdded, leads: world.contacts.length, accounts: world.accounts.length, ...totals, costRows: costs.length, exampleUserId: exampleUser(world) };
}

/**
 * A lead to try the live system with: of a company of 200 people or more (so the shipped
 * `new-inbound-lead` journey suggests a call when they ask for a demo), who never asked for one
 * and is no further than `lead` (the journey is open to them), signed up early in the history
 * (so they have one to look at). Null in the rare world with none.
 */
function exampleUser(world: DemoWorld): string | null {
  const candidates = world.accounts
    .filter((account) => account.employees >= 200)
    .flatMap((account) => account.contacts)
    .filter((contact) => (contact.signupPath === 'newsletter' || contact.signupPath === 'webinar') && contact.funnel.steps.every((step) => step.stage === 'subscriber' || step.stage === 'lead'))
    .sort((a, b) => a.signupAt - b.signupAt);
  return candidates[0]?.userId ?? world.contacts[0]?.userId ?? null;
}
