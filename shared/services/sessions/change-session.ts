import type { Caller } from '../../domain/access';
import { commanded, targetOfOperation } from '../../domain/engine-command';
import { ConcurrentUpdateError, TransitionForbiddenError } from '../../domain/errors';
import type { Session } from '../../domain/model';
import type { SessionResult } from '../../domain/results';
import { sessionServiceReport } from '../../domain/session-report';
import { type SessionWrite, withEvents } from '../../domain/session-write';
import { allowedOperations, type Command, transition } from '../../domain/transitions';
import { CommitConflictError } from '../../ports/session-repository';
import { actorOf, authorizeSession } from '../authorize';
import { backoff, bestEffort, limitsOf, MAX_ATTEMPTS, nowOf, releasesSlots, resultOf, type SessionContext } from './context';
import type { DrainQueue } from './drain-queue';
import type { EngineFollowUp } from './engine-follow-up';
import type { Settle } from './settle';

/**
 * One lifecycle change a caller asks for: pause, resume, cancel, complete,
 * fail. The transaction commits first (so of concurrent changes exactly one
 * wins), then the engine follows. A concurrent writer that changed only the
 * version (an engine report) is retried; one that changed the status makes
 * this request a 409, unless it already reached our target.
 */
export class ChangeSession {
  constructor(
    private readonly ctx: SessionContext,
    private readonly settle: Settle,
    private readonly engine: EngineFollowUp,
    private readonly drain: DrainQueue,
  ) {}

  async change(id: string, caller: Caller, command: Command): Promise<SessionResult> {
    const { ctx } = this;
    let firstStatus: Session['status'] | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const read = await ctx.sessions.getSessionAndQueueLength(id);
      const session = await this.settle.settle(authorizeSession(read.session, id, caller, command.operation));
      firstStatus ??= session.status;
      const actor = actorOf(caller, command.operation, session);
      const now = nowOf(ctx);
      const outcome = transition(session, command, { actor, now });

      if (outcome.outcome === 'unchanged') return resultOf(session);
      if (session.status !== firstStatus) {
        throw new ConcurrentUpdateError(`Another request changed the session to ${session.status} first.`, {
          details: { currentStatus: session.status, allowedOperations: allowedOperations(session.status) },
        });
      }
      if (outcome.outcome === 'rejected') {
        throw new TransitionForbiddenError(outcome.operation, outcome.status, outcome.allowedOperations);
      }

      const changed = commanded(
        withEvents(outcome.session, outcome.events, now),
        targetOfOperation(command.operation, session, actor),
        now,
        ctx.settings.engine.commandLeaseMs,
      );
      const write = changed.session.status === 'Completed' ? await this.withServiceReport(session, changed, now) : changed;
      try {
        await ctx.sessions.commit({ expected: session, ...write, limits: limitsOf(ctx) });
      } catch (error) {
        if (error instanceof CommitConflictError && error.conflict === 'session_changed' && attempt < MAX_ATTEMPTS) {
          await backoff(ctx, attempt);
          continue;
        }
        if (error instanceof CommitConflictError) throw new ConcurrentUpdateError('The session kept changing; try again.');
        throw error;
      }
      const result = await this.engine.follow(command.operation, session, write.session, actor, now);
      // Someone waits and a slot was freed: start them now, not on the next schedule tick.
      if (read.queueLength > 0 && releasesSlots(session, write.session)) {
        await bestEffort(ctx, 'drain the queue after a release', () => this.drain.drain());
      }
      return result;
    }
  }

  /**
   * A completion stores the service's own report with the engine's: counted
   * from the whole log (read here, at the version the change was decided on;
   * a log that moved on makes the commit conflict and retry).
   */
  private async withServiceReport(before: Session, write: SessionWrite, now: string): Promise<SessionWrite> {
    const logged = (await this.ctx.sessions.getSessionWithEvents(before.id))?.events ?? [];
    const events = [...logged.filter((event) => event.seq <= before.eventCount), ...write.events];
    return { ...write, session: { ...write.session, serviceReport: sessionServiceReport(write.session, events, now) } };
  }
}
