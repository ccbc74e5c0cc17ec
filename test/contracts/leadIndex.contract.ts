/**
 * The LeadIndex contract: every adapter runs this one suite.
 *
 *   leadIndexContract('sqlite', { open: async () => ({ index, reopen, openSecond, destroy }) });
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexChange, LeadIndex, LeadSearchFields } from '../../services/ports/index.ts';

export interface LeadIndexUnderTest {
  readonly index: LeadIndex;
  reopen(): Promise<LeadIndex>;
  /** Another process's handle on the same index. */
  openSecond(): Promise<LeadIndex>;
  destroy(): Promise<void>;
}

export interface LeadIndexHarness {
  open(): Promise<LeadIndexUnderTest>;
  readonly skip?: string | undefined;
}

function fields(overrides: Partial<LeadSearchFields> = {}): LeadSearchFields {
  return { email: null, name: null, company: null, stage: null, status: null, accountId: null, ownerId: null, updatedAt: '2026-11-01T00:00:00.000Z', ...overrides };
}

function putLead(leadId: string, overrides: Partial<LeadSearchFields> = {}, document: unknown = { id: leadId }): Extract<IndexChange, { kind: 'putLead' }> {
  return { kind: 'putLead', leadId, document, search: fields(overrides) };
}

export function leadIndexContract(adapter: string, harness: LeadIndexHarness): void {
  const suite = harness.skip === undefined ? describe : describe.skip;
  if (harness.skip !== undefined) console.warn(`[contract] LeadIndex/${adapter} skipped: ${harness.skip}`);

  suite(`LeadIndex contract: ${adapter}`, () => {
    let subject: LeadIndexUnderTest;
    let index: LeadIndex;

    beforeEach(async () => {
      subject = await harness.open();
      index = subject.index;
    });
    afterEach(async () => {
      await subject.destroy();
    });

    it('starts empty at checkpoint 0', async () => {
      expect(await index.read.checkpoint()).toBe(0);
      expect(await index.read.lead('nobody')).toBeNull();
      expect(await index.read.leadOfIdentity('email:nobody@example.com')).toBeNull();
    });

    it('links identities to leads, and a transaction reads its own writes before commit', async () => {
      await index.transaction(async (tx) => {
        await tx.apply([putLead('L1', { email: 'jane@acme.com' }), { kind: 'linkIdentity', key: 'email:jane@acme.com', leadId: 'L1' }]);
        expect(await tx.leadOfIdentity('email:jane@acme.com')).toBe('L1');
        expect(await index.read.leadOfIdentity('email:jane@acme.com')).toBeNull();
      });
      expect(await index.read.leadOfIdentity('email:jane@acme.com')).toBe('L1');
      expect(await index.read.lead('L1')).toEqual({ id: 'L1', document: { id: 'L1' }, mergedInto: null });
    });

    it('a failed transaction leaves nothing behind', async () => {
      await expect(
        index.transaction(async (tx) => {
          await tx.apply([putLead('L1'), { kind: 'linkIdentity', key: 'userId:u1', leadId: 'L1' }]);
          await tx.setCheckpoint(10);
          throw new Error('planning failed');
        }),
      ).rejects.toThrow('planning failed');
      expect(await index.read.lead('L1')).toBeNull();
      expect(await index.read.leadOfIdentity('userId:u1')).toBeNull();
      expect(await index.read.checkpoint()).toBe(0);
    });

    it('transactions from two handles never interleave', async () => {
      const second = await subject.openSecond();
      const order: string[] = [];
      const slow = index.transaction(async (tx) => {
        order.push('first:start');
        await tx.apply([{ kind: 'linkIdentity', key: 'userId:first', leadId: 'L1' }]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        order.push('first:end');
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const other = second.transaction(async (tx) => {
        order.push('second:start');
        expect(await tx.leadOfIdentity('userId:first')).toBe('L1');
      });
      await Promise.all([slow, other]);
      expect(order).toEqual(['first:start', 'first:end', 'second:start']);
      await second.close();
    });

    it("a transaction sees what another handle committed since this handle's last transaction", async () => {
      const second = await subject.openSecond();
      await index.transaction((tx) => tx.apply([putLead('L', {}, { id: 'L', v: 1 }), { kind: 'linkIdentity', key: 'email:a@x.io', leadId: 'L' }]));
      // This handle has read (and may remember) the lead and the identity.
      await index.transaction(async (tx) => {
        expect((await tx.lead('L'))?.document).toEqual({ id: 'L', v: 1 });
        expect(await tx.leadOfIdentity('email:a@x.io')).toBe('L');
        expect(await tx.leadOfIdentity('email:b@x.io')).toBeNull();
      });
      await second.transaction((tx) =>
        tx.apply([putLead('L', {}, { id: 'L', v: 2 }), putLead('M'), { kind: 'linkIdentity', key: 'email:a@x.io', leadId: 'M' }, { kind: 'linkIdentity', key: 'email:b@x.io', leadId: 'M' }]),
      );
      await index.transaction(async (tx) => {
        expect((await tx.lead('L'))?.document).toEqual({ id: 'L', v: 2 });
        expect(await tx.leadOfIdentity('email:a@x.io')).toBe('M');
        expect(await tx.leadOfIdentity('email:b@x.io')).toBe('M');
      });
      await second.close();
    });

    it('after a failed transaction, the next one reads what is committed, not what the failed one wrote', async () => {
      await index.transaction((tx) => tx.apply([putLead('L', {}, { id: 'L', v: 1 })]));
      await expect(
        index.transaction(async (tx) => {
          await tx.apply([putLead('L', {}, { id: 'L', v: 2 }), { kind: 'linkIdentity', key: 'userId:u', leadId: 'L' }]);
          expect(await tx.leadOfIdentity('userId:u')).toBe('L');
          throw new Error('planning failed');
        }),
      ).rejects.toThrow('planning failed');
      await index.transaction(async (tx) => {
        expect((await tx.lead('L'))?.document).toEqual({ id: 'L', v: 1 });
        expect(await tx.leadOfIdentity('userId:u')).toBeNull();
      });
    });

    it('remembers events applied ahead of the checkpoint until the checkpoint covers them', async () => {
      await index.transaction(async (tx) => {
        await tx.apply([
          { kind: 'applied', eventId: 'e5', position: 5 },
          { kind: 'applied', eventId: 'e9', position: 9 },
        ]);
        await tx.setCheckpoint(6);
      });
      expect(await index.read.wasApplied('e5')).toBe(false);
      expect(await index.read.wasApplied('e9')).toBe(true);
      expect(await index.read.checkpoint()).toBe(6);
    });

    it('a merge moves identities to the survivor and marks the merged lead', async () => {
      await index.transaction(async (tx) => {
        await tx.apply([
          putLead('A'),
          putLead('B'),
          { kind: 'linkIdentity', key: 'userId:a', leadId: 'A' },
          { kind: 'linkIdentity', key: 'email:b@x.io', leadId: 'B' },
          { kind: 'mergeLead', from: 'B', into: 'A' },
        ]);
      });
      expect(await index.read.leadOfIdentity('email:b@x.io')).toBe('A');
      expect((await index.read.lead('B'))?.mergedInto).toBe('A');
      expect((await index.read.searchLeads({ limit: 10 })).items.map((l) => l.id)).toEqual(['A']);
    });

    it('searches by exact or prefix email, name and company parts, stage, and pages most recent first', async () => {
      await index.transaction((tx) =>
        tx.apply([
          putLead('L1', { email: 'jane@acme.com', name: 'Jane Doe', company: 'Acme Corp', stage: 'mql', updatedAt: '2026-11-03T00:00:00.000Z' }),
          putLead('L2', { email: 'joe@acme.com', name: 'Joe Bloggs', company: 'ACME corp', stage: 'lead', updatedAt: '2026-11-02T00:00:00.000Z' }),
          putLead('L3', { email: 'ann@globex.io', name: 'Ann 50%_off', company: 'Globex', stage: 'mql', updatedAt: '2026-11-01T00:00:00.000Z' }),
        ]),
      );
      const ids = async (query: Parameters<LeadIndex['read']['searchLeads']>[0]) => (await index.read.searchLeads(query)).items.map((l) => l.id);
      expect(await ids({ email: 'JANE@acme.com', limit: 10 })).toEqual(['L1']);
      expect(await ids({ email: 'j*', limit: 10 })).toEqual(['L1', 'L2']);
      expect(await ids({ company: 'acme', limit: 10 })).toEqual(['L1', 'L2']);
      expect(await ids({ name: '50%_', limit: 10 })).toEqual(['L3']);
      expect(await ids({ name: '%', limit: 10 })).toEqual(['L3']);
      expect(await ids({ stage: 'mql', limit: 10 })).toEqual(['L1', 'L3']);
      const first = await index.read.searchLeads({ limit: 2 });
      expect(first.items.map((l) => l.id)).toEqual(['L1', 'L2']);
      expect(await ids({ limit: 2, cursor: first.next! })).toEqual(['L3']);
    });

    it('lists most recent activity first, for broad and narrow filters alike, as activity and stages change', async () => {
      // Enough leads in one stage and for one owner that a listing walks the recency index.
      const at = (minute: number) => new Date(Date.UTC(2026, 10, 1) + minute * 60_000).toISOString();
      const stageOf = (i: number) => (i % 1_000 === 0 ? 'customer' : i % 2 === 0 ? 'lead' : 'mql');
      const changes = Array.from({ length: 12_000 }, (_, i) => putLead(`L${i}`, { stage: stageOf(i), ownerId: `rep-${i % 2}`, updatedAt: at(i) }));
      await index.transaction((tx) => tx.apply(changes));
      // Activity (the time moves, nothing searchable does), and a stage change.
      await index.transaction(async (tx) => {
        await tx.lead('L10');
        await tx.lead('L13');
        await tx.apply([putLead('L10', { stage: 'lead', ownerId: 'rep-0', updatedAt: at(20_000) }), putLead('L13', { stage: 'customer', ownerId: 'rep-1', updatedAt: at(20_001) })]);
      });
      const listing = async (query: Omit<Parameters<LeadIndex['read']['searchLeads']>[0], 'limit'>, pages: number) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < pages; page++) {
          const found = await index.read.searchLeads({ ...query, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
          ids.push(...found.items.map((lead) => lead.id));
          if (found.next === null) break;
          cursor = found.next;
        }
        return ids;
      };
      const stageNow = (i: number) => (i === 13 ? 'customer' : stageOf(i));
      const all = [13, 10, ...Array.from({ length: 12_000 }, (_, i) => 11_999 - i).filter((i) => i !== 10 && i !== 13)];
      expect(await listing({ stage: 'lead' }, 3)).toEqual(all.filter((i) => stageNow(i) === 'lead').slice(0, 1_500).map((i) => `L${i}`));
      expect(await listing({ stage: 'customer' }, 3)).toEqual(all.filter((i) => stageNow(i) === 'customer').map((i) => `L${i}`));
      expect(await listing({ stage: 'mql' }, 2)).toEqual(all.filter((i) => stageNow(i) === 'mql').slice(0, 1_000).map((i) => `L${i}`));
      expect(await listing({ ownerId: 'rep-1', stage: 'customer' }, 1)).toEqual(['L13']);
      expect(await listing({}, 1)).toEqual(all.slice(0, 500).map((i) => `L${i}`));
    });

    it("keeps a lead's activity time apart: an activity-only put moves the document's updatedAt and the listing, and leaves the rest as last put", async () => {
      const at = (minute: number) => new Date(Date.UTC(2026, 10, 1) + minute * 60_000).toISOString();
      const document = (leadId: string, updatedAt: string, title: string) => ({ id: leadId, updatedAt, traits: { title } });
      await index.transaction((tx) =>
        tx.apply([putLead('L1', { updatedAt: at(1), stage: 'lead' }, document('L1', at(1), 'CEO')), putLead('L2', { updatedAt: at(2), stage: 'lead' }, document('L2', at(2), 'CTO'))]),
      );
      await index.transaction(async (tx) => {
        await tx.lead('L1');
        await tx.apply([{ ...putLead('L1', { updatedAt: at(5), stage: 'lead' }, document('L1', at(5), 'CEO')), activityOnly: true }]);
        // Inside the transaction, the newest document.
        expect((await tx.lead('L1'))?.document).toEqual(document('L1', at(5), 'CEO'));
      });
      for (const restarted of [false, true]) {
        if (restarted) index = await subject.reopen();
        expect(await index.read.lead('L1')).toEqual({ id: 'L1', document: document('L1', at(5), 'CEO'), mergedInto: null });
        expect((await index.read.searchLeads({ limit: 10 })).items.map((lead) => lead.document)).toEqual([document('L1', at(5), 'CEO'), document('L2', at(2), 'CTO')]);
        expect((await index.read.searchLeads({ stage: 'lead', limit: 1 })).items.map((lead) => lead.id)).toEqual(['L1']);
      }
      // A full put after activity-only ones in one transaction writes the whole document; an
      // activity-only put of a lead the index has no document for writes the whole document too.
      await index.transaction(async (tx) => {
        await tx.lead('L2');
        await tx.apply([putLead('L2', { updatedAt: at(6), stage: 'lead' }, document('L2', at(6), 'VP Sales'))]);
        await tx.apply([{ ...putLead('L2', { updatedAt: at(7), stage: 'lead' }, document('L2', at(7), 'VP Sales')), activityOnly: true }]);
        await tx.apply([{ ...putLead('L3', { updatedAt: at(3) }, document('L3', at(3), 'CFO')), activityOnly: true }]);
      });
      expect((await index.read.lead('L2'))?.document).toEqual(document('L2', at(7), 'VP Sales'));
      expect((await index.read.lead('L3'))?.document).toEqual(document('L3', at(3), 'CFO'));
      expect((await index.read.searchLeads({ limit: 10 })).items.map((lead) => lead.id)).toEqual(['L2', 'L1', 'L3']);
    });

    it('writePending writes ahead of the commit: the transaction reads it, other readers see it only once committed, a rollback undoes it', async () => {
      await expect(
        index.transaction(async (tx) => {
          await tx.apply([putLead('L1', { email: 'jane@acme.com' }), { kind: 'linkIdentity', key: 'email:jane@acme.com', leadId: 'L1' }]);
          await tx.writePending();
          expect((await tx.searchLeads({ email: 'jane@acme.com', limit: 5 })).items.map((lead) => lead.id)).toEqual(['L1']);
          expect(await index.read.lead('L1')).toBeNull();
          throw new Error('planning failed');
        }),
      ).rejects.toThrow('planning failed');
      expect(await index.read.lead('L1')).toBeNull();
      await index.transaction(async (tx) => {
        await tx.apply([putLead('L1', { email: 'jane@acme.com', updatedAt: '2026-11-02T00:00:00.000Z' })]);
        await tx.writePending();
        await tx.apply([{ ...putLead('L1', { email: 'jane@acme.com', updatedAt: '2026-11-03T00:00:00.000Z' }), activityOnly: true }, putLead('L2')]);
        await tx.writePending();
        await tx.writePending();
      });
      expect(await index.read.lead('L1')).toEqual({ id: 'L1', document: { id: 'L1' }, mergedInto: null });
      expect((await index.read.searchLeads({ limit: 5 })).items.map((lead) => lead.id)).toEqual(['L1', 'L2']);
    });

    it('rejects a cursor it did not make', async () => {
      await expect(index.read.searchLeads({ limit: 5, cursor: 'not-a-cursor' })).rejects.toMatchObject({ name: 'ValidationError' });
    });

    it('keeps accounts and their keys', async () => {
      await index.transaction((tx) =>
        tx.apply([
          { kind: 'putAccount', accountId: 'A1', document: { name: 'Acme' } },
          { kind: 'linkAccount', key: 'domain:acme.com', accountId: 'A1' },
        ]),
      );
      expect(await index.read.accountOfKey('domain:acme.com')).toBe('A1');
      expect(await index.read.account('A1')).toEqual({ id: 'A1', document: { name: 'Acme' } });
    });

    it('keeps everything across a restart', async () => {
      await index.transaction(async (tx) => {
        await tx.apply([putLead('L1'), { kind: 'linkIdentity', key: 'userId:u1', leadId: 'L1' }]);
        await tx.setCheckpoint(42);
      });
      index = await subject.reopen();
      expect(await index.read.checkpoint()).toBe(42);
      expect(await index.read.leadOfIdentity('userId:u1')).toBe('L1');
    });
  });
}
