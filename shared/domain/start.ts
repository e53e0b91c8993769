import type { MentorAssignment, MentorRequest } from './assignment';
import { freshCheckIn } from './check-ins';
import type { SlotScope } from './limits';
import { INITIAL_STATE } from './mentorship-state';
import { type NewSessionEvent, type Session, type SessionTimeouts, SYSTEM_ACTOR } from './model';
import type { SessionConfig } from './session-config';
import type { SessionWrite } from './session-write';
import { changeStatus, type TransitionContext } from './transitions';

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

/** A session before its first change: no status history, version 0, no events. */
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

/** A session running from `now` with this mentor: at the initial MentorshipState, its active-time and check-in clocks started. */
function running(session: Session, assignment: MentorAssignment, now: string): Session {
  return {
    ...session,
    currentState: INITIAL_STATE,
    mentorId: assignment.mentorId,
    assignment,
    startedAt: now,
    activeMs: 0,
    activeSince: now,
    checkIn: freshCheckIn(session, 0),
  };
}

/**
 * A session that has taken its slots: Active at the initial MentorshipState
 * with its mentor, its active-time and check-in clocks running. The workflow
 * instance is started right after, or named here when it is already known.
 */
export function startedSession(input: NewSessionInput, assignment: MentorAssignment, ctx: TransitionContext, workflowInstanceId?: string): SessionWrite {
  const blank = blankSession(input, ctx.now);
  const next: Session = { ...running(blank, assignment, ctx.now), ...(workflowInstanceId === undefined ? {} : { workflowInstanceId }) };
  const data = {
    ...(workflowInstanceId === undefined ? {} : { workflowInstanceId }),
    mentorId: assignment.mentorId,
    ...(input.configTemplateId === undefined ? {} : { configTemplateId: input.configTemplateId }),
  };
  return changeStatus('start', blank, next, { toState: INITIAL_STATE, data }, ctx, { after: [assignedEvent(assignment, ctx)] });
}

/**
 * A session that could not take every slot it needs: it waits in the queue
 * (FIFO by enqueue time), holding no slot.
 */
export function queuedSession(input: NewSessionInput, blockedBy: readonly SlotScope[], ctx: TransitionContext): SessionWrite {
  const blank = blankSession(input, ctx.now);
  const next: Session = {
    ...blank,
    ...(input.mentorRequest === undefined ? {} : { mentorRequest: input.mentorRequest }),
    enqueuedAt: ctx.now,
  };
  const data = {
    blockedBy: [...blockedBy],
    ...(input.mentorRequest === undefined ? {} : { requestedMentorId: input.mentorRequest.mentorId }),
    ...(input.configTemplateId === undefined ? {} : { configTemplateId: input.configTemplateId }),
  };
  return changeStatus('enqueue', blank, next, { data }, ctx);
}

/**
 * A queued session whose slots are free and whose mentor is chosen: Active at
 * the initial state with that mentor, its clocks running. The engine instance
 * is started right after.
 */
export function dequeuedSession(queued: Session, assignment: MentorAssignment, now: string): SessionWrite {
  const waitedMs = queued.enqueuedAt === undefined ? 0 : Math.max(0, Date.parse(now) - Date.parse(queued.enqueuedAt));
  const { mentorRequest: _request, ...session } = queued;
  const ctx = { actor: SYSTEM_ACTOR, now };
  return changeStatus('dequeue', queued, running(session, assignment, now), { toState: INITIAL_STATE, data: { waitedMs, mentorId: assignment.mentorId } }, ctx, {
    after: [assignedEvent(assignment, ctx)],
  });
}

/** The `mentor_assigned` event: the explanation of a choice. */
export function assignedEvent(assignment: MentorAssignment, ctx: TransitionContext): NewSessionEvent {
  return {
    type: 'mentor_assigned',
    occurredAt: ctx.now,
    actor: ctx.actor.id,
    actorRole: ctx.actor.role,
    reason: assignment.mode,
    data: { ...assignment, candidates: assignment.candidates.map((c) => ({ ...c })) },
  };
}

/** What the engine's instance of a session starts with: the session id is its correlation id. */
export function workflowInputOf(session: Session): Record<string, unknown> {
  return {
    sessionId: session.id,
    storyId: session.storyId,
    storyTitle: session.storyTitle,
    skillArea: session.skillArea,
    juniorId: session.juniorId,
    ...(session.mentorId !== undefined && { mentorId: session.mentorId }),
    config: session.config,
  };
}
