import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../../infra/sqlite/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('sqlite event store under a crash', () => {
  it('every acknowledged append survives SIGKILL of the writing process, exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-crash-'));
    dirs.push(dir);
    const path = join(dir, 'events.db');
    const child = spawn(process.execPath, [join(import.meta.dirname, 'crashWriter.ts'), path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: string[] = [];
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));

    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged.push(line);
      if (acknowledged.length === 300) child.kill('SIGKILL');
    }

    expect(await exited).toBe('SIGKILL');
    const store = createSqliteEventStore({ path });
    try {
      const stored = await store.readAll();
      const ids = stored.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.slice(0, acknowledged.length)).toEqual(acknowledged);
      expect(ids.length).toBeGreaterThanOrEqual(acknowledged.length);
    } finally {
      await store.close();
    }
  });
});
