import type { Condition, LeafCondition, ScoringModel } from './scoringModel.ts';

/**
 * ClickHouse SQL generated from a scoring model: one row per (lead_id, as_of) of a
 * "points in time" query, with each rule's points (`fit__<id>`, `engagement__<id>`,
 * `negative__<id>`), the three sums, the total and the band. A lead is scored from the facts and
 * touches recorded up to its own as_of, so the same SQL scores every lead now, one lead at any
 * moment, or each lead at the moment it reached MQL (calibration).
 *
 * Semantics, mirrored exactly by `evaluateScore` (the plain TypeScript reference the tests
 * compare against):
 * - a field's value is the newest fact of it at or before as_of, as text (a JSON string trait
 *   as is, other JSON values as written, JSON null as missing); a missing value satisfies no
 *   operator except `exists: false`;
 * - engagement: each matching touch at or before as_of gives points × 2^(−age / halfLife), the
 *   rule's sum is capped at `cap`.
 *
 *   const sql = scoringSql(model, 'SELECT lead_id, now64(3) AS as_of FROM leads_current');
 *   await analytics.query(sql, { freeMail: [...domains] });
 */
export function scoringSql(model: ScoringModel, pointsInTime: string): string {
  return scoringQuery(model, pointsInTime).sql;
}

/**
 * The same SQL, also selecting the value each field had (`field__<n>`, named in `fieldColumns`)
 * and each engagement rule's number of matching touches (`touches__<id>`): what an explanation shows.
 */
export function scoringQuery(model: ScoringModel, pointsInTime: string): { sql: string; fieldColumns: ReadonlyMap<string, string> } {
  const fields = new Map<string, string>();
  const column = (field: string): string => {
    let name = fields.get(field);
    if (name === undefined) fields.set(field, (name = `v${fields.size}`));
    return name;
  };
  const conditionRules = [...model.fit.map((rule) => ({ section: 'fit', rule })), ...model.negative.map((rule) => ({ section: 'negative', rule }))];
  const ruleColumns = conditionRules.map(({ section, rule }) => `if(${conditionSql(rule.when, column)}, ${num(rule.points)}, 0) AS ${ruleColumn(section, rule.id)}`);
  const factColumns = [...fields].map(([field, name]) => `${fieldSql(field)} AS ${name}`);
  const engagementColumns = model.engagement.map((rule) => {
    const matches = [
      rule.events ? `t.name IN (${rule.events.map(str).join(', ')})` : null,
      rule.channels ? `t.channel IN (${rule.channels.map(str).join(', ')})` : null,
    ].filter((part) => part !== null);
    const age = '(toUnixTimestamp64Milli(p.as_of) - toUnixTimestamp64Milli(t.occurred_at))';
    const each = rule.halfLifeDays === undefined ? num(rule.points) : `${num(rule.points)} * pow(2, -${age} / ${num(rule.halfLifeDays * 86_400_000)})`;
    const sum = `sumIf(${each}, ${matches.join(' AND ')})`;
    return `${rule.cap === undefined ? sum : `least(${num(rule.cap)}, ${sum})`} AS ${ruleColumn('engagement', rule.id)}, countIf(${matches.join(' AND ')}) AS ${ruleColumn('touches', rule.id)}`;
  });
  const sumOf = (names: readonly string[]): string => (names.length === 0 ? 'toFloat64(0)' : names.map((name) => `toFloat64(${name})`).join(' + '));
  const fitSum = sumOf(model.fit.map((rule) => ruleColumn('fit', rule.id)));
  const negativeSum = sumOf(model.negative.map((rule) => ruleColumn('negative', rule.id)));
  const engagementSum = sumOf(model.engagement.map((rule) => `e.${ruleColumn('engagement', rule.id)}`));
  const band = `multiIf(${model.bands
    .slice(0, -1)
    .map((b) => `total >= ${num(b.min!)}, ${str(b.name)}`)
    .concat(str(model.bands[model.bands.length - 1]!.name))
    .join(', ')})`;
  const sql = `
WITH points AS (${pointsInTime}),
facts AS (
  SELECT p.lead_id AS lead_id, p.as_of AS as_of${factColumns.map((sql) => `,\n    ${sql}`).join('')}
  FROM points AS p
  LEFT JOIN lead_facts_resolved AS f ON f.lead_id = p.lead_id
  GROUP BY p.lead_id, p.as_of
),
engagement AS (
  SELECT p.lead_id AS lead_id, p.as_of AS as_of${engagementColumns.map((sql) => `,\n    ${sql}`).join('')}
  FROM points AS p
  INNER JOIN touches_resolved AS t ON t.lead_id = p.lead_id
  WHERE t.occurred_at <= p.as_of
  GROUP BY p.lead_id, p.as_of
),
scored AS (
  SELECT facts.lead_id AS lead_id, facts.as_of AS as_of${ruleColumns.map((sql) => `,\n    ${sql}`).join('')}${model.engagement.map((rule) => `,\n    e.${ruleColumn('engagement', rule.id)} AS ${ruleColumn('engagement', rule.id)}, e.${ruleColumn('touches', rule.id)} AS ${ruleColumn('touches', rule.id)}`).join('')}${[...fields.values()].map((name) => `,\n    facts.${name} AS field__${name}`).join('')},
    ${fitSum} AS fit,
    ${engagementSum} AS engagement,
    ${negativeSum} AS negative
  FROM facts
  LEFT JOIN engagement AS e ON e.lead_id = facts.lead_id AND e.as_of = facts.as_of
)
SELECT *, fit + engagement + negative AS total, ${band} AS band
FROM scored
SETTINGS join_use_nulls = 0`;
  return { sql, fieldColumns: new Map([...fields].map(([field, name]) => [field, `field__${name}`])) };
}

/** The column of one rule's points: `fit__senior_title`. */
export function ruleColumn(section: string, id: string): string {
  return `${section}__${id.replaceAll('-', '_')}`;
}

/** The newest value of a field at or before the row's as_of, as Nullable(String). */
function fieldSql(field: string): string {
  const newest = (kind: string, key: string) => `nullIf(argMaxIf(f.value, f.position, f.kind = ${str(kind)} AND f.key = ${str(key)} AND f.occurred_at <= p.as_of), '')`;
  const email = newest('identity', 'email');
  const domain = `if(isNull(${email}), NULL, lower(arrayElement(splitByChar('@', assumeNotNull(${email})), -1)))`;
  if (field.startsWith('trait.')) return jsonText(newest('trait', field.slice('trait.'.length)));
  if (field.startsWith('account.')) return jsonText(newest('account_trait', field.slice('account.'.length)));
  switch (field) {
    case 'country':
      return `coalesce(${jsonText(newest('trait', 'country'))}, ${jsonText(newest('account_trait', 'country'))})`;
    case 'email_domain':
      return domain;
    case 'free_mail':
      return `if(isNull(${domain}), NULL, if(has({freeMail:Array(String)}, assumeNotNull(${domain})), 'true', 'false'))`;
    case 'status':
      return newest('status', 'status');
    default:
      throw new Error(`unknown scoring field ${field}`);
  }
}

/** A trait's JSON text as the value conditions see: strings unquoted, JSON null missing. */
function jsonText(json: string): string {
  return `if(isNull(${json}), NULL, multiIf(JSONType(assumeNotNull(${json})) = 'String', JSONExtractString(assumeNotNull(${json})), JSONType(assumeNotNull(${json})) = 'Null', NULL, JSONExtractRaw(assumeNotNull(${json}))))`;
}

function conditionSql(condition: Condition, column: (field: string) => string): string {
  if ('any' in condition) return `(${condition.any.map((c) => conditionSql(c, column)).join(' OR ')})`;
  if ('all' in condition) return `(${condition.all.map((c) => conditionSql(c, column)).join(' AND ')})`;
  return `ifNull(${leafSql(condition, column(condition.field))}, 0)`;
}

function leafSql(leaf: LeafCondition, x: string): string {
  if (leaf.exists !== undefined) return leaf.exists ? `isNotNull(${x})` : `isNull(${x})`;
  if (leaf.equals !== undefined) {
    if (typeof leaf.equals === 'boolean') return leaf.equals ? `lower(${x}) IN ('true', '1')` : `lower(${x}) IN ('false', '0')`;
    if (typeof leaf.equals === 'number') return `toFloat64OrNull(${x}) = ${num(leaf.equals)}`;
    return `lower(${x}) = ${str(leaf.equals.toLowerCase())}`;
  }
  if (leaf.in) return `lower(${x}) IN (${leaf.in.map((value) => str(value.toLowerCase())).join(', ')})`;
  if (leaf.words) return `multiSearchAny(concat(' ', trimBoth(replaceRegexpAll(lower(ifNull(${x}, '')), '[^a-z0-9]+', ' ')), ' '), [${leaf.words.map((word) => str(` ${normaliseWords(word)} `)).join(', ')}])`;
  if (leaf.endsWith) return `arrayExists(suffix -> endsWith(lower(ifNull(${x}, '')), suffix), [${leaf.endsWith.map((suffix) => str(suffix.toLowerCase())).join(', ')}])`;
  if (leaf.between) return `toFloat64OrNull(${x}) BETWEEN ${num(leaf.between[0])} AND ${num(leaf.between[1])}`;
  if (leaf.gte !== undefined) return `toFloat64OrNull(${x}) >= ${num(leaf.gte)}`;
  if (leaf.lt !== undefined) return `toFloat64OrNull(${x}) < ${num(leaf.lt)}`;
  throw new Error(`condition on ${leaf.field} has no operator`);
}

/** `Co-Founder` → `co founder`: lower case, every run of other characters one space. */
export function normaliseWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** A string literal: quotes and backslashes escaped (model text is configuration, still never trusted as SQL). */
function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return `toFloat64(${String(value)})`;
}
