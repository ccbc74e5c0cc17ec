import { createHash } from 'node:crypto';
import type { FieldIssue } from '../../services/core/index.ts';
import { newId, NotFoundError, UnavailableError, ValidationError } from '../../services/core/index.ts';
import type { NewQuarantineEntry, Page, Quarantine, QuarantineEntry, QuarantineStatus } from '../../services/ports/index.ts';
import { openDurableDatabase } from './schema.ts';

export interface SqliteQuarantineOptions {
  readonly path: string;
}

/**
 * quarantine: one row per rejected message. It is the only copy of what the client sent, so
 * commits are fsynced like the event store's. (status, id) serves "open entries, newest first"
 * (ids are UUIDv7, so they sort by time). A client that resends the same invalid payload (SDK
 * retries, a file loaded twice) finds its open entry by payload hash instead of a second one.
 */
const migrations: readonly string[] = [
  `CREATE TABLE quarantine (
     id              TEXT PRIMARY KEY,
     received_at     TEXT NOT NULL,
     source          TEXT NOT NULL,
     write_key_hint  TEXT,
     payload         TEXT NOT NULL,
     issues          TEXT NOT NULL,
     status          TEXT NOT NULL DEFAULT 'open',
     attempts        INTEGER NOT NULL DEFAULT 0,
     last_attempt_at TEXT,
     resolved_at     TEXT,
     payload_hash    TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX quarantine_by_status ON quarantine (status, id DESC);
   CREATE INDEX quarantine_open_by_payload ON quarantine (payload_hash) WHERE status = 'open';`,
];

interface Row {
  id: string;
  received_at: string;
  source: string;
  write_key_hint: string | null;
  payload: string;
  issues: string;
  status: QuarantineStatus;
  attempts: number;
  last_attempt_at: string | null;
  resolved_at: string | null;
  payload_hash: string;
}

/**
 *   const quarantine = createSqliteQuarantine({ path: 'data/quarantine.db' });
 */
export function createSqliteQuarantine(options: SqliteQuarantineOptions): Quarantine {
  const db = openDurableDatabase(options.path, migrations, 'quarantine');
  const insert = db.prepare(
    'INSERT INTO quarantine (id, received_at, source, write_key_hint, payload, issues, payload_hash) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *',
  );
  const openByPayload = db.prepare("SELECT * FROM quarantine WHERE payload_hash = ? AND status = 'open' AND payload = ? LIMIT 1");
  const byId = db.prepare('SELECT * FROM quarantine WHERE id = ?');
  const attempt = db.prepare('UPDATE quarantine SET attempts = attempts + 1, last_attempt_at = ?, issues = ? WHERE id = ? RETURNING *');
  const resolve = db.prepare("UPDATE quarantine SET status = ?, resolved_at = ?, attempts = attempts + (CASE WHEN ? = 'retried' THEN 1 ELSE 0 END) WHERE id = ? AND status = 'open' RETURNING *");
  let closed = false;

  const run = <T>(work: () => T): Promise<T> => {
    try {
      if (closed) throw new UnavailableError('quarantine is closed');
      return Promise.resolve(work());
    } catch (error) {
      const translated =
        error instanceof Error && (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR'
          ? new UnavailableError(`quarantine: ${error.message}`, { cause: error })
          : error;
      return Promise.reject(translated instanceof Error ? translated : new Error(String(translated)));
    }
  };
  const found = (row: unknown, id: string): QuarantineEntry => {
    if (row === undefined) throw new NotFoundError(`no open quarantine entry ${id}`);
    return toEntry(row as Row);
  };

  return {
    put: (entry: NewQuarantineEntry) =>
      run(() => {
        const hash = createHash('sha256').update(entry.payload).digest('base64url');
        const open = openByPayload.get(hash, entry.payload) as Row | undefined;
        if (open !== undefined) return toEntry(open);
        return toEntry(insert.get(newId(), entry.receivedAt, entry.source, entry.writeKeyHint ?? null, entry.payload, JSON.stringify(entry.issues), hash) as unknown as Row);
      }),
    get: (id) => run(() => (byId.get(id) === undefined ? null : toEntry(byId.get(id) as unknown as Row))),
    list: ({ status, limit, cursor }) =>
      run((): Page<QuarantineEntry> => {
        if (cursor !== undefined && !/^[0-9a-f-]{36}$/.test(cursor)) {
          throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'is not a cursor this server returned' }]);
        }
        const where = [status === undefined ? '1 = 1' : 'status = ?', cursor === undefined ? '1 = 1' : 'id < ?'];
        const params = [...(status === undefined ? [] : [status]), ...(cursor === undefined ? [] : [cursor])];
        const rows = db.prepare(`SELECT * FROM quarantine WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...params, limit + 1) as unknown as Row[];
        const items = rows.slice(0, limit).map(toEntry);
        return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
      }),
    recordAttempt: (id, issues: readonly FieldIssue[], at) => run(() => found(attempt.get(at, JSON.stringify(issues), id), id)),
    resolve: (id, status, at) => run(() => found(resolve.get(status, at, status, id), id)),
    close: () => {
      if (!closed) {
        closed = true;
        db.close();
      }
      return Promise.resolve();
    },
  };
}

function toEntry(row: Row): QuarantineEntry {
  return {
    id: row.id,
    receivedAt: row.received_at,
    source: row.source,
    writeKeyHint: row.write_key_hint,
    payload: row.payload,
    issues: JSON.parse(row.issues) as FieldIssue[],
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: row.last_attempt_at,
    resolvedAt: row.resolved_at,
  };
}
