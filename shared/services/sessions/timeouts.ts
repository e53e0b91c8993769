import { missedCheckIns } from '../../domain/check-ins';
import { isOverdue } from '../../domain/deadlines';
import { commanded } from '../../domain/engine-command';
import { type Session, SYSTEM_ACTOR } from '../../domain/model';
import { withEvents } from '../../domain/session-write';
import { timedOut } from '../../domain/timeout';
import { CommitConflictError } from '../../ports/session-repository';
import { commitWithRetry } from './commit-with-retry';
import { MAX_ATTEMPTS, nowOf, releasesSlots, type SessionContext } from './context';
import type { EngineFollowUp } from './engine-follow-up';

/**
 * Deadlines that have passed (max active time, pause timeout, queue timeout)
 * and missed check-ins, applied to one session. No response ever shows an
 * overdue session as running: every read or write applies its timeout first.
 */
export class Timeouts {
  constructor(
    private readonly ctx: SessionContext,
    private readonly engine: EngineFollowUp,
  ) {}

  /**
   * Applies the session's deadline if it has passed, and answers the session
   * as it now stands, and whether that released its slots (the caller drains).
   */
  async apply(session: Session): Promise<{ session: Session; released: boolean }> {
    const { ctx } = this;
    if (!isOverdue(session, nowOf(ctx))) return { session, released: false };
    let current: Session | undefined = session;
    for (let attempt = 1; current !== undefined && attempt <= MAX_ATTEMPTS; attempt += 1) {
      const now = nowOf(ctx);
      const timeout = timedOut(current, now);
      if (timeout === undefined) return { session: current, released: false };
      // A running or paused session's instance must stop with it; a queued one never had one.
      const write = commanded(timeout, current.status === 'Queued' ? undefined : 'stopped', now, ctx.settings.engine.commandLeaseMs);
      try {
        await ctx.sessions.commit({ expected: current, ...write });
        // The engine follows the timeout as it follows a cancel (a failure is recorded, not thrown).
        await this.engine.follow('cancel', current, write.session, SYSTEM_ACTOR, write.session.updatedAt);
        return { session: write.session, released: releasesSlots(current, write.session) };
      } catch (error) {
        if (!(error instanceof CommitConflictError) || error.conflict !== 'session_changed') throw error;
        current = await ctx.sessions.getSession(session.id);
      }
    }
    return { session: current ?? session, released: false };
  }

  /** Records the check-ins a running session has missed, with their escalations; true when any was recorded. */
  async recordMissedCheckIns(session: Session): Promise<boolean> {
    const { ctx } = this;
    let recorded = false;
    await commitWithRetry(
      ctx,
      session.id,
      (current) => {
        const now = nowOf(ctx);
        const missed = missedCheckIns(current, now);
        recorded = missed !== undefined;
        if (missed === undefined) return undefined;
        return withEvents(missed.session, missed.events, now);
      },
      session,
    );
    return recorded;
  }
}
