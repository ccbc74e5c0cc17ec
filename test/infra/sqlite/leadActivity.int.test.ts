import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteLeadIndex } from '../../../infra/sqlite/index.ts';
import type { IndexChange } from '../../../services/ports/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function put(updatedAt: string, title: string, activityOnly?: boolean): IndexChange {
  return {
    kind: 'putLead',
    leadId: 'L1',
    document: { id: 'L1', updatedAt, traits: { title } },
    search: { email: 'jane@acme.example', name: null, company: null, stage: 'lead', status: null, accountId: null, ownerId: null, updatedAt },
    ...(activityOnly === undefined ? {} : { activityOnly }),
  };
}

describe('SQLite lead index: activity apart from the document', () => {
  it('an activity-only put writes the time in lead_activity and leaves the leads row alone; any other put rewrites the document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-lead-activity-'));
    dirs.push(dir);
    const path = join(dir, 'leads.db');
    const index = createSqliteLeadIndex({ path });
    const raw = new DatabaseSync(path, { readOnly: true });
    const stored = () => ({
      document: JSON.parse((raw.prepare("SELECT document FROM leads WHERE id = 'L1'").get() as { document: string }).document) as unknown,
      activity: (raw.prepare("SELECT updated_at FROM lead_activity WHERE id = 'L1'").get() as { updated_at: string }).updated_at,
    });
    const step = async (change: IndexChange) => {
      await index.transaction(async (tx) => {
        await tx.lead('L1');
        await tx.apply([change]);
      });
    };

    await step(put('2026-11-01T10:00:00.000Z', 'CEO'));
    expect(stored()).toEqual({ document: { id: 'L1', updatedAt: '2026-11-01T10:00:00.000Z', traits: { title: 'CEO' } }, activity: '2026-11-01T10:00:00.000Z' });

    await step(put('2026-11-01T11:00:00.000Z', 'CEO', true));
    // The row keeps the document as last written in full; the time moved in lead_activity, and reads show it.
    expect(stored()).toEqual({ document: { id: 'L1', updatedAt: '2026-11-01T10:00:00.000Z', traits: { title: 'CEO' } }, activity: '2026-11-01T11:00:00.000Z' });
    expect((await index.read.lead('L1'))?.document).toEqual({ id: 'L1', updatedAt: '2026-11-01T11:00:00.000Z', traits: { title: 'CEO' } });

    await step(put('2026-11-01T12:00:00.000Z', 'CTO'));
    expect(stored()).toEqual({ document: { id: 'L1', updatedAt: '2026-11-01T12:00:00.000Z', traits: { title: 'CTO' } }, activity: '2026-11-01T12:00:00.000Z' });
    raw.close();
    await index.close();
  });
});
