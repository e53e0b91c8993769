import type { NotificationKind } from '../../shared/domain/notifications';
import type { SessionEventType } from '../../shared/domain/session';
import type { NotificationPreferences } from '../../shared/domain/session-config';

/**
 * Written from the issue (items 11-13), not from the code: which event sends
 * which notification kind, and which preference lets it through. Every other
 * event sends nothing.
 */
export const NOTIFICATION_ORACLE: Readonly<Partial<Record<SessionEventType, readonly [NotificationKind, keyof NotificationPreferences]>>> = {
  session_queued: ['queued', 'notifyOnStateChange'],
  session_started: ['started', 'notifyOnStateChange'],
  session_dequeued: ['started_from_queue', 'notifyOnStateChange'],
  session_paused: ['paused', 'notifyOnStateChange'],
  session_resumed: ['resumed', 'notifyOnStateChange'],
  session_cancelled: ['cancelled', 'notifyOnStateChange'],
  session_timed_out: ['timed_out', 'notifyOnStateChange'],
  session_failed: ['failed', 'notifyOnStateChange'],
  blocker_detected: ['blocker', 'notifyOnBlocker'],
  escalation_triggered: ['escalation', 'notifyOnEscalation'],
  escalated_to_senior: ['escalation', 'notifyOnEscalation'],
  session_completed: ['completed', 'notifyOnCompletion'],
};
