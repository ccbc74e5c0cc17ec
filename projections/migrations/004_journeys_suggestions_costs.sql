-- Journey steps: entries, steps, waits, timers and exits of every lead in every journey.
-- ORDER BY (journey_id, occurred_at, event_id): journey reports read one journey over a period.
CREATE TABLE IF NOT EXISTS journey_steps
(
    event_id     String,
    position     UInt64,
    owner        String,
    occurred_at  DateTime64(3, 'UTC'),
    journey_id   LowCardinality(String),
    version      UInt32,
    instance_id  String,
    type         LowCardinality(String),
    node         String,
    next_node    String,
    detail       String
)
ENGINE = ReplacingMergeTree
ORDER BY (journey_id, occurred_at, event_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Suggestions and their outcomes: one row per lifecycle event of a suggestion (proposed,
-- accepted, snoozed, completed with its outcome, dismissed with its reason, expired, merged).
-- rep_id is the owner named when proposed (empty for the team queue); later rows carry who acted.
-- ORDER BY (suggestion_id, position, event_id): a suggestion's history is one sorted run, which
-- is how "what became of each suggestion" (argMax over it) is read.
CREATE TABLE IF NOT EXISTS suggestions
(
    event_id       String,
    position       UInt64,
    owner          String,
    occurred_at    DateTime64(3, 'UTC'),
    suggestion_id  String,
    type           LowCardinality(String),
    journey_id     LowCardinality(String),
    version        UInt32,
    action         LowCardinality(String),
    priority       LowCardinality(String),
    rep_id         String,
    by             String,
    outcome        LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (suggestion_id, position, event_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Ad spend per day and source/medium/campaign, in the currency it was reported in. A report for
-- the same day and key replaces the earlier one (the newest position wins), so re-importing a
-- corrected CSV fixes the figure instead of adding to it.
-- ORDER BY (day, source, medium, campaign) with ReplacingMergeTree(position): that key is what
-- a cost is, and ROI joins on it.
CREATE TABLE IF NOT EXISTS ad_costs
(
    day       Date,
    source    String,
    medium    String,
    campaign  String,
    cost      Float64,
    currency  LowCardinality(String),
    clicks    UInt64,
    impressions UInt64,
    position  UInt64,
    event_id  String
)
ENGINE = ReplacingMergeTree(position)
ORDER BY (day, source, medium, campaign)
SETTINGS non_replicated_deduplication_window = 1000;
