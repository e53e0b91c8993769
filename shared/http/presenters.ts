import { elapsedMs, formatDuration } from '../domain/duration';
import type { MentorAssignment } from '../domain/assignment';
import type { Session, SessionEvent } from '../domain/session';
import type { SessionConfig } from '../domain/session-config';
import type { SessionDetails, SessionEventDto, SessionSummary } from './schemas';

/** Session -> the spec's SessionSummary. `now` ends the duration of a session still running. */
export function toSessionSummary(session: Session, now: string): SessionSummary {
  return {
    id: session.id,
    storyId: session.storyId,
    storyTitle: session.storyTitle,
    juniorId: session.juniorId,
    juniorName: session.juniorName,
    ...(session.mentorId !== undefined && { mentorId: session.mentorId }),
    ...(session.currentState !== undefined && { currentState: session.currentState }),
    status: session.status,
    createdAt: session.createdAt,
    ...(session.endedAt !== undefined && { completedAt: session.endedAt }),
    duration: formatDuration(elapsedMs(session.createdAt, session.endedAt ?? now)),
    ...(session.report !== undefined && { overallScore: session.report.overallScore }),
  };
}

export function toEventDto(event: SessionEvent): SessionEventDto {
  return { ...event, ...(event.data !== undefined && { data: { ...event.data } }) };
}

/** Session and its events -> the spec's SessionDetails. */
export function toSessionDetails(session: Session, events: readonly SessionEvent[], now: string): SessionDetails {
  const optional = <K extends keyof Session>(key: K) => (session[key] === undefined ? {} : { [key]: session[key] });
  return {
    ...toSessionSummary(session, now),
    skillArea: session.skillArea,
    config: toConfigDto(session.config),
    ...optional('configTemplateId'),
    ...(session.assignment !== undefined && { assignment: toAssignmentDto(session.assignment) }),
    ...(session.mentorRequest !== undefined && { requestedMentorId: session.mentorRequest.mentorId }),
    ...optional('awaitingMentorSince'),
    ...optional('workflowInstanceId'),
    ...optional('pausedFromState'),
    ...optional('startedAt'),
    ...optional('pausedAt'),
    updatedAt: session.updatedAt,
    ...optional('pauseReason'),
    ...optional('cancelReason'),
    ...optional('error'),
    ...(session.report !== undefined && { report: { ...session.report, metrics: { ...session.report.metrics } } }),
    version: session.version,
    events: [...events].sort((a, b) => a.seq - b.seq).map(toEventDto),
  };
}

/** Copies out of the readonly domain types into the wire shapes. */
export function toConfigDto(config: SessionConfig): SessionDetails['config'] {
  return { ...config, notifications: { ...config.notifications, additionalRecipients: [...config.notifications.additionalRecipients] } };
}

export function toAssignmentDto(assignment: MentorAssignment): NonNullable<SessionDetails['assignment']> {
  return { ...assignment, candidates: assignment.candidates.map((candidate) => ({ ...candidate })) };
}
