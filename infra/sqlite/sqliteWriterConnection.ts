import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * The BroadcastChannel on which every commit to the store's file is announced to the process's
 * stores of that file, on whatever thread (the newest position, a number), so their subscriptions
 * wake at once: by the writer thread after each of its commits, or by a store that commits on its
 * own thread.
 */
export function commitsChannelName(path: string): string {
  return `nudge-event-store:${resolve(path)}`;
}

export interface WriterConnectionOptions {
  readonly path: string;
  readonly synchronous: 'full' | 'normal';
  /** How long a write waits for another connection's write lock. */
  readonly busyTimeoutMs: number;
  /**
   * Checkpoint on a thread of their own (sqliteCheckpointerThread.ts) instead of in the commits
   * (the writer thread only; null or absent: SQLite's automatic checkpoints).
   */
  readonly checkpointer?: { readonly intervalMs: number; readonly restartFrames: number } | null;
  /** The writer thread's name in its announcements on the commits channel (its owner ignores them). */
  readonly announceAs?: string;
}

/** A commit announced on the commits channel: by a writer thread (its name), or by a store committing on its own thread (null). */
export interface CommitAnnouncement {
  readonly writer: string | null;
  readonly newest: number;
}

/** WAL size (pages) at which a commit checkpoints, when no checkpointer thread does. */
export const AUTOCHECKPOINT_PAGES = 10_000;

/** A connection that writes the event store: WAL, the chosen durability, a large page cache and rare checkpoints. */
export function openWriterConnection(options: WriterConnectionOptions): DatabaseSync {
  const db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs });
  if (options.path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous.toUpperCase()}`);
  // The id index takes random keys (UUIDs): a page cache of 64 MiB keeps its pages in
  // memory instead of re-reading them from the file on every append.
  db.exec('PRAGMA cache_size = -65536');
  // Checkpoint the WAL into the file every ~40 MB rather than SQLite's default ~4 MB: a
  // batch of appends dirties many pages of the two random-key indexes (ids, streams), so at
  // the default nearly every commit also ran a checkpoint, copying and fsyncing those pages
  // a second time. Measured: about 1.6× the append rate for 500-event commits.
  db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  return db;
}
