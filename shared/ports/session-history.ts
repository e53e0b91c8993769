import type { Session } from '../domain/model';
import type { ListOrder, SessionFilter } from '../domain/session-list';

/** One page of a listing: sessions matching `filter` in `order`, after a position the history gave earlier. */
export interface ListSessionsQuery {
  readonly filter: SessionFilter;
  readonly order: ListOrder;
  readonly limit: number;
  /** Matching sessions to pass over first (offset paging); they are not read. */
  readonly skip?: number;
  /** The position after the previous page (opaque to callers; the service signs it into a cursor). */
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

/** The session history: filtered, sorted, paged, counted. */
export interface SessionHistory {
  listSessions(query: ListSessionsQuery): Promise<ListSessionsPage>;
}
