import type { GlobalPosition } from './eventStore.ts';

/**
 * The lead read model: who is who (identities, anonymous visitors, accounts), each lead's
 * profile document, and which Segment messages have been applied. It is a projection of the
 * event store: drop it, replay, get the same answer. (A lead's timeline is read from the store
 * itself: services/leads/leadTimeline.ts.)
 *
 * Ingestion reads and writes it inside one `transaction`, which also holds a lock that other
 * processes writing the same index wait for, so two writers never both create a lead for one
 * new identity:
 *
 *   await index.transaction(async (tx) => {
 *     const leadId = await tx.leadOfIdentity('email', 'jane@acme.com');
 *     await tx.apply([{ kind: 'linkIdentity', key: 'email:jane@acme.com', leadId: 'L1' }]);
 *   });
 */
export interface LeadIndex {
  transaction<T>(work: (tx: LeadIndexTransaction) => Promise<T>): Promise<T>;
  /** Reads outside a transaction see the last committed state. */
  readonly read: LeadIndexReader;
  close(): Promise<void>;
}

export interface LeadIndexReader {
  /** Position of the last store event the index has taken in (0: none). */
  checkpoint(): Promise<GlobalPosition>;
  /** The lead an identity key (`email:jane@acme.com`, or `anonymousId:abc` for a linked visitor) belongs to. */
  leadOfIdentity(key: string): Promise<string | null>;
  /** The account an account key (`groupId:g1`, `domain:acme.com`) belongs to. */
  accountOfKey(key: string): Promise<string | null>;
  lead(leadId: string): Promise<IndexedLead | null>;
  account(accountId: string): Promise<IndexedAccount | null>;
  /** Whether this event was applied ahead of the checkpoint (see the `applied` change). */
  wasApplied(eventId: string): Promise<boolean>;
  searchLeads(query: LeadSearch): Promise<Page<IndexedLead>>;
}

export interface LeadIndexTransaction extends LeadIndexReader {
  /** Applies changes; reads later in the same transaction see them. */
  apply(changes: readonly IndexChange[]): Promise<void>;
  /** Moves the checkpoint and forgets the ids applied ahead of it that it now covers. */
  setCheckpoint(position: GlobalPosition): Promise<void>;
  /**
   * Writes the changes the transaction holds in memory into the index's storage, still
   * uncommitted (a rollback undoes them), so that the commit has less left to do. Ingestion calls
   * it while the event store commits, when the index would otherwise wait.
   */
  writePending(): Promise<void>;
}

export interface IndexedLead {
  readonly id: string;
  /** The profile document, as the domain folds it. */
  readonly document: unknown;
  /** Set when this lead was merged into another; reads should follow it. */
  readonly mergedInto: string | null;
}

export interface IndexedAccount {
  readonly id: string;
  readonly document: unknown;
}

/** Columns the index can search and sort leads by, extracted from the document by the domain. */
export interface LeadSearchFields {
  readonly email: string | null;
  readonly name: string | null;
  readonly company: string | null;
  readonly stage: string | null;
  readonly status: string | null;
  readonly accountId: string | null;
  readonly ownerId: string | null;
  readonly updatedAt: string;
}

export interface LeadSearch {
  /** Exact email, or a prefix when it ends with `*`. */
  readonly email?: string | undefined;
  /** Case-insensitive substring of the name. */
  readonly name?: string | undefined;
  readonly company?: string | undefined;
  readonly stage?: string | undefined;
  readonly status?: string | undefined;
  readonly accountId?: string | undefined;
  readonly ownerId?: string | undefined;
  readonly limit: number;
  /** Opaque, from the previous page's `next`. */
  readonly cursor?: string | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly next: string | null;
}

export type IndexChange =
  /**
   * A lead's document as it is now. `search.updatedAt` is the lead's activity time: the index keeps
   * it apart from the document and gives it back as the document's `updatedAt` (when the document
   * has that property) on every read, so
   * `activityOnly: true` (the document differs from the previous put of this lead only in
   * `updatedAt`: a touch) lets the index write just that time instead of the whole document; it
   * writes the whole document anyway when it holds none for the lead.
   */
  | { readonly kind: 'putLead'; readonly leadId: string; readonly document: unknown; readonly search: LeadSearchFields; readonly activityOnly?: boolean }
  | { readonly kind: 'linkIdentity'; readonly key: string; readonly leadId: string }
  /** The lead `from` is the same person as `into`: its identities move to `into`. */
  | { readonly kind: 'mergeLead'; readonly from: string; readonly into: string }
  | { readonly kind: 'putAccount'; readonly accountId: string; readonly document: unknown }
  | { readonly kind: 'linkAccount'; readonly key: string; readonly accountId: string }
  /** Remembers an event applied ahead of the checkpoint, so catching up does not apply it twice. */
  | { readonly kind: 'applied'; readonly eventId: string; readonly position: GlobalPosition };
