import type { NewSessionEvent, Session, SessionEvent } from './model';
import { sequenceEvents } from './session';

/** A session and the events that go with it, ready to be written together. */
export interface SessionWrite {
  readonly session: Session;
  readonly events: readonly SessionEvent[];
}

/**
 * The one version bump: `next` (the session as it becomes) stamped with the
 * time of the change and the version after `before`'s. Every write conditions
 * on the version it read, so each change moves it exactly once.
 */
export function bump(before: Pick<Session, 'version'>, next: Session, now: string): Session {
  return { ...next, updatedAt: now, version: before.version + 1 };
}

/** Appends events to a session: numbers them and moves the session's event count. */
export function withEvents(session: Session, events: readonly NewSessionEvent[], recordedAt: string): SessionWrite {
  return {
    session: { ...session, eventCount: session.eventCount + events.length },
    events: sequenceEvents(session, events, recordedAt),
  };
}

/** A change of `before` into `next` with its events: one version bump, the events numbered after the log. */
export function advance(before: Session, next: Session, events: readonly NewSessionEvent[], now: string): SessionWrite {
  return withEvents(bump(before, { ...next, eventCount: before.eventCount }, now), events, now);
}
