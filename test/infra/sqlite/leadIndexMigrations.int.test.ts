import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteLeadIndex } from '../../../infra/sqlite/index.ts';
import { leadIndexMigrations } from '../../../infra/sqlite/leadIndexSchema.ts';
import { migrate } from '../../../infra/sqlite/schema.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('lead index migrations', () => {
  it('brings a version 1 file to the newest schema, keeping leads, identities and the checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-index-migrations-'));
    dirs.push(dir);
    const path = join(dir, 'leads.db');
    const old = new DatabaseSync(path);
    migrate(old, leadIndexMigrations.slice(0, 1), 'lead index');
    old.exec(`INSERT INTO meta (key, value) VALUES ('checkpoint', '42');
      INSERT INTO identities (key, lead_id) VALUES ('email:jane@acme.com', 'L1');
      INSERT INTO leads (id, document, email, stage, owner_id, updated_at) VALUES ('L1', '{"id":"L1"}', 'jane@acme.com', 'mql', 'rep-1', '2026-11-01T00:00:00.000Z');
      INSERT INTO messages (message_id) VALUES ('m1');
      INSERT INTO timeline (owner, occurred_at, event_id, type, stream, data) VALUES ('L1', '2026-11-01T00:00:00.000Z', 'e1', 'TouchRecorded', 'lead-L1', '{}');`);
    old.close();

    const index = createSqliteLeadIndex({ path });
    expect(await index.read.checkpoint()).toBe(42);
    expect(await index.read.leadOfIdentity('email:jane@acme.com')).toBe('L1');
    expect((await index.read.searchLeads({ stage: 'mql', ownerId: 'rep-1', limit: 5 })).items.map((lead) => lead.id)).toEqual(['L1']);
    await index.close();

    const db = new DatabaseSync(path, { readOnly: true });
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(leadIndexMigrations.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
    expect(tables).not.toContain('messages');
    expect(tables).not.toContain('timeline');
    // Activity (updated_at) is in lead_activity and its recency index only.
    const columnsOf = (name: string) => (db.prepare(`PRAGMA index_info(${name})`).all() as { name: string }[]).map((row) => row.name);
    expect(columnsOf('lead_activity_by_recent')).toEqual(['updated_at', 'id']);
    expect((db.prepare('PRAGMA table_info(leads)').all() as { name: string }[]).map((row) => row.name)).not.toContain('updated_at');
    expect(db.prepare('SELECT id, updated_at FROM lead_activity').all()).toEqual([{ id: 'L1', updated_at: '2026-11-01T00:00:00.000Z' }]);
    expect(columnsOf('leads_by_stage')).toEqual(['stage']);
    expect(columnsOf('leads_by_account')).toEqual(['account_id']);
    expect(columnsOf('leads_by_owner')).toEqual(['owner_id']);
    db.close();
  });
});
