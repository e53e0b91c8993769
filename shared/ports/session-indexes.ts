import type { Session } from '../domain/model';

/** The sessions each background task works through: each list costs what it returns, never the whole table. */
export interface SessionIndexes {
  /** Queued sessions, oldest first (FIFO), a page at a time. */
  listQueued(options: { limit: number; cursor?: string }): Promise<{ sessions: Session[]; cursor?: string }>;
  /** Sessions with a deadline or check-in at or before `now`, earliest first. */
  listDue(now: string, limit: number): Promise<Session[]>;
  /** Every Active and Paused session (at most the system limit). */
  listOpen(): Promise<Session[]>;
  /** Up to `limit` Active and Paused sessions in id order, after `after` (from the first without it): what a paged pass reads. */
  listOpenAfter(after: string | undefined, limit: number): Promise<Session[]>;
  /** Ended sessions whose engine instance has not followed their end yet (`engineSync` or `engineCommand` set), oldest id first. */
  listEngineSyncPending(limit: number): Promise<Session[]>;
  /** Sessions with a pending engine command (`engineCommand` set), open or ended, due or not. */
  listEngineCommands(): Promise<Session[]>;
  /** Running sessions waiting for a new mentor (their mentor became unavailable), longest waiting first. */
  listAwaitingMentor(limit: number): Promise<Session[]>;
}
