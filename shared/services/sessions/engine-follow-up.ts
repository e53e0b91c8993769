import { engineOutOfSync, recordStartedInstance, revertAfterEngineFailure } from '../../domain/engine-sync';
import { engineFailureOf, WorkflowEngineError } from '../../domain/errors';
import { type Actor, type Session, SYSTEM_ACTOR } from '../../domain/model';
import type { SessionResult } from '../../domain/results';
import { withEvents } from '../../domain/session-write';
import { type Operation, transition } from '../../domain/transitions';
import type { WorkflowEngine } from '../../ports/workflow-engine';
import { commitWithRetry } from './commit-with-retry';
import { bestEffort, limitsOf, nowOf, resultOf, type SessionContext } from './context';

/**
 * The engine side of a committed change: starting the instance of a session
 * that has just taken its slots, and bringing the instance along after a
 * pause, resume or cancel. See ARCHITECTURE "Workflow engine".
 */
export class EngineFollowUp {
  constructor(private readonly ctx: SessionContext) {}

  /**
   * Starts the workflow of a session that has just taken its slots, with the
   * session id as correlation id, and records the instance on the session. An
   * engine failure fails the session (reason engine_start_failed), which
   * releases its slots: nothing is left half-started.
   */
  async startWorkflow(active: Session): Promise<Session> {
    const { ctx } = this;
    let result: Session = active;
    const input = {
      sessionId: active.id,
      storyId: active.storyId,
      storyTitle: active.storyTitle,
      skillArea: active.skillArea,
      juniorId: active.juniorId,
      ...(active.mentorId !== undefined && { mentorId: active.mentorId }),
      config: active.config,
    };
    try {
      const { instanceId } = await ctx.engine.start({ correlationId: active.id, input });
      let suspend = false;
      await commitWithRetry(
        ctx,
        active.id,
        (current) => {
          // Paused or ended while the engine started it: recorded all the same (see recordStartedInstance).
          const recorded = recordStartedInstance(current, instanceId, { actor: SYSTEM_ACTOR, now: nowOf(ctx) });
          if (recorded === undefined) return undefined;
          result = recorded.write.session;
          suspend = recorded.suspend;
          return recorded.write;
        },
        active,
      );
      if (suspend) await bestEffort(ctx, 'suspend an instance started for a paused session', () => ctx.engine.suspend(instanceId));
      return result;
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      await commitWithRetry(
        ctx,
        active.id,
        (current) => {
          const now = nowOf(ctx);
          const outcome = transition(current, { operation: 'fail', error: error.message, reason: 'engine_start_failed' }, { actor: SYSTEM_ACTOR, now });
          if (outcome.outcome !== 'changed') return undefined;
          const write = withEvents(outcome.session, outcome.events, now);
          result = write.session;
          return write;
        },
        active,
      );
      return result;
    }
  }

  /** Brings the engine along after a committed change; see ARCHITECTURE "Workflow engine". */
  async follow(operation: Operation, before: Session, after: Session, actor: Actor, now: string): Promise<SessionResult> {
    const { ctx } = this;
    const instanceId = after.workflowInstanceId;
    const call = instanceId === undefined ? undefined : engineCall(ctx.engine, operation, instanceId, actor);
    if (call === undefined || instanceId === undefined) return resultOf(after);
    try {
      await call();
      if (operation === 'pause' || operation === 'resume') await this.catchUp(after, instanceId);
      return resultOf(after);
    } catch (error) {
      if (!(error instanceof WorkflowEngineError)) throw error;
      if (operation === 'cancel' || operation === 'complete' || operation === 'fail') {
        // The end stands (slots are free); the session is marked and reconciliation tells the engine again.
        await bestEffort(ctx, 'record workflow_sync_failed', () =>
          ctx.sessions.commit({ expected: after, ...engineOutOfSync(after, operation, error.message, { actor, now }) }),
        );
        return resultOf(after);
      }
      await bestEffort(ctx, 'revert after engine failure', () =>
        ctx.sessions.commit({
          expected: after,
          ...revertAfterEngineFailure(before, after, operation, error.message, { actor, now }),
          limits: limitsOf(ctx),
        }),
      );
      // The engine's own text stays in the cause (logged), never in the 502 (issue 14, finding 7).
      throw new WorkflowEngineError(`The workflow engine could not ${operation} the session.`, {
        cause: error,
        details: { sessionId: after.id, currentStatus: before.status, ...engineFailureOf(error) },
      });
    }
  }

  /**
   * A pause and a resume close together may reach the engine out of order (a
   * slow suspend landing after the resume's call): once a call is through, the
   * session is read again and, if it has moved to the other open status, the
   * engine is told that one too. Repeating a call the engine already followed
   * is harmless. Best effort: reconciliation remains the safety net.
   */
  private async catchUp(after: Session, instanceId: string): Promise<void> {
    const { ctx } = this;
    await bestEffort(ctx, 'bring the engine up to the latest pause or resume', async () => {
      const current = await ctx.sessions.getSession(after.id);
      if (current === undefined || current.status === after.status || current.workflowInstanceId !== instanceId) return;
      if (current.status === 'Active') await ctx.engine.resume(instanceId);
      if (current.status === 'Paused') await ctx.engine.suspend(instanceId);
    });
  }
}

function engineCall(engine: WorkflowEngine, operation: Operation, instanceId: string, actor: Actor): (() => Promise<void>) | undefined {
  switch (operation) {
    case 'pause':
      return () => engine.suspend(instanceId);
    case 'resume':
      return () => engine.resume(instanceId);
    case 'cancel':
      return () => engine.cancel(instanceId);
    case 'complete':
    case 'fail':
      // Reported by the engine itself (role service): it has already finished or faulted. Ended by
      // anyone else (a coordinator): the instance would run on under an ended session, so it is stopped.
      return actor.role === 'service' ? undefined : () => engine.cancel(instanceId);
  }
}
