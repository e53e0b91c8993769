import { missedCheckIns } from './check-ins';
import { activeTimeMs } from './deadlines';
import { INITIAL_STATE, type MentorshipState } from './mentorship-state';
import type { Actor, NewSessionEvent, Session, SessionEventType, SessionReport } from './model';
import { advance, bump, type SessionWrite } from './session-write';
import type { SessionStatus } from './status';

/**
 * Every status change the service makes, as data (spec AC2, plus the queue,
 * timeouts, engine faults and reverts): from which statuses it applies, the
 * status it leads to and the event that records it. `from: []` marks a birth
 * (the session is new). Every status change goes through `changeStatus` or
 * `transition`, which read this table: no status moves any other way.
 */
export const STATUS_CHANGES = {
  start: { from: [], to: 'Active', event: 'session_started' },
  enqueue: { from: [], to: 'Queued', event: 'session_queued' },
  dequeue: { from: ['Queued'], to: 'Active', event: 'session_dequeued' },
  pause: { from: ['Active'], to: 'Paused', event: 'session_paused' },
  resume: { from: ['Paused'], to: 'Active', event: 'session_resumed' },
  cancel: { from: ['Queued', 'Active', 'Paused'], to: 'Cancelled', event: 'session_cancelled' },
  complete: { from: ['Active'], to: 'Completed', event: 'session_completed' },
  fail: { from: ['Active'], to: 'Failed', event: 'session_failed' },
  /** A deadline passed: a cancel by the system, recorded as a timeout. */
  timeout: { from: ['Queued', 'Active', 'Paused'], to: 'Cancelled', event: 'session_timed_out' },
  /** The engine's instance faulted (seen by reconciliation), from Paused too. */
  engine_fault: { from: ['Active', 'Paused'], to: 'Failed', event: 'session_failed' },
  /** The engine refused a pause or a resume: the change is undone. */
  revert_pause: { from: ['Paused'], to: 'Active', event: 'workflow_sync_failed' },
  revert_resume: { from: ['Active'], to: 'Paused', event: 'workflow_sync_failed' },
} as const satisfies Record<string, { from: readonly SessionStatus[]; to: SessionStatus; event: SessionEventType }>;

export type StatusChange = keyof typeof STATUS_CHANGES;

/**
 * The transition table callers act through (spec AC2): an operation applies
 * from the listed statuses and leads to `to`; applying it to a session
 * already in `to` is a no-op success (it already took effect).
 */
export const TRANSITIONS = {
  pause: STATUS_CHANGES.pause,
  resume: STATUS_CHANGES.resume,
  cancel: STATUS_CHANGES.cancel,
  complete: STATUS_CHANGES.complete,
  fail: STATUS_CHANGES.fail,
} as const;

export type Operation = keyof typeof TRANSITIONS;
export const OPERATIONS = Object.keys(TRANSITIONS) as Operation[];

export type Command =
  | { readonly operation: 'pause'; readonly reason?: string; readonly notes?: string }
  | { readonly operation: 'resume'; readonly notes?: string }
  | { readonly operation: 'cancel'; readonly reason: string; readonly notes?: string }
  | { readonly operation: 'complete'; readonly report: SessionReport; readonly notes?: string }
  | { readonly operation: 'fail'; readonly error: string; readonly reason?: string; readonly notes?: string };

export interface TransitionContext {
  readonly actor: Actor;
  /** ISO 8601 instant; the domain never reads a clock. */
  readonly now: string;
}

export type TransitionOutcome =
  | { readonly outcome: 'changed'; readonly session: Session; readonly events: readonly NewSessionEvent[] }
  | { readonly outcome: 'unchanged'; readonly session: Session }
  | {
      readonly outcome: 'rejected';
      readonly operation: Operation;
      readonly status: SessionStatus;
      readonly allowedOperations: readonly Operation[];
    };

/** Operations the table allows from a status (what a 409 tells the caller). */
export function allowedOperations(status: SessionStatus): Operation[] {
  return OPERATIONS.filter((op) => (TRANSITIONS[op].from as readonly SessionStatus[]).includes(status));
}

/**
 * Applies a lifecycle command. Pure: returns the new session and the events to
 * append, `unchanged` when the command already took effect, or a rejection.
 */
export function transition(session: Session, command: Command, ctx: TransitionContext): TransitionOutcome {
  const rule = TRANSITIONS[command.operation];
  if (session.status === rule.to) return { outcome: 'unchanged', session };
  if (!(rule.from as readonly SessionStatus[]).includes(session.status)) {
    return {
      outcome: 'rejected',
      operation: command.operation,
      status: session.status,
      allowedOperations: allowedOperations(session.status),
    };
  }

  // Leaving Active stops the check-in clock: check-ins missed before now are recorded first,
  // at the instants they fell due (afterwards only the next stretch's times are known).
  const missed = session.status === 'Active' ? missedCheckIns(session, ctx.now) : undefined;
  const current = missed === undefined ? session : { ...session, ...(missed.session.checkIn && { checkIn: missed.session.checkIn }) };
  const next = applyCommand(current, command, ctx.now);
  const event: NewSessionEvent = {
    type: rule.event,
    occurredAt: ctx.now,
    actor: ctx.actor.id,
    actorRole: ctx.actor.role,
    fromStatus: session.status,
    toStatus: rule.to,
    ...stateChange(session.currentState, next.currentState),
    ...textFields(command),
    ...eventData(command),
  };
  return {
    outcome: 'changed',
    session: bump(session, { ...next, status: rule.to }, ctx.now),
    events: [...(missed?.events ?? []), event],
  };
}

/** How a `changeStatus` event reads, besides its type and statuses (the table gives those). */
export type StatusEvent = Omit<NewSessionEvent, 'type' | 'fromStatus' | 'toStatus' | 'occurredAt' | 'actor' | 'actorRole'> & {
  readonly occurredAt?: string;
};

/**
 * A status change the service makes itself (start, queue, dequeue, timeout,
 * engine fault, revert): checks the change applies to `before`'s status (or
 * that `before` is new), gives `next` the new status, records the change's
 * event (from/to status, the actor, `fields`) between the events that go
 * before and after it, and bumps the version once.
 */
export function changeStatus(
  change: StatusChange,
  before: Session,
  next: Session,
  fields: StatusEvent,
  ctx: TransitionContext,
  around: { readonly before?: readonly NewSessionEvent[]; readonly after?: readonly NewSessionEvent[] } = {},
): SessionWrite {
  const rule = STATUS_CHANGES[change];
  const born = rule.from.length === 0;
  if (born ? before.eventCount !== 0 : !(rule.from as readonly SessionStatus[]).includes(before.status)) {
    throw new Error(`status change ${change} does not apply to a session that is ${born ? 'not new' : before.status}`);
  }
  const event: NewSessionEvent = {
    type: rule.event,
    occurredAt: ctx.now,
    actor: ctx.actor.id,
    actorRole: ctx.actor.role,
    ...(born ? {} : { fromStatus: before.status }),
    toStatus: rule.to,
    ...fields,
  };
  return advance(before, { ...next, status: rule.to }, [...(around.before ?? []), event, ...(around.after ?? [])], ctx.now);
}

/** Stops the active-time clock: the current stretch is added to the time used. */
function stopClock(session: Session, now: string): Session {
  if (session.activeSince === undefined) return session;
  const { activeSince: _since, ...rest } = session;
  return { ...rest, activeMs: activeTimeMs(session, now) };
}

function applyCommand(current: Session, command: Command, now: string): Session {
  const session = stopClock(current, now);
  switch (command.operation) {
    case 'pause':
      return {
        ...session,
        currentState: 'PAUSED',
        pausedFromState: session.currentState ?? INITIAL_STATE,
        pausedAt: now,
        ...(command.reason === undefined ? {} : { pauseReason: command.reason }),
      };
    case 'resume': {
      const { pausedFromState, pausedAt: _pausedAt, pauseReason: _reason, ...rest } = session;
      return { ...rest, currentState: pausedFromState ?? INITIAL_STATE, activeSince: now };
    }
    case 'cancel':
      return { ...session, currentState: 'CANCELLED', endedAt: now, cancelReason: command.reason };
    case 'complete':
      return { ...session, currentState: 'COMPLETED', endedAt: now, report: command.report };
    case 'fail':
      return { ...session, currentState: 'FAILED', endedAt: now, error: command.error };
  }
}

function stateChange(from: MentorshipState | undefined, to: MentorshipState | undefined) {
  return {
    ...(from === undefined ? {} : { fromState: from }),
    ...(to === undefined ? {} : { toState: to }),
  };
}

function textFields(command: Command): { reason?: string; notes?: string } {
  const reason = 'reason' in command ? command.reason : undefined;
  return {
    ...(reason === undefined ? {} : { reason }),
    ...(command.notes === undefined ? {} : { notes: command.notes }),
  };
}

function eventData(command: Command): { data?: Record<string, unknown> } {
  if (command.operation === 'complete') return { data: { report: command.report } };
  if (command.operation === 'fail') return { data: { error: command.error } };
  return {};
}
