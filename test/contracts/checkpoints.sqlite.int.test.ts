import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteCheckpoints } from '../../infra/sqlite/index.ts';
import { checkpointsContract } from './checkpoints.contract.ts';

checkpointsContract('sqlite (file)', {
  open() {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-checkpoints-'));
    const path = join(dir, 'checkpoints.db');
    let checkpoints = createSqliteCheckpoints({ path });
    return Promise.resolve({
      get checkpoints() {
        return checkpoints;
      },
      async reopen() {
        await checkpoints.close();
        checkpoints = createSqliteCheckpoints({ path });
        return checkpoints;
      },
      async destroy() {
        await checkpoints.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  },
});
