-- Who a touch or fact belongs to: 'visitor:<anonymousId>' → lead once the visitor is linked,
-- 'lead:<id>' → the surviving lead once that lead was merged into another. The projector keeps
-- the mapping flat (a visitor of a lead that was later merged points straight at the survivor),
-- writing a new row with a higher version when a target changes.
--
-- ORDER BY key with ReplacingMergeTree(version): one current row per key after merges, and a
-- query takes argMax(lead_id, version) per key, which is right before merges happen too.
CREATE TABLE IF NOT EXISTS lead_aliases
(
    key       String,
    lead_id   String,
    version   UInt64,
    event_id  String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY key
SETTINGS non_replicated_deduplication_window = 1000;
