/**
 * Guarantee 1 through the ingestion API: a `nudge serve` child is killed with SIGKILL while a
 * client sends batches; after a restart, every message that got a 2xx is in the store exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/sqlite/index.ts';
import { startNudge } from './nudgeProcess.ts';

const WRITE_KEY = 'wk_crash_test_key_1';
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nudge-ingest-crash-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ingestion crash safety', () => {
  it('every message acknowledged with 2xx before SIGKILL is stored exactly once after restart', async () => {
    const env = { NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: WRITE_KEY, NUDGE_API_TOKENS: 'crash-test-api-token-0123', NUDGE_INGEST_RATE_LIMIT: '0' };
    const nudge = await startNudge(env);
    const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
    const acknowledged: string[] = [];
    let sent = 0;
    let stop = false;

    const client = async (worker: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        const batch = Array.from({ length: 20 }, (_, i) => ({
          type: i % 5 === 0 ? 'identify' : 'track',
          messageId: `crash-${worker}-${n}-${i}`,
          userId: `user-${worker}-${(n * 20 + i) % 37}`,
          event: 'Content Viewed',
          traits: { email: `user-${worker}-${(n * 20 + i) % 37}@acme-${worker}.com`, seen: n },
          properties: { n, i },
        }));
        sent += batch.length;
        try {
          const response = await fetch(`${nudge.url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
          if (response.ok) acknowledged.push(...batch.map((m) => m.messageId));
        } catch {
          return; // the server is gone
        }
      }
    };
    const clients = [client(0), client(1), client(2)];
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    nudge.child.kill('SIGKILL');
    await nudge.stop();
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThan(100);

    // Restart: the lead index catches up with the store on start.
    const again = await startNudge(env);
    await again.stop();

    const store = createSqliteEventStore({ path: join(dataDir, 'events.db'), readOnly: true });
    const stored = new Set<string>();
    const copies = new Map<string, number>();
    let after = 0;
    for (;;) {
      const page = await store.readAll({ after, limit: 5_000 });
      if (page.length === 0) break;
      for (const event of page) {
        const messageId = (event.data as { messageId?: string }).messageId;
        if (messageId === undefined) continue;
        stored.add(messageId);
        // A message stored twice would show the same kind of event twice.
        const key = `${messageId}:${event.type}`;
        copies.set(key, (copies.get(key) ?? 0) + 1);
      }
      after = page[page.length - 1]!.position;
    }
    await store.close();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect([...copies].filter(([, count]) => count > 1)).toEqual([]);
    expect(stored.size).toBeLessThanOrEqual(sent);
  });
});
