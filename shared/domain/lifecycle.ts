import type { MentorAssignment, MentorRequest } from './assignment';
import { freshCheckIn } from './check-ins';
import { activeTimeMs, nextDeadline } from './deadlines';
import type { SlotScope } from './limits';
import { INITIAL_STATE, type MentorshipState, type WorkflowProgressEvent } from './mentorship-state';
import type { SessionConfig } from './session-config';
import {
  SYSTEM_ACTOR,
  sequenceEvents,
  type Actor,
  type NewSessionEvent,
  type Session,
  type SessionEvent,
  type SessionTimeouts,
} from './session';
import { transition, type TransitionContext } from './transitions';
import { isOpen } from './status';

/** What a start needs once the directory has vouched for its references. */
export interface NewSessionInput {
  readonly id: string;
  readonly storyId: string;
  readonly juniorId: string;
  readonly storyTitle: string;
  readonly juniorName: string;
  readonly skillArea: string;
  /** The time limits it will run under (max duration from its config). */
  readonly timeouts?: SessionTimeouts;
  readonly config: SessionConfig;
  readonly configTemplateId?: string;
  /** The mentor the request named; a queued session keeps it until it runs. */
  readonly mentorRequest?: MentorRequest;
}

/** A session and the events that go with it, ready to be written together. */
export interface SessionWrite {
  readonly session: Session;
  readonly events: readonly SessionEvent[];
}

/** Appends events to a session: numbers them and moves the session's event count. */
export function withEvents(session: Session, events: readonly NewSessionEvent[], recordedAt: string): SessionWrite {
  return {
    session: { ...session, eventCount: session.eventCount + events.length },
    events: sequenceEvents(session, events, recordedAt),
  };
}

function blankSession(input: NewSessionInput, now: string): Session {
  return {
    id: input.id,
    storyId: input.storyId,
    juniorId: input.juniorId,
    storyTitle: input.storyTitle,
    juniorName: input.juniorName,
    skillArea: input.skillArea,
    ...(input.timeouts === undefined ? {} : { timeouts: input.timeouts }),
    config: input.config,
    ...(input.configTemplateId === undefined ? {} : { configTemplateId: input.configTemplateId }),
    status: 'Queued',
    createdAt: now,
    updatedAt: now,
    version: 0,
    eventCount: 0,
  };
}

/**
 * A session that has taken its slots: Active at the initial MentorshipState
 * with its mentor, its active-time and check-in clocks running. The workflow
 * instance is started right after (`withWorkflowInstance`), or named here when
 * it is already known.
 */
export function startedSession(
  input: NewSessionInput,
  assignment: MentorAssignment,
  ctx: TransitionContext,
  workflowInstanceId?: string,
): SessionWrite {
  const blank = blankSession(input, ctx.now);
  const session: Session = {
    ...blank,
    status: 'Active',
    currentState: INITIAL_STATE,
    mentorId: assignment.mentorId,
    assignment,
    ...(workflowInstanceId === undefined ? {} : { workflowInstanceId }),
    startedAt: ctx.now,
    activeMs: 0,
    activeSince: ctx.now,
    checkIn: freshCheckIn(blank, 0),
    version: 1,
  };
  const data = {
    ...(workflowInstanceId === undefined ? {} : { workflowInstanceId }),
    mentorId: assignment.mentorId,
    ...(input.configTemplateId === undefined ? {} : { configTemplateId: input.configTemplateId }),
  };
  return withEvents(
    session,
    [
      {
        type: 'session_started',
        occurredAt: ctx.now,
        actor: ctx.actor.id,
        actorRole: ctx.actor.role,
        toStatus: 'Active',
        toState: INITIAL_STATE,
        data,
      },
      assignedEvent(assignment, ctx),
    ],
    ctx.now,
  );
}

/** The `mentor_assigned` event: the explanation of a choice. */
function assignedEvent(assignment: MentorAssignment, ctx: TransitionContext): NewSessionEvent {
  return {
    type: 'mentor_assigned',
    occurredAt: ctx.now,
    actor: ctx.actor.id,
    actorRole: ctx.actor.role,
    reason: assignment.mode,
    data: { ...assignment, candidates: assignment.candidates.map((c) => ({ ...c })) },
  };
}

/**
 * Undoes a committed status change whose engine call failed, so the table and
 * the engine agree again. The audit log keeps both moves: the change and the
 * `workflow_sync_failed` event that reverts it.
 */
export function revertAfterEngineFailure(
  before: Session,
  committed: Session,
  operation: string,
  error: string,
  ctx: TransitionContext,
): SessionWrite {
  const reverted: Session = {
    ...before,
    // Check-ins the change recorded (on leaving Active, or before a config change) stay recorded:
    // the clock keeps what the log says, so they are not recorded twice.
    ...((committed.status !== before.status || committed.checkIn?.missed !== before.checkIn?.missed) &&
      committed.checkIn !== undefined && { checkIn: committed.checkIn }),
    updatedAt: ctx.now,
    version: committed.version + 1,
    eventCount: committed.eventCount,
  };
  return withEvents(
    reverted,
    [
      {
        type: 'workflow_sync_failed',
        occurredAt: ctx.now,
        actor: ctx.actor.id,
        actorRole: ctx.actor.role,
        ...(committed.status === before.status ? {} : { fromStatus: committed.status, toStatus: before.status }),
        ...(committed.currentState === undefined ? {} : { fromState: committed.currentState }),
        ...(before.currentState === undefined ? {} : { toState: before.currentState }),
        reason: 'engine_call_failed',
        data: { operation, error, reverted: true },
      },
    ],
    ctx.now,
  );
}

/**
 * Records that the engine did not follow a status change that stands (a cancel
 * whose engine call failed). Nothing is reverted; the session is marked
 * (`engineSync`) and reconciliation retries the call until the engine agrees.
 */
export function engineOutOfSync(session: Session, operation: string, error: string, ctx: TransitionContext): SessionWrite {
  const engineSync = { reason: 'engine_call_failed' as const, since: session.engineSync?.since ?? ctx.now, attempts: session.engineSync?.attempts ?? 0 };
  return withEvents(
    { ...session, engineSync, updatedAt: ctx.now, version: session.version + 1 },
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

export type WorkflowReportOutcome =
  | { readonly outcome: 'recorded'; readonly write: SessionWrite; readonly stateApplied: boolean }
  | { readonly outcome: 'rejected' };

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
  const bumped: Session = {
    ...session,
    ...(session.checkIn === undefined ? {} : { checkIn: freshCheckIn(session, activeTimeMs(session, now)) }),
    updatedAt: now,
    version: session.version + 1,
  };

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
      write: withEvents(
        bumped,
        [{ ...base, type: 'state_transition', data: { ...(report.data ?? {}), reportedState: report.toState, late: true } }],
        now,
      ),
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

/**
 * A session that could not take every slot it needs: it waits in the queue
 * (FIFO by enqueue time), holding no slot.
 */
export function queuedSession(input: NewSessionInput, blockedBy: readonly SlotScope[], ctx: TransitionContext): SessionWrite {
  const session: Session = {
    ...blankSession(input, ctx.now),
    ...(input.mentorRequest === undefined ? {} : { mentorRequest: input.mentorRequest }),
    enqueuedAt: ctx.now,
    version: 1,
  };
  return withEvents(
    session,
    [
      {
        type: 'session_queued',
        occurredAt: ctx.now,
        actor: ctx.actor.id,
        actorRole: ctx.actor.role,
        toStatus: 'Queued',
        data: {
          blockedBy: [...blockedBy],
          ...(input.mentorRequest === undefined ? {} : { requestedMentorId: input.mentorRequest.mentorId }),
          ...(input.configTemplateId === undefined ? {} : { configTemplateId: input.configTemplateId }),
        },
      },
    ],
    ctx.now,
  );
}

/**
 * A queued session whose slots are free and whose mentor is chosen: Active at
 * the initial state with that mentor, its clocks running. The engine instance
 * is started right after.
 */
export function dequeuedSession(queued: Session, assignment: MentorAssignment, now: string): SessionWrite {
  const waitedMs = queued.enqueuedAt === undefined ? 0 : Math.max(0, Date.parse(now) - Date.parse(queued.enqueuedAt));
  const { mentorRequest: _request, ...session } = queued;
  return withEvents(
    {
      ...session,
      status: 'Active',
      currentState: INITIAL_STATE,
      mentorId: assignment.mentorId,
      assignment,
      startedAt: now,
      activeMs: 0,
      activeSince: now,
      checkIn: freshCheckIn(session, 0),
      updatedAt: now,
      version: session.version + 1,
    },
    [
      {
        type: 'session_dequeued',
        occurredAt: now,
        actor: SYSTEM_ACTOR.id,
        actorRole: SYSTEM_ACTOR.role,
        fromStatus: 'Queued',
        toStatus: 'Active',
        toState: INITIAL_STATE,
        data: { waitedMs, mentorId: assignment.mentorId },
      },
      assignedEvent(assignment, { actor: SYSTEM_ACTOR, now }),
    ],
    now,
  );
}

/**
 * Moves a running session to another mentor: the new mentor's slot is taken
 * and the old one's released in the same transaction (the store does that from
 * the mentor ids). A `mentor_reassigned` event records both, who and why.
 */
export function reassignedSession(
  session: Session,
  assignment: MentorAssignment,
  reason: string,
  ctx: TransitionContext,
  notes?: string,
): SessionWrite {
  const { awaitingMentorSince: _waiting, ...rest } = session;
  return withEvents(
    { ...rest, mentorId: assignment.mentorId, assignment, updatedAt: ctx.now, version: session.version + 1 },
    [
      {
        type: 'mentor_reassigned',
        occurredAt: ctx.now,
        actor: ctx.actor.id,
        actorRole: ctx.actor.role,
        reason,
        ...(notes === undefined ? {} : { notes }),
        data: {
          ...(session.mentorId === undefined ? {} : { previousMentorId: session.mentorId }),
          mentorId: assignment.mentorId,
          mode: assignment.mode,
          ...(assignment.strategy === undefined ? {} : { strategy: assignment.strategy }),
          candidates: assignment.candidates.map((c) => ({ ...c })),
        },
      },
    ],
    ctx.now,
  );
}

/**
 * A running session whose mentor became unavailable and that no other mentor
 * can take now: it keeps its status and its mentor's slot, and waits for the
 * next mentor with a free slot (the drain moves it). Undefined when it already waits.
 */
export function awaitingReassignment(session: Session, reason: string, ctx: TransitionContext): SessionWrite | undefined {
  if (session.awaitingMentorSince !== undefined) return undefined;
  return withEvents(
    { ...session, awaitingMentorSince: ctx.now, updatedAt: ctx.now, version: session.version + 1 },
    [
      {
        type: 'mentor_reassignment_queued',
        occurredAt: ctx.now,
        actor: ctx.actor.id,
        actorRole: ctx.actor.role,
        reason,
        data: { ...(session.mentorId === undefined ? {} : { mentorId: session.mentorId }) },
      },
    ],
    ctx.now,
  );
}

/** Records the engine instance started for a dequeued session (no status change, no event). */
export function withWorkflowInstance(session: Session, workflowInstanceId: string, now: string): Session {
  return { ...session, workflowInstanceId, updatedAt: now, version: session.version + 1 };
}

/**
 * Records the instance the engine started for a session, whatever the session
 * did meanwhile: it may have been paused or ended while the engine was
 * starting it. The instance is always recorded, so nothing runs unknown to the
 * session. An ended session is also marked out of sync, so reconciliation
 * stops the instance; a paused one needs the engine told to suspend
 * (`suspend: true`). Undefined when an instance is already recorded.
 */
export function recordStartedInstance(
  session: Session,
  workflowInstanceId: string,
  ctx: TransitionContext,
): { write: SessionWrite; suspend: boolean } | undefined {
  if (session.workflowInstanceId !== undefined) return undefined;
  const recorded = withWorkflowInstance(session, workflowInstanceId, ctx.now);
  if (isOpen(session.status)) return { write: { session: recorded, events: [] }, suspend: session.status === 'Paused' };
  const write = engineOutOfSync(
    { ...recorded, version: session.version },
    'cancel',
    `the workflow instance ${workflowInstanceId} started after the session was ${session.status}`,
    ctx,
  );
  return { write, suspend: false };
}

/**
 * Applies the session's deadline when it has passed: the session is cancelled
 * by the system with reason `timeout` and a `session_timed_out` event naming
 * the limit. Undefined when nothing is due.
 */
export function timedOut(session: Session, now: string): SessionWrite | undefined {
  const deadline = nextDeadline(session);
  if (deadline === undefined || Date.parse(deadline.at) > Date.parse(now)) return undefined;
  const outcome = transition(session, { operation: 'cancel', reason: 'timeout' }, { actor: SYSTEM_ACTOR, now });
  if (outcome.outcome !== 'changed') return undefined;
  // The cancel becomes the timeout; check-ins missed before it (recorded on leaving Active) stay what they are.
  const events = outcome.events.map((event) =>
    event.type !== 'session_cancelled'
      ? event
      : { ...event, type: 'session_timed_out' as const, toState: 'TIMEOUT' as const, data: { limit: deadline.kind, deadline: deadline.at } },
  );
  return withEvents({ ...outcome.session, currentState: 'TIMEOUT' }, events, now);
}
