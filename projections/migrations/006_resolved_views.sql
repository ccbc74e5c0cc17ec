-- The lead each owner counts for now: a linked visitor's or a merged lead's current target.
CREATE VIEW IF NOT EXISTS lead_alias_current AS
SELECT key, argMax(lead_id, version) AS lead_id
FROM lead_aliases
GROUP BY key;

-- Touches with the lead they count for (lead_id = '' for a visitor not linked to any lead yet).
CREATE VIEW IF NOT EXISTS touches_resolved AS
SELECT
    t.event_id AS event_id, t.position AS position, t.owner AS owner, t.occurred_at AS occurred_at,
    t.name AS name, t.call AS call, t.channel AS channel, t.source AS source, t.medium AS medium,
    t.campaign AS campaign, t.content AS content, t.term AS term, t.url AS url, t.referrer AS referrer,
    if(a.lead_id != '', a.lead_id, if(startsWith(t.owner, 'lead:'), substring(t.owner, 6), '')) AS lead_id
FROM touches AS t
LEFT JOIN lead_alias_current AS a ON a.key = t.owner;

-- Stage changes with the lead they count for (a merged lead's changes count for the survivor).
CREATE VIEW IF NOT EXISTS stage_changes_resolved AS
SELECT
    s.event_id AS event_id, s.position AS position, s.occurred_at AS occurred_at,
    s.from_stage AS from_stage, s.to_stage AS to_stage, s.amount AS amount, s.currency AS currency,
    if(a.lead_id != '', a.lead_id, substring(s.owner, 6)) AS lead_id
FROM stage_changes AS s
LEFT JOIN lead_alias_current AS a ON a.key = s.owner;

-- Lead facts with the lead they count for.
CREATE VIEW IF NOT EXISTS lead_facts_resolved AS
SELECT
    f.event_id AS event_id, f.position AS position, f.occurred_at AS occurred_at,
    f.kind AS kind, f.key AS key, f.value AS value,
    if(a.lead_id != '', a.lead_id, substring(f.owner, 6)) AS lead_id
FROM lead_facts AS f
LEFT JOIN lead_alias_current AS a ON a.key = f.owner;

-- One row per lead as it stands now (merged-away leads are folded into their survivor).
-- first_identified_at: the lead's first identification (LeadIdentified), which with the stage
-- `lead` marks lead creation for W-shaped attribution.
CREATE VIEW IF NOT EXISTS leads_current AS
SELECT
    lead_id,
    argMaxIf(value, position, kind = 'identity' AND key = 'email') AS email,
    JSONExtractString(argMaxIf(value, position, kind = 'trait' AND key = 'name')) AS name,
    JSONExtractString(argMaxIf(value, position, kind = 'trait' AND key = 'title')) AS title,
    JSONExtractString(argMaxIf(value, position, kind = 'trait' AND key = 'company')) AS company,
    JSONExtractString(argMaxIf(value, position, kind = 'account_trait' AND key = 'name')) AS account_name,
    JSONExtractString(argMaxIf(value, position, kind = 'account_trait' AND key = 'industry')) AS industry,
    toUInt32OrZero(JSONExtractRaw(argMaxIf(value, position, kind = 'account_trait' AND key = 'employees'))) AS employees,
    coalesce(nullIf(JSONExtractString(argMaxIf(value, position, kind = 'trait' AND key = 'country')), ''),
             JSONExtractString(argMaxIf(value, position, kind = 'account_trait' AND key = 'country'))) AS country,
    argMaxIf(value, position, kind = 'status') AS status,
    argMaxIf(value, position, kind = 'owner') AS owner_id,
    argMaxIf(value, position, kind = 'account') AS account_id,
    minIf(occurred_at, kind = 'identity') AS first_identified_at,
    min(occurred_at) AS first_seen_at
FROM lead_facts_resolved
GROUP BY lead_id;
