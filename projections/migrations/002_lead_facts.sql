-- Lead facts: everything a lead's stream says about its state, one row per fact, append-only.
-- A lead's current state is the newest value of each (kind, key): leads_current (004) folds them
-- with argMax(value, position), so the projector never reads a row back to rewrite it.
--
--   kind        key                       value
--   trait       the trait name            the new value as JSON ('null' when cleared)
--   status      'status'                  the new lead status
--   owner       'owner'                   the rep id
--   account     'account'                 the account id
--   account_trait  the account trait name  its value as JSON (from the group call or domain)
--   identity    the identity kind         the normalised identity value
--   tag         the tag                   '1' tagged, '0' untagged
--   score       'fit'|'engagement'|'total'|'band'  the score the scorer wrote back
--
-- owner is 'lead:<id>' of the stream the fact was written to (resolved through lead_aliases).
-- ORDER BY (owner, kind, key, position, event_id): "the newest value of this key for this lead"
-- reads one short, sorted run of rows; event_id last keeps one row per event and fact.
CREATE TABLE IF NOT EXISTS lead_facts
(
    event_id     String,
    position     UInt64,
    owner        String,
    occurred_at  DateTime64(3, 'UTC'),
    kind         LowCardinality(String),
    key          String,
    value        String
)
ENGINE = ReplacingMergeTree
ORDER BY (owner, kind, key, position, event_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Lifecycle stage changes, with the deal amount recorded with them: funnel, attribution
-- conversions and revenue all start here.
-- ORDER BY (owner, occurred_at, event_id): per-lead, time-ordered, as "the first time this lead
-- reached stage X" is read.
CREATE TABLE IF NOT EXISTS stage_changes
(
    event_id     String,
    position     UInt64,
    owner        String,
    occurred_at  DateTime64(3, 'UTC'),
    from_stage   String,
    to_stage     LowCardinality(String),
    amount       Nullable(Float64),
    currency     String
)
ENGINE = ReplacingMergeTree
ORDER BY (owner, occurred_at, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
