/**
 * Tables of the lead read model (a projection: `nudge` can drop the file and rebuild it from
 * the event store). Migrated by `PRAGMA user_version`.
 *
 * identities: identity key (`email:…`, `userId:…`, `anonymousId:…`) → lead; the primary key is
 *   what makes "one identity, one lead" hold.
 * leads: the profile document plus the columns search and sort use; `merged_into` marks a lead
 *   that turned out to be another one. A rowid table (not WITHOUT ROWID): its rows are large.
 *   Version 4 takes updated_at out of the stage, account and owner indexes: every touch moves a
 *   lead's updated_at, and each index holding it cost a delete and an insert per touch; a
 *   filtered listing walks the recency index and filters, or sorts the filter's matches. Version 5
 *   moves updated_at and its recency index to lead_activity.
 * timeline (version 1 only): a copy of every event's data per lead. Version 2 drops it: timelines
 *   are read from the event store (services/leads/leadTimeline.ts), which halves what ingestion
 *   writes per event and the size of this file.
 * messages (versions 1–2 only): Segment messageIds applied, so a message that comes again is
 *   stored once. Version 3 drops it: ingestion asks the event store whether a message's first
 *   event id (derived from the messageId) is stored, which is the same fact without a second
 *   random-key write per event.
 * applied: events applied ahead of the checkpoint by ingestion's fast path.
 * lead_activity (version 5): each lead's activity time (the newest event's), with the recency index
 *   the default listing walks. It moves on every touch; in the leads table it made each touch
 *   rewrite a large row and dirty one page of the table per lead, which the index's commit then
 *   wrote out. Its narrow rows share pages, and a touch writes nothing else. The documents in
 *   `leads` may hold an older `updatedAt`: reads take it from here.
 */
export const leadIndexMigrations: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE identities (key TEXT PRIMARY KEY, lead_id TEXT NOT NULL) WITHOUT ROWID;
   CREATE INDEX identities_by_lead ON identities (lead_id);
   CREATE TABLE leads (
     id          TEXT NOT NULL UNIQUE,
     document    TEXT NOT NULL,
     merged_into TEXT,
     email       TEXT,
     name_lc     TEXT,
     company_lc  TEXT,
     stage       TEXT,
     status      TEXT,
     account_id  TEXT,
     owner_id    TEXT,
     updated_at  TEXT NOT NULL
   );
   CREATE INDEX leads_by_recent ON leads (updated_at DESC, id DESC);
   CREATE INDEX leads_by_email ON leads (email);
   CREATE INDEX leads_by_stage ON leads (stage, updated_at DESC, id DESC);
   CREATE INDEX leads_by_account ON leads (account_id, updated_at DESC, id DESC);
   CREATE INDEX leads_by_owner ON leads (owner_id, updated_at DESC, id DESC);
   CREATE TABLE accounts (id TEXT PRIMARY KEY, document TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE account_keys (key TEXT PRIMARY KEY, account_id TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE messages (message_id TEXT PRIMARY KEY) WITHOUT ROWID;
   CREATE TABLE applied (event_id TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE timeline (
     seq         INTEGER PRIMARY KEY AUTOINCREMENT,
     owner       TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     event_id    TEXT NOT NULL,
     type        TEXT NOT NULL,
     stream      TEXT NOT NULL,
     data        TEXT NOT NULL
   );
   CREATE INDEX timeline_by_owner ON timeline (owner, occurred_at, seq);`,
  `DROP TABLE timeline;`,
  `DROP TABLE messages;`,
  `DROP INDEX leads_by_stage;
   DROP INDEX leads_by_account;
   DROP INDEX leads_by_owner;
   CREATE INDEX leads_by_stage ON leads (stage);
   CREATE INDEX leads_by_account ON leads (account_id);
   CREATE INDEX leads_by_owner ON leads (owner_id);`,
  `CREATE TABLE lead_activity (id TEXT PRIMARY KEY, updated_at TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO lead_activity (id, updated_at) SELECT id, updated_at FROM leads;
   CREATE INDEX lead_activity_by_recent ON lead_activity (updated_at DESC, id DESC);
   DROP INDEX leads_by_recent;
   ALTER TABLE leads DROP COLUMN updated_at;`,
];
