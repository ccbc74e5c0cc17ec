import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteLeadIndex } from '../../infra/sqlite/index.ts';
import type { LeadIndex } from '../../services/ports/index.ts';
import { leadIndexContract } from './leadIndex.contract.ts';

leadIndexContract('sqlite (file, WAL)', {
  open() {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-leads-'));
    const path = join(dir, 'leads.db');
    let index: LeadIndex = createSqliteLeadIndex({ path });
    const others: LeadIndex[] = [];
    return Promise.resolve({
      index,
      async reopen() {
        await index.close();
        index = createSqliteLeadIndex({ path });
        return index;
      },
      openSecond() {
        const other = createSqliteLeadIndex({ path });
        others.push(other);
        return Promise.resolve(other);
      },
      async destroy() {
        await Promise.all([index, ...others].map((i) => i.close()));
        rmSync(dir, { recursive: true, force: true });
      },
    });
  },
});
