import type { MentorAssignment } from './assignment';
import type { Session } from './model';
import { advance, type SessionWrite } from './session-write';
import type { TransitionContext } from './transitions';

/**
 * Moves a running session to another mentor: the new mentor's slot is taken
 * and the old one's released in the same transaction (the store does that from
 * the mentor ids). A `mentor_reassigned` event records both, who and why.
 */
export function reassignedSession(session: Session, assignment: MentorAssignment, reason: string, ctx: TransitionContext, notes?: string): SessionWrite {
  const { awaitingMentorSince: _waiting, ...rest } = session;
  return advance(
    session,
    { ...rest, mentorId: assignment.mentorId, assignment },
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
  return advance(
    session,
    { ...session, awaitingMentorSince: ctx.now },
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
