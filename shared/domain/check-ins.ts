import { activeTimeMs, nextDeadline } from './deadlines';
import { type CheckInClock, type EscalationAudience, type NewSessionEvent, type Session, SYSTEM_ACTOR } from './model';
import { type EscalationPolicy, minutesToMs } from './session-config';
import { bump } from './session-write';

export type { CheckInClock, EscalationAudience } from './model';
/**
 * The ladders (issue 4): at which consecutive miss each policy escalates, and to whom.
 * `immediate`: the mentor at the first miss. `progressive`: remind the junior, then
 * the mentor at the second miss, then the coordinators at the third. `relaxed`: the
 * mentor after the third. Misses beyond a ladder's last step are recorded, not escalated.
 */
export const ESCALATION_LADDERS: Readonly<Record<EscalationPolicy, Readonly<Record<number, EscalationAudience>>>> = {
  immediate: { 1: 'mentor' },
  progressive: { 1: 'junior', 2: 'mentor', 3: 'coordinators' },
  relaxed: { 3: 'mentor' },
};

/** The clock of a session that has just started running (or just heard from its workflow). */
export function freshCheckIn(session: Pick<Session, 'config'>, activeUsedMs: number): CheckInClock {
  return { nextActiveMs: activeUsedMs + minutesToMs(session.config.checkInIntervalMinutes), missed: 0 };
}

/** When the next check-in falls due, while Active (pauses freeze the clock: a paused session has none). */
export function nextCheckInAt(session: Session): string | undefined {
  if (session.status !== 'Active' || session.activeSince === undefined || session.checkIn === undefined) return undefined;
  const remaining = session.checkIn.nextActiveMs - (session.activeMs ?? 0);
  return new Date(Date.parse(session.activeSince) + remaining).toISOString();
}

/** The earliest time something is due for the session: its deadline or its next check-in (the due index's key). */
export function nextDueAt(session: Session): string | undefined {
  const times = [nextDeadline(session)?.at, nextCheckInAt(session)].filter((t): t is string => t !== undefined);
  return times.length === 0 ? undefined : times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

/** Bounds one sweep's work on one session; the next sweep goes on. */
const MAX_MISSES_PER_SWEEP = 100;

/**
 * The check-ins missed by `now`: each is a `check_in_missed` event at the time it
 * fell due, followed by an `escalation_triggered` event when the policy's ladder
 * has a step at that miss. Misses at or after the max-duration deadline are the
 * timeout's, not the check-in's. Undefined when nothing is due.
 */
export function missedCheckIns(session: Session, now: string): { session: Session; events: NewSessionEvent[] } | undefined {
  if (session.status !== 'Active' || session.checkIn === undefined || session.activeSince === undefined) return undefined;
  const interval = minutesToMs(session.config.checkInIntervalMinutes);
  const deadline = nextDeadline(session);
  const nowMs = Date.parse(now);
  const activeAtNow = activeTimeMs(session, now);
  const ladder = ESCALATION_LADDERS[session.config.escalationPolicy];
  const events: NewSessionEvent[] = [];
  let clock = session.checkIn;
  while (clock.nextActiveMs <= activeAtNow && events.length < MAX_MISSES_PER_SWEEP * 2) {
    // A check-in that fell due in an earlier stretch (none should: leaving Active records them)
    // is dated at the start of this one, never inside a pause.
    const dueAt = Math.max(Date.parse(session.activeSince), Date.parse(session.activeSince) + clock.nextActiveMs - (session.activeMs ?? 0));
    if (deadline !== undefined && dueAt >= Date.parse(deadline.at)) break;
    if (dueAt > nowMs) break;
    const missed = clock.missed + 1;
    const occurredAt = new Date(dueAt).toISOString();
    const base = { occurredAt, actor: SYSTEM_ACTOR.id, actorRole: SYSTEM_ACTOR.role };
    events.push({
      ...base,
      type: 'check_in_missed',
      data: { missed, intervalMinutes: session.config.checkInIntervalMinutes, activeMs: clock.nextActiveMs },
    });
    const audience = ladder[missed];
    if (audience !== undefined) {
      events.push({
        ...base,
        type: 'escalation_triggered',
        reason: 'check_in_missed',
        data: { audience, policy: session.config.escalationPolicy, level: missed },
      });
    }
    clock = { nextActiveMs: clock.nextActiveMs + interval, missed };
  }
  if (events.length === 0) return undefined;
  return { session: bump(session, { ...session, checkIn: clock }, now), events };
}
