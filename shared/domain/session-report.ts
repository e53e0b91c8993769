import type { Session, SessionEvent, SessionEventType, SessionServiceReport } from './model';
import { buildTimeline } from './timeline';

export type { SessionServiceReport } from './model';
/**
 * The service's own figures for a session (pure; `now` only matters while it
 * is open): its timeline's time per state and status breakdown (see
 * `buildTimeline`), and counts of the events that say how it went.
 */
export function sessionServiceReport(session: Session, events: readonly SessionEvent[], now: string): SessionServiceReport {
  const timeline = buildTimeline(session, events, now);
  const count = (...types: SessionEventType[]) => events.filter((event) => types.includes(event.type)).length;
  const late = events.filter((event) => event.type === 'state_transition' && event.data?.['late'] === true).length;
  const engineScore = session.report?.overallScore ?? completionScore(events);
  return {
    timePerStateMs: timeline.timePerStateMs,
    statusBreakdown: timeline.statusBreakdown,
    pauseCount: timeline.statusBreakdown.pauseCount,
    blockersDetected: count('blocker_detected'),
    blockersResolved: count('blocker_resolved'),
    escalations: count('escalation_triggered', 'escalated_to_senior'),
    checkInsMissed: count('check_in_missed'),
    stateTransitions: count('state_transition') - late,
    lateStateReports: late,
    ...(engineScore === undefined ? {} : { engineScore }),
  };
}

/** The score in the last `session_completed` event's report, when it holds a number. */
function completionScore(events: readonly SessionEvent[]): number | undefined {
  const completion = [...events].sort((a, b) => b.seq - a.seq).find((event) => event.type === 'session_completed');
  const report = completion?.data?.['report'];
  if (typeof report !== 'object' || report === null || !('overallScore' in report)) return undefined;
  const score = report.overallScore;
  return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
}
