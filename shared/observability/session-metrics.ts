import type { SessionEvent, SessionEventType } from '../domain/session';
import type { Metrics } from '../ports/metrics';

/** The operation a status-changing event records, as the `operation` dimension of `Transitions`. */
const OPERATIONS: Partial<Record<SessionEventType, string>> = {
  session_started: 'start',
  session_queued: 'queue',
  session_dequeued: 'dequeue',
  session_paused: 'pause',
  session_resumed: 'resume',
  session_completed: 'complete',
  session_failed: 'fail',
  session_cancelled: 'cancel',
  session_timed_out: 'timeout',
};

/**
 * The metrics of audit events just committed. Every status change is written
 * with its event in one transaction, so counting committed events counts each
 * change once, whichever path (a request, the drain, the sweeper) made it.
 */
export function recordCommitted(metrics: Metrics, events: readonly SessionEvent[]): void {
  for (const event of events) {
    if (event.toStatus === undefined || event.toStatus === event.fromStatus) continue;
    metrics.transition(OPERATIONS[event.type] ?? event.type);
    if (event.toStatus === 'Active' && (event.fromStatus === undefined || event.fromStatus === 'Queued')) metrics.count('SessionsStarted');
    if (event.toStatus === 'Queued') metrics.count('SessionsQueued');
    if (event.type === 'session_timed_out') metrics.count('SessionsTimedOut');
  }
}
