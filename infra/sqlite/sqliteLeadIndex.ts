import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { setTimeout as delay } from 'node:timers/promises';
import { UnavailableError, ValidationError } from '../../services/core/index.ts';
import type {
  IndexChange,
  IndexedAccount,
  IndexedLead,
  LeadIndex,
  LeadIndexReader,
  LeadIndexTransaction,
  LeadSearch,
  LeadSearchFields,
  Page,
} from '../../services/ports/index.ts';
import { leadIndexMigrations } from './leadIndexSchema.ts';
import { migrate } from './schema.ts';

export interface SqliteLeadIndexOptions {
  /** Database file, or ':memory:'. */
  readonly path: string;
  /** How long a transaction waits for another process holding the index. Default 30 s. */
  readonly busyTimeoutMs?: number;
}

/**
 * The lead read model in a SQLite file of its own (WAL). Transactions run on a writer
 * connection under BEGIN IMMEDIATE, which is also the lock between processes; plain reads use a
 * second connection and so see only committed state.
 *
 *   const index = createSqliteLeadIndex({ path: 'data/leads.db' });
 */
export function createSqliteLeadIndex(options: SqliteLeadIndexOptions): LeadIndex {
  return new SqliteLeadIndex(options);
}

class SqliteLeadIndex implements LeadIndex {
  readonly #writer: DatabaseSync;
  readonly #reader: DatabaseSync;
  readonly #writerQueries: Queries;
  readonly read: LeadIndexReader;
  readonly #busyTimeoutMs: number;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #cache = new WriterCache();
  #commits = 0;

  constructor(options: SqliteLeadIndexOptions) {
    const memory = options.path === ':memory:';
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
    try {
      if (!memory) mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
      // No busy wait inside SQLite: it would block the event loop, and with it the very
      // transaction (of this process) that holds the lock. `#begin` waits asynchronously instead.
      this.#writer = new DatabaseSync(options.path, { timeout: 0 });
      if (!memory) this.#writer.exec('PRAGMA journal_mode = WAL');
      // A projection can always be rebuilt from the store, so it need not fsync every commit.
      this.#writer.exec('PRAGMA synchronous = NORMAL');
      // Checkpoint the WAL into the database file every ~40 MB rather than every 4 MB: each
      // checkpoint ends in an fsync, and ingestion batches write many pages.
      this.#writer.exec('PRAGMA wal_autocheckpoint = 10000');
      this.#writer.exec('PRAGMA cache_size = -65536');
      migrate(this.#writer, leadIndexMigrations, 'lead index');
      this.#reader = memory ? this.#writer : new DatabaseSync(options.path, { readOnly: true, timeout: options.busyTimeoutMs ?? 30_000 });
    } catch (error) {
      throw new UnavailableError(`cannot open lead index at ${options.path}: ${messageOf(error)}`, { cause: error });
    }
    this.#writerQueries = new Queries(this.#writer);
    this.read = new Reader(memory ? this.#writerQueries : new Queries(this.#reader), () => this.#assertOpen());
  }

  transaction<T>(work: (tx: LeadIndexTransaction) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.#assertOpen();
      await this.#begin();
      const cache = this.#cache;
      try {
        // Another connection committed since our last commit: what we remember may be stale.
        const generation = (this.#writerQueries.generation.get() as { value: string } | undefined)?.value ?? null;
        if (generation !== cache.generation) cache.clear();
        const tx = new Transaction(this.#writerQueries, () => this.#assertOpen(), cache);
        const result = await work(tx);
        tx.flush();
        const next = `${process.pid}-${++this.#commits}-${Date.now().toString(36)}`;
        this.#writerQueries.setGeneration.run(next);
        this.#writer.exec('COMMIT');
        cache.generation = next;
        return result;
      } catch (error) {
        cache.clear();
        if (this.#writer.isOpen && this.#writer.isTransaction) this.#writer.exec('ROLLBACK');
        throw translate(error);
      }
    };
    // One transaction at a time in this process; SQLite's lock orders them between processes.
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** BEGIN IMMEDIATE, waiting without blocking while another connection holds the write lock. */
  async #begin(): Promise<void> {
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        this.#writer.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() >= deadline) throw new UnavailableError(`lead index: still locked by another writer after ${this.#busyTimeoutMs} ms`, { cause: error });
        // Poll every few ms: a busy writer in another process leaves the lock free only briefly between transactions.
        await delay(Math.min(2 ** attempt, 4));
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new UnavailableError('lead index is closed');
  }
}

/** Prepared statements of one connection. */
class Queries {
  readonly checkpoint: StatementSync;
  readonly setCheckpoint: StatementSync;
  readonly generation: StatementSync;
  readonly setGeneration: StatementSync;
  readonly leadOfIdentity: StatementSync;
  readonly accountOfKey: StatementSync;
  readonly lead: StatementSync;
  readonly account: StatementSync;
  readonly wasApplied: StatementSync;
  readonly putLead: StatementSync;
  readonly putDocument: StatementSync;
  readonly putActivity: StatementSync;
  readonly leadRow: StatementSync;
  readonly linkIdentity: StatementSync;
  readonly mergeIdentities: StatementSync;
  readonly markMerged: StatementSync;
  readonly putAccount: StatementSync;
  readonly linkAccount: StatementSync;
  readonly applied: StatementSync;
  readonly forgetApplied: StatementSync;
  readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.checkpoint = db.prepare("SELECT value FROM meta WHERE key = 'checkpoint'");
    this.setCheckpoint = db.prepare("INSERT INTO meta (key, value) VALUES ('checkpoint', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    this.generation = db.prepare("SELECT value FROM meta WHERE key = 'generation'");
    this.setGeneration = db.prepare("INSERT INTO meta (key, value) VALUES ('generation', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    this.leadOfIdentity = db.prepare('SELECT lead_id FROM identities WHERE key = ?');
    this.accountOfKey = db.prepare('SELECT account_id FROM account_keys WHERE key = ?');
    this.lead = db.prepare('SELECT l.id, l.document, l.merged_into, a.updated_at FROM leads l LEFT JOIN lead_activity a ON a.id = l.id WHERE l.id = ?');
    this.account = db.prepare('SELECT id, document FROM accounts WHERE id = ?');
    this.wasApplied = db.prepare('SELECT 1 AS found FROM applied WHERE event_id = ?');
    this.leadRow = db.prepare(
      'SELECT l.id, l.document, l.merged_into, l.email, l.name_lc, l.company_lc, l.stage, l.status, l.account_id, l.owner_id, a.updated_at FROM leads l LEFT JOIN lead_activity a ON a.id = l.id WHERE l.id = ?',
    );
    // Only the document: the indexes on the other columns are left alone.
    this.putDocument = db.prepare('UPDATE leads SET document = ? WHERE id = ?');
    this.putLead = db.prepare(
      `INSERT INTO leads (id, document, email, name_lc, company_lc, stage, status, account_id, owner_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET document = excluded.document, email = excluded.email, name_lc = excluded.name_lc,
         company_lc = excluded.company_lc, stage = excluded.stage, status = excluded.status,
         account_id = excluded.account_id, owner_id = excluded.owner_id`,
    );
    this.putActivity = db.prepare(
      'INSERT INTO lead_activity (id, updated_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at WHERE updated_at <> excluded.updated_at',
    );
    this.linkIdentity = db.prepare('INSERT INTO identities (key, lead_id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET lead_id = excluded.lead_id');
    this.mergeIdentities = db.prepare('UPDATE identities SET lead_id = ? WHERE lead_id = ?');
    this.markMerged = db.prepare('UPDATE leads SET merged_into = ? WHERE id = ? OR merged_into = ?');
    this.putAccount = db.prepare('INSERT INTO accounts (id, document) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET document = excluded.document');
    this.linkAccount = db.prepare('INSERT INTO account_keys (key, account_id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET account_id = excluded.account_id');
    this.applied = db.prepare('INSERT INTO applied (event_id, position) VALUES (?, ?) ON CONFLICT DO NOTHING');
    this.forgetApplied = db.prepare('DELETE FROM applied WHERE position <= ?');
  }
}

/** Matches of a filter from which a listing walks the recency index instead of sorting them. */
const BROAD_FILTER = 5_000;

class Reader implements LeadIndexReader {
  protected readonly q: Queries;
  protected readonly assertOpen: () => void;

  constructor(queries: Queries, assertOpen: () => void) {
    this.q = queries;
    this.assertOpen = assertOpen;
  }

  checkpoint(): Promise<number> {
    return this.run(() => Number((this.q.checkpoint.get() as { value: string } | undefined)?.value ?? 0));
  }

  leadOfIdentity(key: string): Promise<string | null> {
    return this.run(() => (this.q.leadOfIdentity.get(key) as { lead_id: string } | undefined)?.lead_id ?? null);
  }

  accountOfKey(key: string): Promise<string | null> {
    return this.run(() => (this.q.accountOfKey.get(key) as { account_id: string } | undefined)?.account_id ?? null);
  }

  lead(leadId: string): Promise<IndexedLead | null> {
    return this.run(() => {
      const row = this.q.lead.get(leadId) as LeadRow | undefined;
      return row ? indexedLead(row) : null;
    });
  }

  account(accountId: string): Promise<IndexedAccount | null> {
    return this.run(() => {
      const row = this.q.account.get(accountId) as { id: string; document: string } | undefined;
      return row ? { id: row.id, document: JSON.parse(row.document) as unknown } : null;
    });
  }

  wasApplied(eventId: string): Promise<boolean> {
    return this.run(() => this.q.wasApplied.get(eventId) !== undefined);
  }

  searchLeads(query: LeadSearch): Promise<Page<IndexedLead>> {
    return this.run(() => {
      const where: string[] = ['l.merged_into IS NULL'];
      const params: (string | number)[] = [];
      if (query.email !== undefined) {
        const email = query.email.trim().toLowerCase();
        if (email.endsWith('*')) {
          where.push("l.email LIKE ? ESCAPE '\\'");
          params.push(`${escapeLike(email.slice(0, -1))}%`);
        } else {
          where.push('l.email = ?');
          params.push(email);
        }
      }
      for (const [column, value] of [
        ['name_lc', query.name],
        ['company_lc', query.company],
      ] as const) {
        if (value === undefined) continue;
        where.push(`l.${column} LIKE ? ESCAPE '\\'`);
        params.push(`%${escapeLike(value.trim().toLowerCase())}%`);
      }
      const filters = [
        ['stage', query.stage],
        ['status', query.status],
        ['account_id', query.accountId],
        ['owner_id', query.ownerId],
      ] as const;
      for (const [column, value] of filters) {
        if (value === undefined) continue;
        where.push(`l.${column} = ?`);
        params.push(value);
      }
      const byRecency = query.email === undefined && this.#broad(filters);
      if (query.cursor !== undefined) {
        const [updatedAt, id] = decodeCursor(query.cursor);
        where.push('(a.updated_at, a.id) < (?, ?)');
        params.push(updatedAt, id);
      }
      // Walking the recency index: activity first (CROSS JOIN keeps that order), each lead looked up by id.
      const from = byRecency ? 'lead_activity a INDEXED BY lead_activity_by_recent CROSS JOIN leads l ON l.id = a.id' : 'leads l JOIN lead_activity a ON a.id = l.id';
      const rows = this.q.db
        .prepare(`SELECT l.id, l.document, l.merged_into, a.updated_at FROM ${from} WHERE ${where.join(' AND ')} ORDER BY a.updated_at DESC, a.id DESC LIMIT ?`)
        .all(...params, query.limit + 1) as unknown as (LeadRow & { updated_at: string })[];
      const page = rows.slice(0, query.limit);
      const items = page.map(indexedLead);
      const last = page[page.length - 1];
      return { items, next: rows.length > query.limit && last ? encodeCursor([last.updated_at, last.id]) : null };
    });
  }

  /**
   * Whether every indexed filter matches so many leads that walking the recency index (most
   * recent first) and filtering finds a page sooner than sorting all the matches. The indexes on
   * stage, account and owner do not hold updated_at (a touch would rewrite them all), so a
   * selective filter reads its matches and sorts them, and a broad one would sort a large part
   * of the table: counting up to BROAD_FILTER matches in the filter's index tells which it is.
   */
  #broad(filters: readonly (readonly [string, string | undefined])[]): boolean {
    let indexed = 0;
    for (const [column, value] of filters) {
      if (value === undefined || column === 'status') continue;
      indexed += 1;
      const statement = (this.#counts[column] ??= this.q.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM leads WHERE ${column} = ? LIMIT ${BROAD_FILTER})`));
      if ((statement.get(value) as { n: number }).n < BROAD_FILTER) return false;
    }
    return indexed > 0;
  }

  readonly #counts: Record<string, StatementSync> = {};

  protected run<T>(read: () => T): Promise<T> {
    try {
      this.assertOpen();
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(translate(error));
    }
  }
}

/**
 * What the writer connection knows of the index (lead documents, identity → lead), kept from one
 * transaction to the next: ingestion reads the same leads over and over. It is valid while the
 * `generation` in the meta table is the one our last commit wrote; a commit from another
 * connection (another process) changes it and the next transaction starts with an empty cache.
 * A rolled-back transaction empties it too.
 */
class WriterCache {
  generation: string | null = null;
  readonly leads = new Map<string, IndexedLead | null>();
  readonly identities = new Map<string, string | null>();
  /** The search columns of a lead's row as stored (`searchKey`), null when there is no row. */
  readonly stored = new Map<string, string | null>();

  clear(): void {
    this.generation = null;
    this.leads.clear();
    this.identities.clear();
    this.stored.clear();
  }

  /** Keeps memory bounded: past the limits, start over (cheaper than LRU bookkeeping on every read). */
  trim(): void {
    if (this.leads.size > 100_000) {
      this.leads.clear();
      this.stored.clear();
    }
    if (this.identities.size > 200_000) this.identities.clear();
  }
}

/** The searchable columns of a lead's row, as one comparable string. */
function searchKey(columns: readonly (string | null)[]): string {
  return JSON.stringify(columns);
}

function searchColumns(s: LeadSearchFields): (string | null)[] {
  return [s.email?.toLowerCase() ?? null, s.name?.toLowerCase() ?? null, s.company?.toLowerCase() ?? null, s.stage, s.status, s.accountId, s.ownerId];
}

/**
 * Lead documents are read and written many times in one ingestion batch (every event of a lead
 * folds into its document): the transaction keeps them in memory (in the writer's cache, which
 * outlives it) and writes each changed one once, before anything that reads the leads table with
 * SQL, and at commit.
 */
class Transaction extends Reader implements LeadIndexTransaction {
  readonly #leads: Map<string, IndexedLead | null>;
  readonly #identities: Map<string, string | null>;
  readonly #stored: Map<string, string | null>;
  /** Leads to write: the newest put, and whether anything but the activity time changed since the last write. */
  readonly #dirty = new Map<string, { readonly change: Extract<IndexChange, { kind: 'putLead' }>; readonly full: boolean }>();

  constructor(queries: Queries, assertOpen: () => void, cache: WriterCache) {
    super(queries, assertOpen);
    cache.trim();
    this.#leads = cache.leads;
    this.#identities = cache.identities;
    this.#stored = cache.stored;
  }

  override leadOfIdentity(key: string): Promise<string | null> {
    const cached = this.#identities.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    return super.leadOfIdentity(key).then((found) => {
      this.#identities.set(key, found);
      return found;
    });
  }

  apply(changes: readonly IndexChange[]): Promise<void> {
    return this.run(() => {
      for (const change of changes) this.#applyOne(change);
    });
  }

  override lead(leadId: string): Promise<IndexedLead | null> {
    const cached = this.#leads.get(leadId);
    if (cached !== undefined) return Promise.resolve(cached);
    return this.run(() => {
      const row = this.q.leadRow.get(leadId) as (LeadRow & Record<string, string | null>) | undefined;
      const found = row ? indexedLead(row) : null;
      this.#leads.set(leadId, found);
      this.#stored.set(leadId, row ? searchKey([row.email!, row.name_lc!, row.company_lc!, row.stage!, row.status!, row.account_id!, row.owner_id!]) : null);
      return found;
    });
  }

  override searchLeads(query: LeadSearch): Promise<Page<IndexedLead>> {
    this.flush();
    return super.searchLeads(query);
  }

  /**
   * Writes the changed leads. Most changes are activity (a touch moves only the time of the newest
   * event): then only that time is written, in lead_activity. When the searchable columns are as
   * stored, the document is written without them, which leaves their indexes untouched.
   */
  flush(): void {
    const q = this.q;
    for (const { change, full } of this.#dirty.values()) {
      // Only the activity time moved since the row was last written or read: nothing else to write.
      if (!full && typeof this.#stored.get(change.leadId) === 'string') {
        q.putActivity.run(change.leadId, change.search.updatedAt);
        continue;
      }
      const columns = searchColumns(change.search);
      const key = searchKey(columns);
      const asStored = this.#stored.get(change.leadId) === key;
      const written = asStored && (!full || q.putDocument.run(JSON.stringify(change.document), change.leadId).changes === 1);
      if (!written) {
        q.putLead.run(change.leadId, JSON.stringify(change.document), ...columns);
        this.#stored.set(change.leadId, key);
      }
      q.putActivity.run(change.leadId, change.search.updatedAt);
    }
    this.#dirty.clear();
  }

  writePending(): Promise<void> {
    return this.run(() => this.flush());
  }

  setCheckpoint(position: number): Promise<void> {
    return this.run(() => {
      this.q.setCheckpoint.run(String(position));
      this.q.forgetApplied.run(position);
    });
  }

  #applyOne(change: IndexChange): void {
    const q = this.q;
    switch (change.kind) {
      case 'putLead': {
        const known = this.#leads.get(change.leadId);
        this.#dirty.set(change.leadId, { change, full: change.activityOnly !== true || this.#dirty.get(change.leadId)?.full === true });
        this.#leads.set(change.leadId, { id: change.leadId, document: change.document, mergedInto: known?.mergedInto ?? null });
        return;
      }
      case 'linkIdentity':
        q.linkIdentity.run(change.key, change.leadId);
        this.#identities.set(change.key, change.leadId);
        return;
      case 'mergeLead':
        this.flush();
        this.#leads.clear();
        this.#identities.clear();
        this.#stored.clear();
        q.mergeIdentities.run(change.into, change.from);
        q.markMerged.run(change.into, change.from, change.from);
        return;
      case 'putAccount':
        q.putAccount.run(change.accountId, JSON.stringify(change.document));
        return;
      case 'linkAccount':
        q.linkAccount.run(change.key, change.accountId);
        return;
      case 'applied':
        q.applied.run(change.eventId, change.position);
        return;
      default: {
        const unknown: never = change;
        throw new Error(`unknown index change ${JSON.stringify(unknown)}`);
      }
    }
  }
}

/** A row of `leads` with its activity time (null when it has none yet). */
interface LeadRow {
  readonly id: string;
  readonly document: string;
  readonly merged_into: string | null;
  readonly updated_at: string | null;
}

/** The lead as stored: its document, with the activity time from lead_activity as its `updatedAt` (when it has one). */
function indexedLead(row: LeadRow): IndexedLead {
  const document = JSON.parse(row.document) as unknown;
  if (row.updated_at !== null && typeof document === 'object' && document !== null && 'updatedAt' in document) (document as { updatedAt: string }).updatedAt = row.updated_at;
  return { id: row.id, document, mergedInto: row.merged_into ?? null };
}

function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown }).errcode;
  return code === 5 || code === 6 || (error instanceof Error && /database is locked|database table is locked/.test(error.message));
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (match) => `\\${match}`);
}

function encodeCursor(parts: readonly [string, string]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === 2 && parts.every((part) => typeof part === 'string')) return [parts[0] as string, parts[1] as string];
  } catch {
    // Reported below.
  }
  throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'is not a cursor this server returned' }]);
}

function translate(error: unknown): Error {
  if (error instanceof Error && (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR') {
    return new UnavailableError(`lead index: ${error.message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
