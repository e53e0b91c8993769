import type { NewSessionEvent, Session, SessionEvent } from './model';
import type { SessionStatus } from './status';

export * from './model';

/** Numbers the new events after the session's existing ones. */
export function sequenceEvents(session: Pick<Session, 'id' | 'eventCount'>, events: readonly NewSessionEvent[], recordedAt: string): SessionEvent[] {
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
