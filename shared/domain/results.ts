import type { MentorAssignment } from './assignment';
import type { SessionStatus } from './status';

/** The spec's SessionStartResult (wire form, camelCase). `failed`: the engine refused the start. */
export interface SessionStartResult {
  readonly success: boolean;
  readonly sessionId: string;
  readonly workflowInstanceId?: string;
  /** For a started session: its mentor and how they were chosen. */
  readonly mentorId?: string;
  readonly assignment?: MentorAssignment;
  readonly status: 'started' | 'queued' | 'failed';
  readonly queuePosition?: number;
  /** For a queued session: the estimated wait (see README "Queue"). */
  readonly estimatedWaitMinutes?: number;
  readonly error?: string;
  /** Started, but the engine has not confirmed its instance yet (an ambiguous failure): the worker keeps trying; GET shows the engine side. */
  readonly enginePending?: boolean;
}

/** The spec's SessionResult: the outcome of a lifecycle operation. */
export interface SessionResult {
  readonly success: boolean;
  readonly sessionId: string;
  readonly status: SessionStatus;
  readonly error?: string;
  /** The change stands but the engine has not confirmed it yet (an ambiguous failure): the worker keeps trying. */
  readonly enginePending?: boolean;
}

/** The answer to an engine report. */
export interface WorkflowEventResult {
  readonly sessionId: string;
  /** False when the same eventId was already recorded: nothing was written. */
  readonly recorded: boolean;
  readonly duplicate: boolean;
  /** Whether a state change moved the session's state (false for late reports). */
  readonly stateApplied: boolean;
  readonly currentState?: string;
}
