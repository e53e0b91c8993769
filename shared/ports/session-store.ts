import type { Rotation } from '../domain/assignment';
import type { Junior, Mentor, Story } from '../domain/directory';
import type { SlotLimits, SlotScope } from '../domain/limits';
import type { SessionStartResult } from '../domain/results';
import type { Session, SessionEvent } from '../domain/session';
import type { ListOrder, SessionFilter } from '../domain/session-list';

/** A stored answer to a request sent with an Idempotency-Key. */
export interface IdempotencyRecord {
  /** Caller's user id and the key: keys are scoped per caller. */
  readonly scope: string;
  readonly key: string;
  /** Digest of the request, to refuse the same key with a different request. */
  readonly requestHash: string;
  /** The first answer, returned again to every retry. */
  readonly result: SessionStartResult;
  readonly expiresAt: string;
}

/**
 * One write of a session: the new session, its new events and, for a start, the
 * idempotency record. `expected` is the session as read; the write happens only
 * if the stored session still has that status and version (the store also
 * derives from it which index entries and counters the change moves).
 */
export interface SessionChange {
  readonly expected?: Session;
  readonly session: Session;
  readonly events: readonly SessionEvent[];
  /** The engine's event id, remembered so a repeated report is dropped. */
  readonly externalEventId?: string;
  readonly idempotency?: IdempotencyRecord;
  /** The limits enforced on the slots (and queue place) this change takes. Required when it takes any. */
  readonly limits?: SlotLimits;
  /** A round-robin turn this change takes: written only if the pointer is still at `expectedTurn`. */
  readonly rotation?: { readonly next: Rotation; readonly expectedTurn: number };
}

/** A mentor with the slots they hold and when they last took one. */
export interface MentorUsage {
  readonly mentor: Mentor;
  readonly load: number;
  readonly lastAssignedAt?: string;
}

/** The mentors that can be considered for a skill area, and the area's round-robin pointer. */
export interface MentorPool {
  readonly mentors: readonly MentorUsage[];
  readonly rotation: Rotation;
}

/** How many slots are taken: one counter per junior, the system, and the queue's length (mentors: `readMentorUsage`). */
export interface UsageSnapshot {
  readonly system: number;
  readonly queue: number;
  readonly juniors: ReadonlyMap<string, number>;
}

/** Observed active durations of completed sessions. */
export interface DurationStats {
  readonly count: number;
  readonly meanActiveMs: number;
}

/** What a start reads in one round trip. */
export interface StartContext {
  readonly story?: Story;
  readonly junior?: Junior;
  readonly mentor?: Mentor;
  readonly idempotency?: IdempotencyRecord;
  readonly usage: UsageSnapshot;
  /** With `withMentorPool`, once the story is found: the mentors for its skill area (and the named mentor). */
  readonly mentorPool?: MentorPool;
}

export interface StartContextQuery {
  readonly storyId: string;
  readonly juniorId: string;
  readonly mentorId?: string;
  readonly idempotency?: { readonly scope: string; readonly key: string };
  readonly withMentorPool?: boolean;
}

/** One page of a listing: sessions matching `filter` in `order`, after a position the store gave earlier. */
export interface ListSessionsQuery {
  readonly filter: SessionFilter;
  readonly order: ListOrder;
  readonly limit: number;
  /** Matching sessions to pass over first (offset paging); they are not read. */
  readonly skip?: number;
  /** The store's position after the previous page (opaque to callers; the service signs it into a cursor). */
  readonly after?: Readonly<Record<string, unknown>>;
  /** Whether to count every match too (default true). */
  readonly count?: boolean;
  /** With it, the page also names the queued or running matches already past a deadline at this instant. */
  readonly now?: string;
}

export interface ListSessionsPage {
  readonly sessions: Session[];
  /** Where the next page starts; absent on the last page. */
  readonly after?: Readonly<Record<string, unknown>>;
  /** Every match, unless the query said `count: false`. */
  readonly totalCount?: number;
  /** Matches past a deadline at the query's `now` (anywhere in the list, not only on this page). */
  readonly overdue?: Session[];
}

/** Why a change was not written. */
export type CommitConflict =
  | 'session_changed'
  | 'duplicate_event'
  | 'idempotency_key_taken'
  | 'limit_reached'
  | 'rotation_moved'
  /** The mentor whose slot the change takes is no longer available (or no longer exists). */
  | 'mentor_unavailable';

export class CommitConflictError extends Error {
  constructor(
    readonly conflict: CommitConflict,
    /** For `limit_reached`: the limit that was full. */
    readonly scope?: SlotScope | 'queue',
  ) {
    super(`commit refused: ${conflict}${scope ? ` (${scope})` : ''}`);
    this.name = 'CommitConflictError';
  }
}

/**
 * Sessions and their audit log. `commit` is atomic: the session, its events,
 * the slot counters its status change moves and the idempotency record are
 * written together or not at all (CommitConflictError says why not).
 */
export interface SessionStore {
  getSession(id: string): Promise<Session | undefined>;
  /** The session and the queue's length, in one read: a release drains the queue only when someone waits. */
  getSessionAndQueueLength(id: string): Promise<{ session: Session | undefined; queueLength: number }>;
  /** The session and its whole audit log, in one read. */
  getSessionWithEvents(id: string): Promise<{ session: Session; events: SessionEvent[] } | undefined>;
  loadStartContext(query: StartContextQuery): Promise<StartContext>;
  getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  commit(change: SessionChange): Promise<void>;
  /** Queued sessions, oldest first (FIFO), a page at a time. */
  listQueued(options: { limit: number; cursor?: string }): Promise<{ sessions: Session[]; cursor?: string }>;
  /** Sessions whose deadline is at or before `now`, earliest first; cost grows with the number due. */
  listDue(now: string, limit: number): Promise<Session[]>;
  /** Every Active and Paused session (at most the system limit). */
  listOpen(): Promise<Session[]>;
  /** Ended sessions whose engine instance has not followed their end yet (`engineSync` set), oldest id first. */
  listEngineSyncPending(limit: number): Promise<Session[]>;
  /** The open session id the last reconciliation pass stopped after, and saving it. */
  readReconcileCursor(): Promise<string | undefined>;
  saveReconcileCursor(after: string | undefined): Promise<void>;
  /** Running sessions waiting for a new mentor (their mentor became unavailable), longest waiting first. */
  listAwaitingMentor(limit: number): Promise<Session[]>;
  /**
   * The mentors who cover a skill area (case-insensitive) plus any named in
   * `mentorIds`, with their slot counts, and the area's round-robin pointer.
   */
  loadMentorPool(query: { skillArea: string; mentorIds?: readonly string[] }): Promise<MentorPool>;
  /** Slot counts of these mentors (absent: no slot held). */
  readMentorUsage(mentorIds: readonly string[]): Promise<ReadonlyMap<string, { load: number; lastAssignedAt?: string }>>;
  readUsage(query: { juniorIds: readonly string[] }): Promise<UsageSnapshot>;
  getDurationStats(): Promise<DurationStats | undefined>;
  /**
   * A page of sessions in list order, never by Scan: queued and running
   * sessions from their indexes (bounded by the limits), ended ones by a
   * Query of the history index and a BatchGet of the page; the total from
   * counters when the filter is one list partition, else counted by a Query.
   */
  listSessions(query: ListSessionsQuery): Promise<ListSessionsPage>;
  /** Terminal sessions whose data expires in [from, to] (ISO instants). */
  countExpiring(from: string, to: string): Promise<number>;
  /** Gives a session's events the session's expiry (or clears it under a legal hold); idempotent. */
  applyExpiry(sessionId: string): Promise<number>;
  /** A listing item TTL removed: take it out of its counter. */
  forgetExpiredListing(item: { readonly sessionId: string; readonly partition: string; readonly status: string }): Promise<void>;
}
