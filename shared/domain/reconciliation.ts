import { commandOnly, targetOfStatus } from './engine-command';
import { failedForEngine } from './engine-sync';
import type { EngineInstanceStatus, EngineSync, Session } from './model';
import { advance, type SessionWrite } from './session-write';
import type { TransitionContext } from './transitions';

export type { EngineInstanceStatus, EngineSync } from './model';

/**
 * What reconciliation does with one session, given its engine instance's status:
 * - `in_sync`: nothing (a pending divergence, if any, is resolved with `write`);
 * - `fail`: the instance faulted under an open session: the session fails (`write`), with the engine's `fault` when known;
 * - `cancel_engine`: the session has ended but its instance still runs: tell the engine again;
 * - `diverged`: an open session whose instance ended without a report: recorded once (`write`), checked again every pass;
 * - `command`: the instance lives but in the other open state (running under a Paused session or suspended under an
 *   Active one, for an engine that tells them apart): the engine command for the session's status is written (`write`).
 */
export type Reconciliation =
  | { readonly action: 'in_sync'; readonly write?: SessionWrite }
  | { readonly action: 'fail'; readonly write: SessionWrite }
  | { readonly action: 'cancel_engine' }
  | { readonly action: 'diverged'; readonly write: SessionWrite }
  | { readonly action: 'command'; readonly write: SessionWrite };

const ALIVE: readonly EngineInstanceStatus[] = ['Running', 'Suspended'];
/** An engine may not show an instance it has just accepted (Elsa's dispatch is queued): not found this soon after the start is not a divergence. */
export const ENGINE_VISIBILITY_GRACE_MS = 120_000;

/** Decides how to bring a session and its engine instance back into agreement. Pure. */
export function reconcile(session: Session, engine: EngineInstanceStatus, ctx: TransitionContext, fault?: string, reportsPause = false): Reconciliation {
  const alive = ALIVE.includes(engine);
  if (session.status === 'Active' || session.status === 'Paused') {
    const wanted = session.status === 'Active' ? 'Running' : 'Suspended';
    if (alive && reportsPause && engine !== wanted) return { action: 'command', write: commandOnly(session, targetOfStatus(session.status), ctx.now, 0) };
    if (alive) return inSync(session, ctx);
    if (engine === 'Faulted') return { action: 'fail', write: failedByEngine(session, ctx, fault) };
    if (engine === 'NotFound' && justStarted(session, ctx.now)) return { action: 'in_sync' };
    return diverged(session, 'engine_ended', `the workflow instance is ${engine} while the session is ${session.status}`, ctx);
  }
  // Cancelled (or timed out) here: the instance must stop. Completed or Failed came from the engine's own
  // report, unless the session is marked: then the service ended it (a coordinator's complete or fail, an
  // instance that started after the end) and the instance must stop too.
  if (alive && (session.status === 'Cancelled' || session.engineSync !== undefined)) return { action: 'cancel_engine' };
  return inSync(session, ctx);
}

/** A pending divergence that holds on: one `workflow_sync_failed` event when it is first seen, then only the count. */
export function stillDiverged(session: Session, reason: EngineSync['reason'], detail: string, ctx: TransitionContext): SessionWrite {
  return diverged(session, reason, detail, ctx).write;
}

function justStarted(session: Session, now: string): boolean {
  const started = Date.parse(session.startedAt ?? session.createdAt);
  return Date.parse(now) - started < ENGINE_VISIBILITY_GRACE_MS;
}

function inSync(session: Session, ctx: TransitionContext): Reconciliation {
  if (session.engineSync === undefined) return { action: 'in_sync' };
  const { engineSync, ...rest } = session;
  return {
    action: 'in_sync',
    write: advance(
      session,
      rest,
      [
        {
          type: 'workflow_sync_resolved',
          occurredAt: ctx.now,
          actor: ctx.actor.id,
          actorRole: ctx.actor.role,
          reason: engineSync.reason,
          data: { since: engineSync.since, attempts: engineSync.attempts + 1 },
        },
      ],
      ctx.now,
    ),
  };
}

function diverged(session: Session, reason: EngineSync['reason'], detail: string, ctx: TransitionContext): { action: 'diverged'; write: SessionWrite } {
  const previous = session.engineSync;
  const engineSync: EngineSync = { reason, since: previous?.since ?? ctx.now, attempts: (previous?.attempts ?? 0) + 1 };
  const next: Session = { ...session, engineSync };
  const events =
    previous === undefined
      ? [
          {
            type: 'workflow_sync_failed' as const,
            occurredAt: ctx.now,
            actor: ctx.actor.id,
            actorRole: ctx.actor.role,
            reason,
            data: { operation: 'reconcile', error: detail, reverted: false },
          },
        ]
      : [];
  return { action: 'diverged', write: advance(session, next, events, ctx.now) };
}

function failedByEngine(session: Session, ctx: TransitionContext, fault: string | undefined): SessionWrite {
  return failedForEngine(session, 'engine_faulted', `The workflow instance faulted${fault === undefined ? '' : `: ${fault}`} (seen by reconciliation).`, ctx);
}
