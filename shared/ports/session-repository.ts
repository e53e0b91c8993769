import type { Rotation } from '../domain/assignment';
import type { SlotLimits, SlotScope } from '../domain/limits';
import type { Session, SessionEvent } from '../domain/model';
import type { SessionStartResult } from '../domain/results';

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
 * One change of a session: the new session, its new events and, for a start,
 * the idempotency record. `expected` is the session as read; the change lands
 * only if the stored session still has that status and version (the
 * repository also derives from it which index entries and counters move).
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
  /** A round-robin turn this change takes: it lands only if the pointer is still at `expectedTurn`. */
  readonly rotation?: { readonly next: Rotation; readonly expectedTurn: number };
}

/** Why a change did not land. */
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
 * the slots its status change takes or frees and the idempotency record land
 * together or not at all (CommitConflictError says why not).
 */
export interface SessionRepository {
  getSession(id: string): Promise<Session | undefined>;
  /** The session and how many sessions wait in the queue: a release drains the queue only when someone waits. */
  getSessionAndQueueLength(id: string): Promise<{ session: Session | undefined; queueLength: number }>;
  /** The session and its whole audit log. */
  getSessionWithEvents(id: string): Promise<{ session: Session; events: SessionEvent[] } | undefined>;
  getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  commit(change: SessionChange): Promise<void>;
}
