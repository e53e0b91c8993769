import { commandTried } from '../../domain/engine-command';
import { revertAfterEngineFailure } from '../../domain/engine-sync';
import { engineFailureOf, WorkflowEngineError } from '../../domain/errors';
import type { Actor, Session } from '../../domain/model';
import type { SessionResult } from '../../domain/results';
import type { Operation } from '../../domain/transitions';
import { commitWithRetry } from './commit-with-retry';
import { bestEffort, limitsOf, nowOf, resultOf, type SessionContext } from './context';
import type { DriveResult, EngineCommands } from './engine-commands';

/**
 * The engine side of a committed change, on the request's own time: the
 * change committed its engine command (domain/engine-command.ts) in its own
 * transaction, and the request tries it once at once. What the request does
 * not finish (it dies, or the engine fails ambiguously) stays pending for
 * the worker. See docs/engines.md "Durable engine commands".
 */
export class EngineFollowUp {
  constructor(
    private readonly ctx: SessionContext,
    private readonly commands: EngineCommands,
  ) {}

  /**
   * Starts the workflow of a session that has just taken its slots (its start
   * command committed with it) and records the instance. A refusal fails the
   * session (reason engine_start_failed), which releases its slots; an
   * ambiguous failure leaves the start pending, retried by the worker.
   */
  startWorkflow(active: Session): Promise<DriveResult> {
    return this.commands.drive(active, true);
  }

  /** Brings the engine along after a caller's committed change; see docs/engines.md. */
  async follow(operation: Operation, before: Session, after: Session, actor: Actor, now: string): Promise<SessionResult> {
    const { ctx } = this;
    const command = after.engineCommand;
    if (command === undefined) return resultOf(after);
    if (command.target === 'stopped' || after.workflowInstanceId !== undefined) {
      // One try, nothing written when it lands: the worker confirms the command by the instance's state once the
      // lease has passed, so a change stays one read and one transaction. A failure is recorded for the worker;
      // a refused suspend or resume undoes the change (below).
      const outcome = await this.commands.tryOnce(after, command.target === 'stopped');
      if (outcome.kind === 'confirmed') return resultOf(after);
      if (outcome.kind === 'ambiguous' || command.target === 'stopped') {
        await bestEffort(ctx, `record a failed ${operation}`, () =>
          commitWithRetry(
            ctx,
            after.id,
            (current) => (current.engineCommand?.since === command.since ? { session: commandTried(current, outcome.error.message, nowOf(ctx)), events: [] } : undefined),
            after,
          ),
        );
        return command.target === 'stopped' ? resultOf(after) : { ...resultOf(after), enginePending: true };
      }
      return this.revert(operation, before, after, actor, now, outcome.error);
    }
    // No instance yet (the session's start is still pending). Not `fresh`: an earlier start of this session may
    // have reached the engine unanswered, so a start here looks the correlation id up first (only the start's own
    // first try may skip that).
    const driven = await this.commands.drive(after, false, true);
    if (driven.outcome.kind !== 'refused' || driven.session !== after) {
      return { ...resultOf(after), ...(driven.session.engineCommand !== undefined && { enginePending: true }) };
    }
    return this.revert(operation, before, after, actor, now, driven.outcome.error);
  }

  /** The engine refused (it says it will not): the change is undone, both moves in the log, and the caller gets a 502. */
  private async revert(operation: Operation, before: Session, after: Session, actor: Actor, now: string, error: WorkflowEngineError): Promise<never> {
    const { ctx } = this;
    await bestEffort(ctx, 'revert after engine failure', () =>
      ctx.sessions.commit({ expected: after, ...revertAfterEngineFailure(before, after, operation, error.message, { actor, now }), limits: limitsOf(ctx) }),
    );
    // The engine's own text stays in the cause (logged), never in the 502 (issue 14, finding 7).
    throw new WorkflowEngineError(`The workflow engine could not ${operation} the session.`, {
      cause: error,
      details: { sessionId: after.id, currentStatus: before.status, ...engineFailureOf(error) },
    });
  }
}
