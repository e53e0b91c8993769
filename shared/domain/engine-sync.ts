import type { EngineSync, Session } from './model';
import { advance, bump, type SessionWrite } from './session-write';
import { isOpen } from './status';
import { changeStatus, type TransitionContext, transition } from './transitions';

/**
 * Undoes a committed change whose engine call failed, so the table and the
 * engine agree again. The audit log keeps both moves: the change and the
 * `workflow_sync_failed` event that reverts it (a status change when the
 * change moved the status: `revert_pause` or `revert_resume`).
 */
export function revertAfterEngineFailure(before: Session, committed: Session, operation: string, error: string, ctx: TransitionContext): SessionWrite {
  const reverted: Session = {
    ...before,
    // Check-ins the change recorded (on leaving Active, or before a config change) stay recorded:
    // the clock keeps what the log says, so they are not recorded twice.
    ...((committed.status !== before.status || committed.checkIn?.missed !== before.checkIn?.missed) &&
      committed.checkIn !== undefined && { checkIn: committed.checkIn }),
  };
  const fields = {
    ...(committed.currentState === undefined ? {} : { fromState: committed.currentState }),
    ...(before.currentState === undefined ? {} : { toState: before.currentState }),
    reason: 'engine_call_failed',
    data: { operation, error, reverted: true },
  };
  if (committed.status === before.status) {
    return advance(committed, reverted, [{ type: 'workflow_sync_failed', occurredAt: ctx.now, actor: ctx.actor.id, actorRole: ctx.actor.role, ...fields }], ctx.now);
  }
  return changeStatus(committed.status === 'Paused' ? 'revert_pause' : 'revert_resume', committed, reverted, fields, ctx);
}

/**
 * Records that the engine did not follow a status change that stands (a cancel
 * whose engine call failed). Nothing is reverted; the session is marked
 * (`engineSync`) and reconciliation retries the call until the engine agrees.
 */
export function engineOutOfSync(session: Session, operation: string, error: string, ctx: TransitionContext): SessionWrite {
  return markedOutOfSync(session, session, operation, error, ctx);
}

function markedOutOfSync(before: Session, next: Session, operation: string, error: string, ctx: TransitionContext): SessionWrite {
  const engineSync: EngineSync = { reason: 'engine_call_failed', since: before.engineSync?.since ?? ctx.now, attempts: before.engineSync?.attempts ?? 0 };
  return advance(
    before,
    { ...next, engineSync },
    [
      {
        type: 'workflow_sync_failed',
        occurredAt: ctx.now,
        actor: ctx.actor.id,
        actorRole: ctx.actor.role,
        reason: 'engine_call_failed',
        data: { operation, error, reverted: false },
      },
    ],
    ctx.now,
  );
}

/** Records the engine instance started for a session (no status change, no event). */
export function withWorkflowInstance(session: Session, workflowInstanceId: string, now: string): Session {
  return bump(session, { ...session, workflowInstanceId }, now);
}

/**
 * Records the instance the engine started for a session, whatever the session
 * did meanwhile: it may have been paused or ended while the engine was
 * starting it. The instance is always recorded, so nothing runs unknown to the
 * session. An ended session is also marked out of sync, so reconciliation
 * stops the instance; a paused one needs the engine told to suspend
 * (`suspend: true`). Undefined when an instance is already recorded.
 */
export function recordStartedInstance(session: Session, workflowInstanceId: string, ctx: TransitionContext): { write: SessionWrite; suspend: boolean } | undefined {
  if (session.workflowInstanceId !== undefined) return undefined;
  if (isOpen(session.status)) {
    return { write: { session: withWorkflowInstance(session, workflowInstanceId, ctx.now), events: [] }, suspend: session.status === 'Paused' };
  }
  const write = markedOutOfSync(
    session,
    { ...session, workflowInstanceId },
    'cancel',
    `the workflow instance ${workflowInstanceId} started after the session was ${session.status}`,
    ctx,
  );
  return { write, suspend: false };
}

/**
 * The session fails because of its engine (the instance faulted, or its start
 * was refused or never confirmed): from Active this is the table's `fail`; a
 * paused session fails the same way (the instance that would resume it is
 * gone), its event saying it left Paused. A pending engine command and a sync
 * mark are dropped; the caller records what the engine must still do.
 */
export function failedForEngine(session: Session, reason: 'engine_faulted' | 'engine_start_failed', error: string, ctx: TransitionContext): SessionWrite {
  const { engineSync: _sync, engineCommand: _command, ...current } = session;
  if (session.status === 'Active') {
    const outcome = transition(current, { operation: 'fail', error, reason }, ctx);
    if (outcome.outcome === 'changed') return advance(session, outcome.session, outcome.events, ctx.now);
  }
  return changeStatus(
    'engine_fault',
    session,
    { ...current, currentState: 'FAILED', endedAt: ctx.now, error },
    { ...(session.currentState === undefined ? {} : { fromState: session.currentState }), toState: 'FAILED', reason, data: { error } },
    ctx,
  );
}
