/**
 * The session model: the data types every other domain module works on. A
 * leaf: it imports only other leaves (statuses, states, assignment and config
 * shapes), so nothing that uses a session can form a cycle through it.
 */
import type { MentorAssignment, MentorRequest } from './assignment';
import { type MentorshipState, WORKFLOW_PROGRESS_EVENTS, type WorkflowProgressEvent } from './mentorship-state';
import type { SessionConfig } from './session-config';
import type { SessionStatus } from './status';

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
  /**
   * What the engine must still be brought to, written in the same transaction
   * as the change that asks for it; cleared once the engine confirms
   * (engine-command.ts). Absent: the engine is known to agree.
   */
  readonly engineCommand?: EngineCommand;
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

export type SessionEventType = (typeof LIFECYCLE_EVENTS)[number] | (typeof SERVICE_EVENTS)[number] | WorkflowProgressEvent;

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

/** Who an escalation step is for. */
export type EscalationAudience = 'junior' | 'mentor' | 'coordinators';

/** Where the check-in clock stands: the active time at which the next check-in falls due, and the misses in a row. */
export interface CheckInClock {
  readonly nextActiveMs: number;
  readonly missed: number;
}

/** What the engine says about a session's workflow instance (the WorkflowEngine port answers this). */
export type EngineInstanceStatus = 'Running' | 'Suspended' | 'Finished' | 'Cancelled' | 'Faulted' | 'NotFound';

/** Set on a session while it and its engine instance disagree in a way the service could not fix at once. */
export interface EngineSync {
  /** What is wrong: `engine_call_failed` (the engine did not follow a change that stands) or `engine_ended` (the instance ended under an open session). */
  readonly reason: 'engine_call_failed' | 'engine_ended';
  readonly since: string;
  /** Reconciliation passes that found it still unresolved. */
  readonly attempts: number;
}

/**
 * The state the engine must reach for a session: its instance started (the
 * session id is the correlation id) and `running` or `suspended`, or `stopped`
 * (no live instance with the session's correlation id).
 */
export type EngineTarget = 'running' | 'suspended' | 'stopped';

/** A durable engine command: pending until the engine confirms its target. */
export interface EngineCommand {
  readonly target: EngineTarget;
  /** When this target was first asked for. */
  readonly since: string;
  /** Engine calls tried for it so far (the request's own call included). */
  readonly attempts: number;
  /** When a worker may (re)drive it: the request's lease, or the backoff after a failed try. */
  readonly dueAt: string;
  /** What the last try met (an ambiguous failure: timeout, network, 5xx), never a token or secret. */
  readonly lastError?: string;
  /**
   * Asked while a command for another target was still pending: that one's call
   * may still land after this one's, so a try that lands only moves `dueAt` on
   * (the lease); the worker's try after it confirms.
   */
  readonly overlaps?: boolean;
}

/** Time per lifecycle status, and the pauses. */
export interface StatusBreakdown {
  readonly queuedMs: number;
  readonly activeMs: number;
  readonly pausedMs: number;
  /** Pauses that took effect: a pause the engine refused (reverted) does not count. */
  readonly pauseCount: number;
  /** The longest of those pauses (a resume the engine refused does not split one). */
  readonly longestPauseMs: number;
}

/** What this service adds to the engine's report when a session completes. */
export interface SessionServiceReport {
  /** From the session's timeline: Active time per MentorshipState, Paused time under `PAUSED`. */
  readonly timePerStateMs: Partial<Record<MentorshipState, number>>;
  readonly statusBreakdown: StatusBreakdown;
  /** Pauses that took effect (same as `statusBreakdown.pauseCount`). */
  readonly pauseCount: number;
  /** `blocker_detected` events. */
  readonly blockersDetected: number;
  /** `blocker_resolved` events. */
  readonly blockersResolved: number;
  /** `escalation_triggered` (engine or check-in ladder) plus `escalated_to_senior` events. */
  readonly escalations: number;
  /** `check_in_missed` events. */
  readonly checkInsMissed: number;
  /** `state_transition` events that moved the step (late reports excluded; moves while paused included). */
  readonly stateTransitions: number;
  /** `state_transition` events that arrived late and moved nothing. */
  readonly lateStateReports: number;
  /** The engine's overall score: the session's report, else the one its `session_completed` event carries. */
  readonly engineScore?: number;
}
