import { WORKFLOW_PROGRESS_EVENTS, type MentorshipState, type WorkflowProgressEvent } from './mentorship-state';
import type { MentorAssignment, MentorRequest } from './assignment';
import type { CheckInClock } from './check-ins';
import type { SessionConfig } from './session-config';
import type { SessionStatus } from './status';
import type { SessionServiceReport } from './session-report';
import type { EngineSync } from './reconciliation';

/** Roles come from the identity provider's groups; `system` is this service acting on its own. */
export const ROLES = ['coordinator', 'mentor', 'junior', 'service'] as const;
export type Role = (typeof ROLES)[number];
export type ActorRole = Role | 'system';

/** Who initiated a change: a user id with the role they acted in, or the system. */
export interface Actor {
  readonly id: string;
  readonly role: ActorRole;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system' };

/** Time limits, in milliseconds: active time, one pause, time in the queue. */
export interface SessionTimeouts {
  readonly maxDurationMs: number;
  readonly pauseTimeoutMs: number;
  readonly queueTimeoutMs: number;
}

/** The engine's report at MergeCompleteActivity (spec AC1 "Complete"). */
export interface SessionReport {
  readonly summary: string;
  readonly overallScore: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Who placed a legal hold, when and why. */
export interface LegalHold {
  readonly setBy: string;
  readonly setAt: string;
  readonly reason?: string;
}

export interface Session {
  readonly id: string;
  readonly storyId: string;
  readonly juniorId: string;
  readonly mentorId?: string;
  /** Copied from the directory at start, so listings need no join. */
  readonly storyTitle: string;
  readonly juniorName: string;
  /** The story's skill area, copied at start: assignment matches mentors on it. */
  readonly skillArea: string;
  readonly status: SessionStatus;
  /** The engine's step; absent until the workflow has started. */
  readonly currentState?: MentorshipState;
  /** The step a pause interrupted; resume returns to it. */
  readonly pausedFromState?: MentorshipState;
  /**
   * When the engine said the current step began (its own clock, set by its reports only, so
   * skew between our clock and the engine's cannot make its first report look late); older
   * reports arrive late and do not move the step.
   */
  readonly stateChangedAt?: string;
  readonly workflowInstanceId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly pausedAt?: string;
  /** When the session reached a terminal status. */
  readonly endedAt?: string;
  /** When the session joined the queue (while Queued). */
  readonly enqueuedAt?: string;
  /** Time spent Active before the current Active stretch, in ms (pauses do not count). */
  readonly activeMs?: number;
  /** When the current Active stretch began (while Active). */
  readonly activeSince?: string;
  /** The time limits this session runs under (max duration follows its config). */
  readonly timeouts?: SessionTimeouts;
  /** Its configuration (spec AC3): defaults, then its template, then the request's fields. */
  readonly config: SessionConfig;
  /** The template it started from, if any. */
  readonly configTemplateId?: string;
  /** The mentor the start request named, kept while the session waits (queued) for a mentor. */
  readonly mentorRequest?: MentorRequest;
  /** How the current mentor was chosen (spec AC4), with the candidates and their scores. */
  readonly assignment?: MentorAssignment;
  /** Set while the session's mentor is unavailable and no other mentor could take it: it waits for one. */
  readonly awaitingMentorSince?: string;
  /** The check-in clock, while running. */
  readonly checkIn?: CheckInClock;
  readonly pauseReason?: string;
  readonly cancelReason?: string;
  /** Failure context, for `Failed` sessions. */
  readonly error?: string;
  readonly report?: SessionReport;
  /** Stored at completion: what the service itself counted (time per state, pauses, blockers, escalations) and the engine's score. */
  readonly serviceReport?: SessionServiceReport;
  /** Set while the session and its engine instance disagree; reconciliation retries until they agree (reconciliation.ts). */
  readonly engineSync?: EngineSync;
  /** A legal hold keeps the session's data past its retention period (see retention.ts). */
  readonly legalHold?: LegalHold;
  /** Optimistic-concurrency version: every write conditions on it and bumps it. */
  readonly version: number;
  /** Number of events written; the next event's sequence is eventCount + 1. */
  readonly eventCount: number;
}

export const LIFECYCLE_EVENTS = [
  'session_started',
  'session_paused',
  'session_resumed',
  'session_completed',
  'session_failed',
  'session_cancelled',
  'session_timed_out',
  'state_transition',
] as const;

/** Events this service adds to the parent platform's vocabulary. */
export const SERVICE_EVENTS = [
  'session_queued',
  'session_dequeued',
  'workflow_sync_failed',
  'workflow_sync_resolved',
  'mentor_assigned',
  'mentor_reassigned',
  'mentor_reassignment_queued',
  'config_updated',
  'check_in_missed',
  'legal_hold_set',
  'legal_hold_released',
  // `escalation_triggered` is also the engine's (a progress event): the check-in ladder writes it with actor `system`.
] as const;

export type SessionEventType =
  | (typeof LIFECYCLE_EVENTS)[number]
  | (typeof SERVICE_EVENTS)[number]
  | WorkflowProgressEvent;

/** Every event type the audit log can hold (the README's event catalogue). */
export const SESSION_EVENT_TYPES = [...LIFECYCLE_EVENTS, ...SERVICE_EVENTS, ...WORKFLOW_PROGRESS_EVENTS] as const;

/** One audit-log entry. Status-changing events carry fromStatus/toStatus, so the log replays to the status. */
export interface SessionEvent {
  readonly sessionId: string;
  /** 1-based, gap-free order within the session. */
  readonly seq: number;
  readonly type: SessionEventType;
  /** When it happened (for engine reports, the engine's time). */
  readonly occurredAt: string;
  /** When this service wrote it. */
  readonly recordedAt: string;
  readonly actor: string;
  readonly actorRole: ActorRole;
  readonly fromStatus?: SessionStatus;
  readonly toStatus?: SessionStatus;
  readonly fromState?: MentorshipState;
  readonly toState?: MentorshipState;
  readonly reason?: string;
  readonly notes?: string;
  /** The engine's id for the report this event came from; duplicates are dropped by it. */
  readonly externalId?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An event before it has a place in the log: the session assigns seq and sessionId when it is appended. */
export type NewSessionEvent = Omit<SessionEvent, 'sessionId' | 'seq' | 'recordedAt'>;

/** Numbers the new events after the session's existing ones. */
export function sequenceEvents(
  session: Pick<Session, 'id' | 'eventCount'>,
  events: readonly NewSessionEvent[],
  recordedAt: string,
): SessionEvent[] {
  return events.map((event, index) => ({
    ...event,
    sessionId: session.id,
    seq: session.eventCount + index + 1,
    recordedAt,
  }));
}

/** The status the audit log leads to: the target of its last status-changing event. */
export function replayStatus(events: readonly SessionEvent[]): SessionStatus | undefined {
  let status: SessionStatus | undefined;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (event.toStatus !== undefined) {
      if (status !== undefined && event.fromStatus !== status) {
        throw new Error(`event ${event.seq} moves from ${String(event.fromStatus)} but the log was at ${status}`);
      }
      status = event.toStatus;
    }
  }
  return status;
}
