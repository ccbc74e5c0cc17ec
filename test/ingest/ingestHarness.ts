import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, createSqliteLeadIndex, createSqliteQuarantine } from '../../infra/sqlite/index.ts';
import type { ManualClock } from '../../services/core/index.ts';
import { manualClock } from '../../services/core/index.ts';
import type { IngestReport } from '../../services/ingest/index.ts';
import { createIngestPipeline, defaultChannelRules, IngestService } from '../../services/ingest/index.ts';
import type { LeadProfile, LeadSettings, TimelineEntry } from '../../services/leads/index.ts';
import { defaultLeadSettings, leadTimeline } from '../../services/leads/index.ts';
import type { EventStore, LeadIndex, Quarantine } from '../../services/ports/index.ts';

/** Real SQLite store, index and quarantine in a temp folder, and the ingestion in front of them. */
export interface IngestHarness {
  readonly store: EventStore;
  readonly index: LeadIndex;
  readonly quarantine: Quarantine;
  readonly service: IngestService;
  readonly clock: ManualClock;
  readonly dir: string;
  /** Sends messages as one batch. */
  send(...messages: Record<string, unknown>[]): Promise<IngestReport>;
  leadOf(key: string): Promise<LeadProfile | null>;
  timeline(leadId: string): Promise<TimelineEntry[]>;
  /** Throws the index away and rebuilds it from the store. */
  rebuildIndex(): Promise<LeadIndex>;
  close(): Promise<void>;
}

let counter = 0;
export function messageId(): string {
  return `msg-${process.pid}-${counter++}`;
}

export async function createIngestHarness(settings: LeadSettings = defaultLeadSettings): Promise<IngestHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-ingest-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
  let index = createSqliteLeadIndex({ path: join(dir, 'leads.db') });
  const quarantine = createSqliteQuarantine({ path: join(dir, 'quarantine.db') });
  const clock = manualClock('2026-11-22T10:00:00.000Z');
  const make = () => {
    const pipeline = createIngestPipeline({ store, index, settings, channelRules: defaultChannelRules });
    return { pipeline, service: new IngestService({ pipeline, quarantine, clock }) };
  };
  let wired = make();
  const harness: IngestHarness = {
    store,
    get index() {
      return index;
    },
    quarantine,
    get service() {
      return wired.service;
    },
    clock,
    dir,
    send: (...messages) => wired.service.batch({ batch: messages.map((m) => ({ messageId: messageId(), ...m })) }, { source: 'test', writeKeyHint: null }),
    async leadOf(key) {
      const id = await index.read.leadOfIdentity(key);
      if (id === null) return null;
      return ((await index.read.lead(id))?.document as LeadProfile | undefined) ?? null;
    },
    async timeline(leadId) {
      await wired.pipeline.drained();
      const lead = await index.read.lead(leadId);
      if (lead === null) return [];
      return [...(await leadTimeline(store, lead.document as LeadProfile, { limit: 500 })).items];
    },
    async rebuildIndex() {
      await wired.pipeline.drained();
      await index.close();
      rmSync(join(dir, 'leads.db'), { force: true });
      rmSync(join(dir, 'leads.db-wal'), { force: true });
      rmSync(join(dir, 'leads.db-shm'), { force: true });
      index = createSqliteLeadIndex({ path: join(dir, 'leads.db') });
      wired = make();
      await wired.pipeline.catchUp();
      return index;
    },
    async close() {
      await wired.pipeline.drained();
      await index.close();
      await quarantine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
