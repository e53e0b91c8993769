import { type Caller, mayPerform } from '../domain/access';
import { compareSessions, type SessionComparison } from '../domain/comparison';
import { isOverdue } from '../domain/deadlines';
import { ConcurrentUpdateError, ForbiddenError, ValidationError } from '../domain/errors';
import { expiryOf, holdChange } from '../domain/retention';
import type { Session, SessionEvent } from '../domain/session';
import { type ListOrder, MAX_PAGE_OFFSET, matchesFilter, type SessionFilter, scopeFilter } from '../domain/session-list';
import { buildTimeline, type SessionTimeline } from '../domain/timeline';
import type { Clock } from '../ports/clock';
import type { RetentionStore } from '../ports/retention-store';
import type { SessionHistory } from '../ports/session-history';
import type { SessionIndexes } from '../ports/session-indexes';
import { CommitConflictError, type SessionRepository } from '../ports/session-repository';
import type { Settings } from '../settings/settings';
import { actorOf, authorizeSession } from './authorize';
import type { CursorCodec } from './list-cursor';

export interface HistoryDeps {
  readonly sessions: SessionRepository;
  readonly indexes: SessionIndexes;
  readonly history: SessionHistory;
  readonly retention: RetentionStore;
  readonly clock: Clock;
  readonly settings: Settings;
  readonly cursors: CursorCodec;
  /** Applies an overdue session's timeout first (SessionService.settleDeadline). */
  readonly settle: (session: Session) => Promise<Session>;
  /** A session and its log, authorized for the caller (SessionService.getSessionDetails). */
  readonly details: (id: string, caller: Caller) => Promise<{ session: Session; events: SessionEvent[] }>;
}

export interface ListRequest {
  readonly filter: SessionFilter;
  readonly order: ListOrder;
  readonly pageSize: number;
  readonly page?: number;
  readonly cursor?: string;
}

/** The spec's PagedResult, of sessions, plus the cursor of the next page. */
export interface SessionPage {
  readonly sessions: Session[];
  readonly totalCount: number;
  readonly page: number;
  readonly pageSize: number;
  readonly totalPages: number;
  readonly nextCursor?: string;
}

export interface HoldView {
  readonly sessionId: string;
  readonly status: Session['status'];
  readonly legalHold?: Session['legalHold'];
  /** When the session's data expires (absent while it runs or is held). */
  readonly expiresAt?: string;
}

const MAX_ATTEMPTS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Overdue sessions an export applies before reading; reads of a list page that still meets an overdue one. */
const OVERDUE_PASS = 50;
const MAX_LIST_READS = 3;
/** Sessions read per store page while exporting. */
const EXPORT_PAGE = 100;

/**
 * Session history (spec AC6): the filtered, sorted, paged list; exports;
 * legal holds and the retention report.
 */
export class HistoryService {
  constructor(private readonly deps: HistoryDeps) {}

  /**
   * One page of the sessions the caller may see that match the filter. Pages
   * are opened by a signed cursor (any depth) or by number (`page`, up to
   * MAX_PAGE_OFFSET items deep). The total is read alongside.
   */
  async list(request: ListRequest, caller: Caller): Promise<SessionPage> {
    this.require(caller, 'list_sessions');
    const { pageSize, order } = request;
    if (request.cursor !== undefined && request.page !== undefined) {
      throw new ValidationError('Send either cursor or page, not both.', [{ path: 'query.page', message: 'not allowed with cursor' }]);
    }
    const filter = scopeFilter(caller, request.filter);
    const listing = { caller: caller.id, filter, order, pageSize };
    let page = request.page ?? 1;
    let after: Readonly<Record<string, unknown>> | undefined;
    if (request.cursor !== undefined) {
      const decoded = this.deps.cursors.decode(listing, request.cursor);
      if (decoded === null) {
        throw new ValidationError('The cursor is not one this listing issued (edited, or from other filters, order, page size or caller).', [
          { path: 'query.cursor', message: 'not a cursor of this listing' },
        ]);
      }
      ({ after, page } = decoded);
    }
    const offset = request.cursor === undefined ? (page - 1) * pageSize : 0;
    if (offset >= MAX_PAGE_OFFSET) {
      throw new ValidationError(`page starts past the first ${MAX_PAGE_OFFSET} sessions; follow nextCursor instead.`, [
        { path: 'query.page', message: `at most ${Math.ceil(MAX_PAGE_OFFSET / pageSize)} with pageSize ${pageSize}; use cursor beyond` },
      ]);
    }
    if (filter === null) return { sessions: [], totalCount: 0, page, pageSize, totalPages: 0 };

    // No answer may show an overdue session as running, nor count or place it as one: the store
    // names the matches past a deadline (only queued and running ones can be), their timeouts
    // are applied, and the page is read again.
    for (let attempt = 1; ; attempt += 1) {
      const now = this.now();
      const found = await this.deps.history.listSessions({ filter, order, limit: pageSize, skip: offset, now, ...(after !== undefined && { after }) });
      const overdue = found.overdue ?? [];
      if (overdue.length > 0 && attempt < MAX_LIST_READS) {
        await Promise.all(overdue.map((session) => this.deps.settle(session)));
        continue;
      }
      return this.page(found, found.totalCount ?? 0, filter, listing, page, pageSize);
    }
  }

  private async page(
    found: { sessions: Session[]; after?: Readonly<Record<string, unknown>> },
    totalCount: number,
    filter: SessionFilter,
    listing: unknown,
    page: number,
    pageSize: number,
  ): Promise<SessionPage> {
    const sessions = await this.current(found.sessions, filter);
    return {
      sessions,
      totalCount,
      page,
      pageSize,
      totalPages: Math.ceil(totalCount / pageSize),
      ...(found.after !== undefined && { nextCursor: this.deps.cursors.encode(listing, { after: found.after, page: page + 1 }) }),
    };
  }

  /** Applies the timeouts the due index holds as passed (a bounded pass; the sweeper does the same every minute). */
  private async settleOverdue(): Promise<void> {
    const now = this.now();
    const due = await this.deps.indexes.listDue(now, OVERDUE_PASS);
    await Promise.all(due.filter((session) => isOverdue(session, now)).map((session) => this.deps.settle(session)));
  }

  /**
   * Every matching session the caller may see, in list order, a store page at
   * a time: memory stays flat however many there are.
   */
  async *sessionsFor(filter: SessionFilter, order: ListOrder, caller: Caller): AsyncGenerator<Session> {
    this.require(caller, 'list_sessions');
    const scoped = scopeFilter(caller, filter);
    if (scoped === null) return;
    await this.settleOverdue();
    let after: Readonly<Record<string, unknown>> | undefined;
    do {
      const page = await this.deps.history.listSessions({ filter: scoped, order, limit: EXPORT_PAGE, count: false, ...(after !== undefined && { after }) });
      yield* await this.current(page.sessions, scoped);
      after = page.after;
    } while (after !== undefined);
  }

  /** The session's timeline (spec SessionTimeline): entries, time per state, status breakdown. */
  async timeline(id: string, caller: Caller): Promise<SessionTimeline> {
    const { session, events } = await this.deps.details(id, caller);
    return buildTimeline(session, events, this.now());
  }

  /** Two sessions side by side; each must be visible to the caller (else 404). */
  async compare(ids: readonly [string, string], caller: Caller): Promise<SessionComparison> {
    const [a, b] = await Promise.all(ids.map((id) => this.deps.details(id, caller)));
    return compareSessions(a!, b!, this.now());
  }

  /** Sets or clears a session's legal hold (coordinators). Repeating it changes nothing. */
  async hold(id: string, request: { hold: boolean; reason?: string }, caller: Caller): Promise<HoldView> {
    for (let attempt = 1; ; attempt += 1) {
      const session = await this.deps.settle(authorizeSession(await this.deps.sessions.getSession(id), id, caller, 'hold'));
      const change = holdChange(session, request, actorOf(caller, 'hold', session), this.now());
      if (change === 'unchanged') return this.holdView(session);
      try {
        await this.deps.sessions.commit({ expected: session, ...change });
        return this.holdView(change.session);
      } catch (error) {
        if (error instanceof CommitConflictError && error.conflict === 'session_changed' && attempt < MAX_ATTEMPTS) continue;
        if (error instanceof CommitConflictError) throw new ConcurrentUpdateError('The session kept changing; try again.');
        throw error;
      }
    }
  }

  /** How many sessions' data expires within `days` days from now (and how many are past expiry, awaiting TTL). */
  async retentionReport(days: number, caller: Caller): Promise<{ retentionDays: number; from: string; to: string; expiring: number; pastExpiry: number }> {
    this.require(caller, 'read_retention');
    const now = this.now();
    const to = new Date(Date.parse(now) + days * DAY_MS).toISOString();
    // Expiry sort keys are `<expiresAt>#<id>`: `~` closes a range after every id at that instant; '0' opens one before any instant.
    const [expiring, pastExpiry] = await Promise.all([this.deps.retention.countExpiring(now, `${to}#~`), this.deps.retention.countExpiring('0', now)]);
    return { retentionDays: this.deps.settings.audit.retentionDays, from: now, to, expiring, pastExpiry };
  }

  /** The session's expiry, as the store stamps it. */
  expiryOf(session: Session): string | undefined {
    return expiryOf(session, this.deps.settings.audit.retentionDays);
  }

  /** The session's expiry moved (it ended, or a hold was set or cleared): its events follow (from the table's stream). */
  expiryMoved(sessionId: string): Promise<number> {
    return this.deps.retention.applyExpiry(sessionId);
  }

  /** A listing entry expired (TTL removed it): its list stops counting it (from the table's stream). */
  listingExpired(item: { readonly sessionId: string; readonly partition: string; readonly status: string }): Promise<void> {
    return this.deps.retention.forgetExpiredListing(item);
  }

  private holdView(session: Session): HoldView {
    const expiresAt = this.expiryOf(session);
    return {
      sessionId: session.id,
      status: session.status,
      ...(session.legalHold !== undefined && { legalHold: session.legalHold }),
      ...(expiresAt !== undefined && { expiresAt }),
    };
  }

  /**
   * The sessions as they stand now: an overdue one gets its timeout first (no
   * answer shows an overdue session as running), and one that no longer
   * matches (it changed between the index read and now) is left out.
   */
  private async current(sessions: readonly Session[], filter: SessionFilter): Promise<Session[]> {
    const now = this.now();
    const settled = await Promise.all(sessions.map((session) => (isOverdue(session, now) ? this.deps.settle(session) : session)));
    return settled.filter((session) => matchesFilter(session, filter));
  }

  private require(caller: Caller, action: Parameters<typeof mayPerform>[1]): void {
    if (!mayPerform(caller, action)) throw new ForbiddenError(`Your role may not ${action.replace('_', ' ')}.`);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
