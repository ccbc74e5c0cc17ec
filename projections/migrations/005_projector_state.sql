-- Where each projection is in the event store's order, kept beside the tables it describes.
-- committed: every event up to this position is in the tables. pending_from/pending_to: a batch
-- the projector started writing; after a crash it is written again with the same insert
-- deduplication tokens, so the tables end up exactly as if it had been written once.
-- generation: bumped by a rebuild, so its tokens never collide with the tokens of the run it replaces.
-- ORDER BY name with ReplacingMergeTree(version): one current row per projection.
CREATE TABLE IF NOT EXISTS projector_state
(
    name          LowCardinality(String),
    generation    UInt32,
    committed     UInt64,
    pending_from  UInt64,
    pending_to    UInt64,
    updated_at    DateTime64(3, 'UTC'),
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY name;
