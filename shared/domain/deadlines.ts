import type { Session } from './model';

export type DeadlineKind = 'max_duration' | 'pause_timeout' | 'queue_timeout';

export interface Deadline {
  readonly at: string;
  readonly kind: DeadlineKind;
}

/** Active time used so far, including the current stretch. */
export function activeTimeMs(session: Session, now: string): number {
  const running = session.activeSince === undefined ? 0 : Math.max(0, Date.parse(now) - Date.parse(session.activeSince));
  return (session.activeMs ?? 0) + running;
}

/**
 * The session's next deadline, or none for a terminal session (or one made
 * without time limits). Active: the active time left counts from the start of
 * the current stretch, so pauses freeze it. Paused: one pause is bounded.
 * Queued: the wait is bounded.
 */
export function nextDeadline(session: Session): Deadline | undefined {
  const limits = session.timeouts;
  if (limits === undefined) return undefined;
  const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  switch (session.status) {
    case 'Queued':
      return session.enqueuedAt === undefined ? undefined : { at: plus(session.enqueuedAt, limits.queueTimeoutMs), kind: 'queue_timeout' };
    case 'Active':
      return session.activeSince === undefined ? undefined : { at: plus(session.activeSince, limits.maxDurationMs - (session.activeMs ?? 0)), kind: 'max_duration' };
    case 'Paused':
      return session.pausedAt === undefined ? undefined : { at: plus(session.pausedAt, limits.pauseTimeoutMs), kind: 'pause_timeout' };
    default:
      return undefined;
  }
}

/** True when the session's deadline has passed at `now`. */
export function isOverdue(session: Session, now: string): boolean {
  const deadline = nextDeadline(session);
  return deadline !== undefined && Date.parse(deadline.at) <= Date.parse(now);
}
