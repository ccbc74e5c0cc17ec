import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../services/core/index.ts';
import { migrateAnalytics } from '../../projections/migrate.ts';
import { runAnalystSql, toCsv } from '../../projections/sql/analystSql.ts';
import { openTestAnalytics } from '../support/analytics.ts';

describe('analyst SQL', () => {
  let analytics: Awaited<ReturnType<typeof openTestAnalytics>>;
  const limits = { maxRows: 5, timeoutSeconds: 5 };

  beforeAll(async () => {
    analytics = await openTestAnalytics('sql');
    await migrateAnalytics(analytics);
    await analytics.insert('ad_costs', [
      { day: '2026-01-01', source: 'google', medium: 'cpc', campaign: 'brand', cost: 10, currency: 'USD', clicks: 1, impressions: 2, position: 1, event_id: 'a' },
      { day: '2026-01-02', source: 'google', medium: 'cpc', campaign: 'brand', cost: 12.5, currency: 'USD', clicks: 1, impressions: 2, position: 2, event_id: 'b' },
    ]);
  });
  afterAll(async () => {
    await analytics.drop();
  });

  async function refusal(sql: string): Promise<string> {
    const error = await runAnalystSql(analytics, sql, limits).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe('sql');
    return (error as ValidationError).issues[0]!.message;
  }

  it('runs a SELECT over the projection tables, with column names and types', async () => {
    const result = await runAnalystSql(analytics, 'SELECT source, sum(cost) AS spend FROM ad_costs GROUP BY source;', limits);
    expect(result.columns).toEqual([
      { name: 'source', type: 'String' },
      { name: 'spend', type: 'Float64' },
    ]);
    expect(result.rows).toEqual([['google', 22.5]]);
    expect(result.truncated).toBe(false);
    expect(toCsv(result)).toBe('source,spend\r\ngoogle,22.5\r\n');
  });

  it('caps the rows and says so', async () => {
    const result = await runAnalystSql(analytics, 'SELECT number FROM numbers(100)', limits);
    expect(result.rows).toHaveLength(5);
    expect(result.truncated).toBe(true);
  });

  it('refuses writes, DDL, a second statement, settings changes and file access', async () => {
    expect(await refusal("INSERT INTO ad_costs (source) VALUES ('x')")).toMatch(/must be a SELECT query \(this is INSERT\)/);
    expect(await refusal('DROP TABLE ad_costs')).toMatch(/must be a SELECT query/);
    expect(await refusal('TRUNCATE TABLE ad_costs')).toMatch(/must be a SELECT query/);
    expect(await refusal('ALTER TABLE ad_costs DELETE WHERE 1')).toMatch(/must be a SELECT query/);
    expect(await refusal('SELECT 1; DROP TABLE ad_costs')).toMatch(/Multi-statements are not allowed/);
    expect(await refusal('SELECT * FROM (SELECT 1 SETTINGS readonly = 0)')).toMatch(/SETTINGS/);
    expect(await refusal('SET readonly = 0')).toMatch(/must be a SELECT query/);
    expect(await refusal("SELECT * FROM file('/etc/passwd', 'LineAsString')")).toMatch(/not allowed here|readonly/i);
    expect(await refusal("SELECT * FROM url('http://127.0.0.1:1/x', 'LineAsString')")).toMatch(/not allowed here|readonly/i);
    // Nothing above changed the table, and the session is not left read-only for the projector.
    expect(await analytics.query('SELECT count() AS c FROM ad_costs')).toEqual([{ c: 2 }]);
    await analytics.insert('ad_costs', [{ day: '2026-01-03', source: 'bing', medium: 'cpc', campaign: 'x', cost: 1, currency: 'USD', clicks: 0, impressions: 0, position: 3, event_id: 'c' }]);
    expect(await analytics.query('SELECT count() AS c FROM ad_costs')).toEqual([{ c: 3 }]);
  });

  it('reports a syntax error and a timeout in the engine’s words, naming the sql field', async () => {
    expect(await refusal('SELEC 1')).toMatch(/Syntax error/);
    expect(await refusal('SELECT nope FROM ad_costs')).toMatch(/nope/);
    const slow = await runAnalystSql(analytics, 'SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 1', { maxRows: 5, timeoutSeconds: 1 }).catch((caught: unknown) => caught);
    expect(slow).toBeInstanceOf(ValidationError);
    expect((slow as ValidationError).issues[0]?.message).toMatch(/Timeout exceeded/);
  });
});
