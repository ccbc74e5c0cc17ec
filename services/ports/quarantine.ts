import type { FieldIssue } from '../core/index.ts';
import type { Page } from './leadIndex.ts';

/**
 * Where input that failed validation is kept, with the original payload and the error, so that
 * nothing a client sent is silently dropped: it can be listed, fixed at the source or in
 * configuration, and re-submitted (`nudge quarantine list|retry`).
 *
 *   const entry = await quarantine.put({ payload: text, issues, source: 'http', receivedAt });
 */
export interface Quarantine {
  /** Keeps the entry; the same payload while an entry for it is still open is kept once (that entry is returned). */
  put(entry: NewQuarantineEntry): Promise<QuarantineEntry>;
  get(id: string): Promise<QuarantineEntry | null>;
  /** Newest first. */
  list(options: { readonly status?: QuarantineStatus | undefined; readonly limit: number; readonly cursor?: string | undefined }): Promise<Page<QuarantineEntry>>;
  /** A retry failed again: keep the entry, with the new issues. */
  recordAttempt(id: string, issues: readonly FieldIssue[], at: string): Promise<QuarantineEntry>;
  /** A retry stored the payload (`retried`), or a person gave up on it (`dropped`). */
  resolve(id: string, status: Exclude<QuarantineStatus, 'open'>, at: string): Promise<QuarantineEntry>;
  close(): Promise<void>;
}

export type QuarantineStatus = 'open' | 'retried' | 'dropped';

export interface NewQuarantineEntry {
  /** The message as the client sent it (JSON text), or the whole body when it could not be split. */
  readonly payload: string;
  readonly issues: readonly FieldIssue[];
  /** Where it came from: `http`, `file:<name>`, `kafka:<topic>`. */
  readonly source: string;
  /** A short, non-secret fingerprint of the write key it came with, if any. */
  readonly writeKeyHint?: string | null;
  readonly receivedAt: string;
}

export interface QuarantineEntry extends NewQuarantineEntry {
  readonly id: string;
  readonly writeKeyHint: string | null;
  readonly status: QuarantineStatus;
  readonly attempts: number;
  readonly lastAttemptAt: string | null;
  readonly resolvedAt: string | null;
}
