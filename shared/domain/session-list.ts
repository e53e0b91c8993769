import type { Caller } from './access';
import { elapsedMs } from './duration';
import type { Session } from './model';
import type { SessionStatus } from './status';

/** The spec's SessionFilter: every field optional; `from`/`to` bound `createdAt` as [from, to). */
export interface SessionFilter {
  readonly juniorId?: string;
  readonly mentorId?: string;
  readonly storyId?: string;
  readonly status?: SessionStatus;
  /** ISO instants, normalised to `Date#toISOString` form. */
  readonly from?: string;
  readonly to?: string;
}

export const LIST_SORTS = ['createdAt', 'completedAt', 'duration'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export interface ListOrder {
  readonly sortBy: ListSort;
  readonly sortDirection: SortDirection;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** `page` skips the items before it; past this many items a cursor is required. */
export const MAX_PAGE_OFFSET = 1_000;

/**
 * The filter a caller may run. Coordinators and the service see every session;
 * a junior only theirs, a mentor only the sessions they mentor, whatever the
 * filter says: a filter naming someone else matches nothing (`null`). A caller
 * who is both mentor and junior lists as junior when the filter names their own
 * junior id, else as mentor.
 */
export function scopeFilter(caller: Caller, filter: SessionFilter): SessionFilter | null {
  if (caller.roles.includes('coordinator') || caller.roles.includes('service')) return filter;
  const asJunior = caller.roles.includes('junior') && (!caller.roles.includes('mentor') || filter.juniorId === caller.id);
  if (asJunior) return filter.juniorId === undefined || filter.juniorId === caller.id ? { ...filter, juniorId: caller.id } : null;
  if (caller.roles.includes('mentor')) return filter.mentorId === undefined || filter.mentorId === caller.id ? { ...filter, mentorId: caller.id } : null;
  return null;
}

/** Whether a session matches a filter (the store serves this from indexes; this is the definition). */
export function matchesFilter(session: Session, filter: SessionFilter): boolean {
  return (
    (filter.juniorId === undefined || session.juniorId === filter.juniorId) &&
    (filter.mentorId === undefined || session.mentorId === filter.mentorId) &&
    (filter.storyId === undefined || session.storyId === filter.storyId) &&
    (filter.status === undefined || session.status === filter.status) &&
    (filter.from === undefined || session.createdAt >= filter.from) &&
    (filter.to === undefined || session.createdAt < filter.to)
  );
}

/**
 * A session's duration: from creation to its end (queue time included), in ms.
 * Undefined while it has not ended: it still grows, so it cannot be sorted on.
 */
export function finalDurationMs(session: Pick<Session, 'createdAt' | 'endedAt'>): number | undefined {
  return session.endedAt === undefined ? undefined : Math.max(0, elapsedMs(session.createdAt, session.endedAt));
}
