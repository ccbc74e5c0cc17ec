import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteQuarantine } from '../../infra/sqlite/index.ts';
import { quarantineContract } from './quarantine.contract.ts';

quarantineContract('sqlite (file, synchronous=full)', {
  open() {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-quarantine-'));
    const path = join(dir, 'quarantine.db');
    let quarantine = createSqliteQuarantine({ path });
    return Promise.resolve({
      quarantine,
      async reopen() {
        await quarantine.close();
        quarantine = createSqliteQuarantine({ path });
        return quarantine;
      },
      async destroy() {
        await quarantine.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  },
});
