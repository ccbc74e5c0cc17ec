import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { analyticsOverPort, serveAnalyticsOnPort } from '../../../infra/clickhouse/analyticsOverPort.ts';
import { encodeRows } from '../../../infra/clickhouse/encodeRows.ts';
import { AnalyticsError, UnavailableError, ValidationError } from '../../../services/core/index.ts';
import type { Analytics, EncodedRows } from '../../../services/ports/index.ts';

/** An engine that records what it is asked (the real engine runs the port's contract: test/contracts/analytics.overPort.int.test.ts). */
function recordingEngine(overrides: Partial<Analytics> = {}): Analytics & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    database: 'db',
    description: 'recording engine',
    calls,
    command: (...args) => (calls.push(['command', ...args]), Promise.resolve()),
    query: (...args) => (calls.push(['query', ...args]), Promise.resolve([{ n: 1 }] as never[])),
    queryTable: (...args) => (calls.push(['queryTable', ...args]), Promise.resolve({ columns: [], rows: [] })),
    insert: (...args) => (calls.push(['insert', ...args]), Promise.resolve()),
    encodeRows,
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
    ...overrides,
  };
}

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0)) await item.close();
});

function connect(engine: Analytics): { remote: Analytics; serving: { close(): void } } {
  const { port1, port2 } = new MessageChannel();
  const serving = serveAnalyticsOnPort(engine, port1);
  const remote = analyticsOverPort(port2, { database: engine.database, description: engine.description });
  opened.push(remote, serving);
  return { remote, serving };
}

describe('analytics over a MessagePort', () => {
  it('encodes rows on the calling side: the engine gets them encoded, with the token', async () => {
    const engine = recordingEngine();
    const { remote } = connect(engine);
    await remote.insert('touches', [{ id: 'a', n: 1 }], { deduplicationToken: 't:1' });
    const [call] = engine.calls;
    expect(call?.[0]).toBe('insert');
    expect(call?.[1]).toBe('touches');
    expect(call?.[2] as EncodedRows).toEqual({ encoded: true, columns: ['id', 'n'], count: 1, body: '["a",1]\n' });
    expect(call?.[3]).toEqual({ deduplicationToken: 't:1' });
  });

  it("refuses a column that is not a plain name before anything is sent", async () => {
    const engine = recordingEngine();
    const { remote } = connect(engine);
    await expect(remote.insert('touches', [{ 'bad name': 1 }])).rejects.toThrow(ValidationError);
    expect(engine.calls).toEqual([]);
  });

  it("keeps the kind of the engine's errors: AnalyticsError with its code, ValidationError with its issues", async () => {
    const engine = recordingEngine({
      query: () => Promise.reject(new AnalyticsError('Unknown table expression identifier', { engineCode: 60 })),
      command: () => Promise.reject(new ValidationError('cannot insert', [{ path: 'table', message: 'must be a plain table name' }])),
    });
    const { remote } = connect(engine);
    const failed = await remote.query('SELECT 1 FROM nope').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AnalyticsError);
    expect(failed).toMatchObject({ message: 'Unknown table expression identifier', engineCode: 60 });
    const refused = await remote.command('x').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused).toMatchObject({ message: 'cannot insert: table: must be a plain table name', issues: [{ path: 'table', message: 'must be a plain table name' }] });
  });

  it('fails the calls still waiting, and every later one, when the engine side closes', async () => {
    let release: () => void = () => undefined;
    const engine = recordingEngine({ query: () => new Promise((resolve) => (release = () => resolve([])))});
    const { remote, serving } = connect(engine);
    const waiting = remote.query('SELECT sleep(1)');
    await new Promise((resolve) => setTimeout(resolve, 20));
    serving.close();
    await expect(waiting).rejects.toThrow(UnavailableError);
    await expect(remote.ping()).rejects.toThrow(UnavailableError);
    release();
  });

  it('after close, calls fail as unavailable; the engine itself stays open', async () => {
    let closed = false;
    const engine = recordingEngine({ close: () => ((closed = true), Promise.resolve()) });
    const { remote } = connect(engine);
    await remote.close();
    await expect(remote.command('SELECT 1')).rejects.toThrow('analytics engine is closed');
    expect(closed).toBe(false);
  });
});
