-- Touches: one row per TouchRecorded, from a lead's stream or an anonymous visitor's.
--
-- owner is the stream's subject as the event was written ('lead:<id>' or 'visitor:<anonymousId>');
-- the lead a touch counts for is resolved at query time through lead_aliases (003), so a
-- visitor's touches belong to the lead once VisitorLinked, including touches recorded before the
-- link, and a merged lead's touches belong to the survivor, without rewriting any row here.
--
-- ORDER BY (owner, occurred_at, event_id): attribution and scoring read one lead's touches in time
-- order (a path), so keeping each owner's rows together and time-sorted makes those reads
-- sequential; event_id last makes the key unique per event, so ReplacingMergeTree folds any
-- duplicate that got past the insert deduplication tokens.
-- PARTITION BY month keeps parts of a bounded size and lets old months be dropped whole.
CREATE TABLE IF NOT EXISTS touches
(
    event_id      String,
    position      UInt64,
    owner         String,
    occurred_at   DateTime64(3, 'UTC'),
    name          LowCardinality(String),
    call          LowCardinality(String),
    channel       LowCardinality(String),
    channel_rule  LowCardinality(String),
    source        String,
    medium        String,
    campaign      String,
    content       String,
    term          String,
    url           String,
    referrer      String,
    message_id    String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (owner, occurred_at, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
