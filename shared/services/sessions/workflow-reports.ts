import type { Caller } from '../../domain/access';
import { ConcurrentUpdateError, SessionNotRunningError } from '../../domain/errors';
import type { WorkflowEventResult } from '../../domain/results';
import { applyWorkflowReport, type WorkflowReport } from '../../domain/workflow-report';
import { CommitConflictError } from '../../ports/session-repository';
import { actorOf, authorizeSession } from '../authorize';
import { backoff, MAX_ATTEMPTS, nowOf, type SessionContext } from './context';
import type { Settle } from './settle';

/** The engine's callback: a MentorshipState change or a progress event. Repeats (same eventId) write nothing. */
export class RecordWorkflowEvent {
  constructor(
    private readonly ctx: SessionContext,
    private readonly settle: Settle,
  ) {}

  async record(id: string, report: WorkflowReport, caller: Caller): Promise<WorkflowEventResult> {
    const { ctx } = this;
    for (let attempt = 1; ; attempt += 1) {
      const session = await this.settle.settle(authorizeSession(await ctx.sessions.getSession(id), id, caller, 'report'));
      const actor = actorOf(caller, 'report', session);
      const outcome = applyWorkflowReport(session, report, actor, nowOf(ctx));
      if (outcome.outcome === 'rejected') {
        throw new SessionNotRunningError(`Session is ${session.status}; it takes no workflow events.`, {
          details: { currentStatus: session.status },
        });
      }
      try {
        await ctx.sessions.commit({ expected: session, ...outcome.write, externalEventId: report.eventId });
        const current = outcome.write.session;
        return {
          sessionId: id,
          recorded: true,
          duplicate: false,
          stateApplied: outcome.stateApplied,
          ...(current.currentState && { currentState: current.currentState }),
        };
      } catch (error) {
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'duplicate_event') {
          return { sessionId: id, recorded: false, duplicate: true, stateApplied: false, ...(session.currentState && { currentState: session.currentState }) };
        }
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrentUpdateError('The session kept changing; try again.');
        await backoff(ctx, attempt);
      }
    }
  }
}
