import { freshCheckIn } from './check-ins';
import { activeTimeMs } from './deadlines';
import type { MentorshipState, WorkflowProgressEvent } from './mentorship-state';
import type { Actor, Session } from './model';
import { bump, type SessionWrite, withEvents } from './session-write';

/** What the engine reports through its callback. */
export type WorkflowReport =
  | {
      readonly type: 'state_changed';
      readonly toState: MentorshipState;
      readonly eventId: string;
      readonly occurredAt: string;
      readonly data?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: WorkflowProgressEvent;
      readonly eventId: string;
      readonly occurredAt: string;
      readonly message?: string;
      readonly data?: Readonly<Record<string, unknown>>;
    };

export type WorkflowReportOutcome = { readonly outcome: 'recorded'; readonly write: SessionWrite; readonly stateApplied: boolean } | { readonly outcome: 'rejected' };

/**
 * Applies an engine report. Only running sessions (Active or Paused) take reports.
 * A state change older than the step already applied is late: it is kept in the
 * audit log but does not move the state. While paused, a state change moves the
 * step that resume will return to.
 */
export function applyWorkflowReport(session: Session, report: WorkflowReport, actor: Actor, now: string): WorkflowReportOutcome {
  if (session.status !== 'Active' && session.status !== 'Paused') return { outcome: 'rejected' };
  const base = { occurredAt: report.occurredAt, actor: actor.id, actorRole: actor.role, externalId: report.eventId };
  // Any word from the workflow is a check-in: the check-in clock starts again.
  const bumped: Session = bump(
    session,
    {
      ...session,
      ...(session.checkIn === undefined ? {} : { checkIn: freshCheckIn(session, activeTimeMs(session, now)) }),
    },
    now,
  );

  if (report.type !== 'state_changed') {
    const data = { ...(report.data ?? {}), ...(report.message === undefined ? {} : { message: report.message }) };
    return {
      outcome: 'recorded',
      stateApplied: false,
      write: withEvents(bumped, [{ ...base, type: report.type, ...(Object.keys(data).length ? { data } : {}) }], now),
    };
  }

  const late = session.stateChangedAt !== undefined && Date.parse(report.occurredAt) < Date.parse(session.stateChangedAt);
  if (late) {
    return {
      outcome: 'recorded',
      stateApplied: false,
      write: withEvents(bumped, [{ ...base, type: 'state_transition', data: { ...(report.data ?? {}), reportedState: report.toState, late: true } }], now),
    };
  }

  const paused = session.status === 'Paused';
  const fromState = paused ? session.pausedFromState : session.currentState;
  const next: Session = paused
    ? { ...bumped, pausedFromState: report.toState, stateChangedAt: report.occurredAt }
    : { ...bumped, currentState: report.toState, stateChangedAt: report.occurredAt };
  return {
    outcome: 'recorded',
    stateApplied: true,
    write: withEvents(
      next,
      [
        {
          ...base,
          type: 'state_transition',
          ...(fromState === undefined ? {} : { fromState }),
          toState: report.toState,
          ...(paused || report.data ? { data: { ...(report.data ?? {}), ...(paused ? { whilePaused: true } : {}) } } : {}),
        },
      ],
      now,
    ),
  };
}
