import { afterEach, describe, expect, it } from 'vitest';
import { AnalyticsError, ValidationError } from '../../services/core/index.ts';
import type { Analytics } from '../../services/ports/index.ts';
import { concatEncodedRows } from '../../services/ports/index.ts';

export interface AnalyticsFixture {
  readonly analytics: Analytics;
  destroy(): Promise<void>;
}

/** The Analytics port's contract: every engine (chDB, a ClickHouse server) runs it. */
export function analyticsContract(name: string, factory: { open(): Promise<AnalyticsFixture> }): void {
  describe(`Analytics contract: ${name}`, () => {
    let fixture: AnalyticsFixture | undefined;
    afterEach(async () => {
      await fixture?.destroy();
      fixture = undefined;
    });

    it('runs unqualified statements in its own database', async () => {
      fixture = await factory.open();
      const { analytics } = fixture;
      await analytics.command('CREATE TABLE t (id String, n UInt32) ENGINE = MergeTree ORDER BY id');
      const [row] = await analytics.query<{ db: string }>('SELECT currentDatabase() AS db');
      expect(row?.db).toBe(analytics.database);
      const tables = await analytics.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db:String}', { db: analytics.database });
      expect(tables.map((table) => table.name)).toEqual(['t']);
    });

    it('inserts rows and reads them back as objects and as a typed table, counts as numbers', async () => {
      fixture = await factory.open();
      const { analytics } = fixture;
      await analytics.command("CREATE TABLE t (id String, n UInt64, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id");
      await analytics.insert('t', [
        { id: 'a', n: 1, at: '2026-01-02 03:04:05.678' },
        { id: 'b', n: 2, at: '2026-01-02 03:04:05.000' },
      ]);
      expect(await analytics.query('SELECT id, n, at FROM t ORDER BY id')).toEqual([
        { id: 'a', n: 1, at: '2026-01-02 03:04:05.678' },
        { id: 'b', n: 2, at: '2026-01-02 03:04:05.000' },
      ]);
      const [count] = await analytics.query<{ c: unknown }>('SELECT count() AS c FROM t');
      expect(count?.c).toBe(2);
      const table = await analytics.queryTable('SELECT id, n FROM t ORDER BY id');
      expect(table.columns).toEqual([
        { name: 'id', type: 'String' },
        { name: 'n', type: 'UInt64' },
      ]);
      expect(table.rows).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
    });

    it('binds parameters instead of splicing them into the text', async () => {
      fixture = await factory.open();
      const { analytics } = fixture;
      const hostile = "x'); DROP DATABASE nudge; --";
      expect(await analytics.query('SELECT {s:String} AS s, {n:UInt32} + 1 AS n', { s: hostile, n: 41 })).toEqual([{ s: hostile, n: 42 }]);
    });

    it('stores a repeated insert with the same deduplication token once, and one with another token again', async () => {
      fixture = await factory.open();
      const { analytics } = fixture;
      await analytics.command('CREATE TABLE t (id String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100');
      await analytics.insert('t', [{ id: 'a' }, { id: 'b' }], { deduplicationToken: 'batch:1' });
      await analytics.insert('t', [{ id: 'a' }, { id: 'b' }], { deduplicationToken: 'batch:1' });
      await analytics.insert('t', [{ id: 'a' }, { id: 'b' }], { deduplicationToken: 'batch:2' });
      expect(await analytics.query('SELECT count() AS c FROM t')).toEqual([{ c: 4 }]);
      // A token does not leak into the next insert that has none (it would drop as a repeat of batch:1).
      await analytics.insert('t', [{ id: 'c' }]);
      expect(await analytics.query("SELECT count() AS c FROM t WHERE id = 'c'")).toEqual([{ c: 1 }]);
    });

    it('inserts rows encoded ahead of the insert as it inserts the rows themselves; refuses a column that is no plain name', async () => {
      fixture = await factory.open();
      const { analytics } = fixture;
      await analytics.command('CREATE TABLE t (id String, n UInt32, note String DEFAULT \'none\') ENGINE = MergeTree ORDER BY id');
      const encoded = analytics.encodeRows([{ id: 'a', n: 1 }, { id: 'b', n: 2, note: 'ignored: not a column of the first row' }]);
      expect(encoded.count).toBe(2);
      expect(encoded.columns).toEqual(['id', 'n']);
      await analytics.insert('t', encoded, { deduplicationToken: 'encoded:1' });
      await analytics.insert('t', analytics.encodeRows([]));
      expect(await analytics.query('SELECT id, n, note FROM t ORDER BY id')).toEqual([
        { id: 'a', n: 1, note: 'none' },
        { id: 'b', n: 2, note: 'none' },
      ]);
      expect(() => analytics.encodeRows([{ 'id; DROP TABLE t': 'x' }])).toThrow(ValidationError);
      await expect(analytics.insert('t', { encoded: true, columns: ['id`) SELECT 1 --'], count: 1, body: '["x"]\n' })).rejects.toThrow(ValidationError);
      expect(await analytics.query('SELECT count() AS c FROM t')).toEqual([{ c: 2 }]);
    });

    it('encodes rows under columns it is given, and inserts two encodings joined end to end as both', async () => {
      fixture = await factory.open();
      const { analytics } = fixture;
      await analytics.command("CREATE TABLE t (id String, n UInt32, note String DEFAULT 'none') ENGINE = MergeTree ORDER BY id");
      const first = analytics.encodeRows([{ id: 'a', n: 1 }]);
      // Keys in another order, one missing (its column default), one extra (not a column: dropped).
      const second = analytics.encodeRows([{ n: 2, id: 'b' }, { id: 'c', extra: 'x' }], { columns: first.columns });
      expect(second.columns).toEqual(['id', 'n']);
      const joined = concatEncodedRows(first, second);
      expect(joined.count).toBe(3);
      expect(concatEncodedRows(joined, analytics.encodeRows([]))).toBe(joined);
      await analytics.insert('t', joined);
      expect(await analytics.query('SELECT id, n, note FROM t ORDER BY id')).toEqual([
        { id: 'a', n: 1, note: 'none' },
        { id: 'b', n: 2, note: 'none' },
        { id: 'c', n: 0, note: 'none' },
      ]);
      expect(() => concatEncodedRows(first, analytics.encodeRows([{ id: 'd', note: 'y' }]))).toThrow(/different columns/);
      expect(() => analytics.encodeRows([{ id: 'e' }], { columns: ['id', 'n) SELECT 1 --'] })).toThrow(ValidationError);
    });

    it('reports a bad statement as an AnalyticsError with the engine code and its message', async () => {
      fixture = await factory.open();
      const error = await fixture.analytics.query('SELEC 1').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AnalyticsError);
      expect((error as AnalyticsError).engineCode).toBe(62);
      expect((error as AnalyticsError).message).toMatch(/Syntax error/);
      const unknown = await fixture.analytics.query('SELECT * FROM no_such_table').catch((caught: unknown) => caught);
      expect(unknown).toBeInstanceOf(AnalyticsError);
      expect((unknown as Error).message).toMatch(/no_such_table/);
    });

    it('answers a ping and says what it is', async () => {
      fixture = await factory.open();
      await fixture.analytics.ping();
      expect(fixture.analytics.description).toMatch(/ClickHouse \d+\.\d+/);
    });
  });
}
