import { ESCALATION_LADDERS, type EscalationAudience, missedCheckIns, nextCheckInAt, nextDueAt } from '../../shared/domain/check-ins';
import { applyWorkflowReport, startedSession, withEvents } from '../../shared/domain/lifecycle';
import type { Actor, NewSessionEvent, Session, SessionTimeouts } from '../../shared/domain/session';
import { type EscalationPolicy, hoursToMs, type SessionConfig } from '../../shared/domain/session-config';
import { type Command, transition } from '../../shared/domain/transitions';
import { aConfig, anAssignment } from '../support/builders';
import { aSessionIn, aStartInput, ctxAt, T0 } from './support';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** T0 plus some minutes. */
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * MIN).toISOString();
const engine: Actor = { id: 'engine', role: 'service' };

const QUICK_FIX = aConfig({ maxDurationHours: 2, checkInIntervalMinutes: 15, escalationPolicy: 'immediate' });
const STANDARD = aConfig({ maxDurationHours: 8, checkInIntervalMinutes: 30, escalationPolicy: 'progressive' });
const COMPLEX = aConfig({ maxDurationHours: 16, checkInIntervalMinutes: 60, escalationPolicy: 'relaxed' });

const timeoutsFor = (config: SessionConfig): SessionTimeouts => ({
  maxDurationMs: hoursToMs(config.maxDurationHours),
  pauseTimeoutMs: 24 * HOUR,
  queueTimeoutMs: 4 * HOUR,
});

/** A session started at `minute` (T0 by default) with the config and its time limits: Active, both clocks running. */
function started(config: SessionConfig, minute = 0): Session {
  return startedSession(aStartInput({ config, timeouts: timeoutsFor(config) }), anAssignment('mentor-1'), ctxAt(at(minute))).session;
}

/** Applies a lifecycle command at a minute through the real transition, as the service does. */
function apply(session: Session, command: Command, minute: number): Session {
  const outcome = transition(session, command, ctxAt(at(minute)));
  if (outcome.outcome !== 'changed') throw new Error(`${command.operation} at ${minute} min was ${outcome.outcome}`);
  return withEvents(outcome.session, outcome.events, at(minute)).session;
}
const pause = (session: Session, minute: number) => apply(session, { operation: 'pause', reason: 'lunch' }, minute);
const resume = (session: Session, minute: number) => apply(session, { operation: 'resume' }, minute);

/** An engine report at a minute (any word from the workflow). */
function report(session: Session, minute: number): Session {
  const outcome = applyWorkflowReport(session, { type: 'progress_update', eventId: `ev-${minute}`, occurredAt: at(minute) }, engine, at(minute));
  if (outcome.outcome !== 'recorded') throw new Error('report rejected');
  return outcome.write.session;
}

/** One sweep at a minute: the events it records (none: []) and the session as written. */
function sweep(session: Session, minute: number): { session: Session; events: NewSessionEvent[] } {
  const missed = missedCheckIns(session, at(minute));
  if (missed === undefined) return { session, events: [] };
  return { session: withEvents(missed.session, missed.events, at(minute)).session, events: missed.events };
}

const missedEvent = (missed: number, minute: number, config: SessionConfig, activeMinutes: number): NewSessionEvent => ({
  type: 'check_in_missed',
  occurredAt: at(minute),
  actor: 'system',
  actorRole: 'system',
  data: { missed, intervalMinutes: config.checkInIntervalMinutes, activeMs: activeMinutes * MIN },
});
const escalationEvent = (audience: EscalationAudience, policy: EscalationPolicy, level: number, minute: number): NewSessionEvent => ({
  type: 'escalation_triggered',
  occurredAt: at(minute),
  actor: 'system',
  actorRole: 'system',
  reason: 'check_in_missed',
  data: { audience, policy, level },
});
/** The events of the nth miss at a minute, per the ladders. */
function missEvents(n: number, minute: number, config: SessionConfig, activeMinutes: number): NewSessionEvent[] {
  const audience = EXPECTED_LADDERS[config.escalationPolicy][n];
  return [missedEvent(n, minute, config, activeMinutes), ...(audience === undefined ? [] : [escalationEvent(audience, config.escalationPolicy, n, minute)])];
}

/** The ladders, written out independently of the code's table. */
const EXPECTED_LADDERS: Record<EscalationPolicy, Record<number, EscalationAudience>> = {
  immediate: { 1: 'mentor' },
  progressive: { 1: 'junior', 2: 'mentor', 3: 'coordinators' },
  relaxed: { 3: 'mentor' },
};

const LADDERS = [
  { policy: 'immediate', config: QUICK_FIX },
  { policy: 'progressive', config: STANDARD },
  { policy: 'relaxed', config: COMPLEX },
] as const;

describe('ESCALATION_LADDERS', () => {
  test('immediate: mentor at the first miss; progressive: junior, mentor, coordinators; relaxed: mentor at the third', () => {
    // Assess
    expect(ESCALATION_LADDERS).toEqual(EXPECTED_LADDERS);
  });
});

describe('nextCheckInAt', () => {
  test('a started session is due one interval after the start', () => {
    // Prepare
    const session = started(STANDARD);

    // Act
    const next = nextCheckInAt(session);

    // Assess
    expect(next).toBe(at(30));
  });

  test('a paused session has no next check-in', () => {
    // Prepare
    const session = pause(started(STANDARD), 10);

    // Act
    const next = nextCheckInAt(session);

    // Assess
    expect(next).toBeUndefined();
  });

  test('after a resume, the time paused is not counted: due at resume + what was left', () => {
    // Prepare: 10 of 30 minutes used before a 60-minute pause.
    const session = resume(pause(started(STANDARD), 10), 70);

    // Act
    const next = nextCheckInAt(session);

    // Assess
    expect(next).toBe(at(90));
  });

  test.each(['Queued', 'Completed', 'Failed', 'Cancelled'] as const)('a %s session has no next check-in', (status) => {
    // Prepare
    const session = aSessionIn(status, { checkIn: { nextActiveMs: 30 * MIN, missed: 0 }, activeMs: 0 });

    // Act
    const next = nextCheckInAt(session);

    // Assess
    expect(next).toBeUndefined();
  });

  test('a workflow report restarts the clock from the report', () => {
    // Prepare
    const session = report(started(STANDARD), 20);

    // Act
    const next = nextCheckInAt(session);

    // Assess
    expect(next).toBe(at(50));
  });
});

describe('nextDueAt', () => {
  test('Active: the next check-in when it comes before the deadline', () => {
    // Act
    const due = nextDueAt(started(STANDARD));

    // Assess
    expect(due).toBe(at(30));
  });

  test('Active: the max-duration deadline when it comes before the next check-in', () => {
    // Prepare: 50 of 60 minutes used, next check-in at 60 active minutes + more.
    const session = aSessionIn('Active', {
      config: aConfig({ maxDurationHours: 1, checkInIntervalMinutes: 30 }),
      timeouts: timeoutsFor(aConfig({ maxDurationHours: 1 })),
      activeMs: 50 * MIN,
      activeSince: T0,
      checkIn: { nextActiveMs: 70 * MIN, missed: 0 },
    });

    // Act
    const due = nextDueAt(session);

    // Assess
    expect(due).toBe(at(10));
  });

  test('Paused: the pause timeout (no check-in while paused)', () => {
    // Prepare
    const session = pause(started(STANDARD), 10);

    // Act
    const due = nextDueAt(session);

    // Assess
    expect(due).toBe(at(10 + 24 * 60));
  });

  test('Queued: the queue timeout', () => {
    // Prepare
    const session = aSessionIn('Queued', { timeouts: timeoutsFor(STANDARD), enqueuedAt: T0 });

    // Act
    const due = nextDueAt(session);

    // Assess
    expect(due).toBe(at(4 * 60));
  });

  test('a terminal session has nothing due', () => {
    // Prepare
    const session = apply(started(STANDARD), { operation: 'cancel', reason: 'dropped' }, 5);

    // Act
    const due = nextDueAt(session);

    // Assess
    expect(due).toBeUndefined();
  });

  test('a session without time limits is due at its next check-in only', () => {
    // Prepare
    const { timeouts: _none, ...session } = started(STANDARD);

    // Act
    const due = nextDueAt(session);

    // Assess
    expect(due).toBe(at(30));
  });
});

describe('missedCheckIns: basics', () => {
  test('nothing is due before one interval has passed', () => {
    // Act
    const missed = missedCheckIns(started(STANDARD), at(29.99));

    // Assess
    expect(missed).toBeUndefined();
  });

  test('one interval with no workflow event: a check_in_missed at the instant it fell due, and the clock moves on', () => {
    // Prepare
    const session = started(STANDARD);

    // Act
    const missed = missedCheckIns(session, at(42));

    // Assess
    expect(missed).toStrictEqual({
      session: { ...session, checkIn: { nextActiveMs: 60 * MIN, missed: 1 }, updatedAt: at(42), version: session.version + 1 },
      events: [missedEvent(1, 30, STANDARD, 30), escalationEvent('junior', 'progressive', 1, 30)],
    });
  });

  test('exactly at the due instant the check-in is missed', () => {
    // Act
    const missed = missedCheckIns(started(STANDARD), at(30));

    // Assess
    expect(missed?.events.map((e) => e.occurredAt)).toEqual([at(30), at(30)]);
  });

  test('several missed intervals at once produce all their events, in order', () => {
    // Prepare
    const session = started(STANDARD);

    // Act
    const missed = missedCheckIns(session, at(130));

    // Assess
    expect(missed?.events).toStrictEqual([
      ...missEvents(1, 30, STANDARD, 30),
      ...missEvents(2, 60, STANDARD, 60),
      ...missEvents(3, 90, STANDARD, 90),
      ...missEvents(4, 120, STANDARD, 120),
    ]);
    expect(missed?.session.checkIn).toEqual({ nextActiveMs: 150 * MIN, missed: 4 });
  });

  test.each(['Queued', 'Completed', 'Cancelled'] as const)('a %s session misses nothing', (status) => {
    // Prepare
    const session = aSessionIn(status, { checkIn: { nextActiveMs: 30 * MIN, missed: 0 }, activeMs: 0, activeSince: T0 });

    // Act
    const missed = missedCheckIns(session, at(600));

    // Assess
    expect(missed).toBeUndefined();
  });

  test('a paused session misses nothing, however long the pause', () => {
    // Prepare
    const session = pause(started(STANDARD), 10);

    // Act
    const missed = missedCheckIns(session, at(10 + 23 * 60));

    // Assess
    expect(missed).toBeUndefined();
  });

  test('misses at or after the max-duration deadline are not recorded (the timeout handles them)', () => {
    // Prepare: 1 hour max, check-ins every 20 minutes: due at 20, 40, and 60 = the deadline.
    const config = aConfig({ maxDurationHours: 1, checkInIntervalMinutes: 20, escalationPolicy: 'progressive' });
    const session = started(config);

    // Act
    const first = missedCheckIns(session, at(180));
    const again = first === undefined ? undefined : missedCheckIns(first.session, at(240));

    // Assess
    expect(first?.events).toStrictEqual([...missEvents(1, 20, config, 20), ...missEvents(2, 40, config, 40)]);
    expect(first?.session.checkIn).toEqual({ nextActiveMs: 60 * MIN, missed: 2 });
    expect(again).toBeUndefined();
  });

  test('the deadline moves with a pause: a miss after the resume, before the moved deadline, is recorded; the one at it is not', () => {
    // Prepare: 1 hour max, 20-minute check-ins; paused from 30 to 90, so the deadline is at 120.
    const config = aConfig({ maxDurationHours: 1, checkInIntervalMinutes: 20, escalationPolicy: 'progressive' });
    const first = sweep(started(config), 20);
    const resumed = resume(pause(first.session, 30), 90);

    // Act
    const missed = missedCheckIns(resumed, at(300));

    // Assess
    expect(first.events).toStrictEqual(missEvents(1, 20, config, 20));
    expect(missed?.events).toStrictEqual(missEvents(2, 100, config, 40));
  });
});

describe.each(LADDERS)('the $policy ladder', ({ policy, config }) => {
  const I = config.checkInIntervalMinutes;

  test('with a moved clock: each interval without a workflow event is a miss, escalated at the ladder steps', () => {
    // Prepare
    let session = started(config);
    const perSweep: NewSessionEvent[][] = [];

    // Act: a sweep just before and at each of five due instants.
    for (let n = 1; n <= 5; n += 1) {
      const early = sweep(session, n * I - 0.001);
      perSweep.push(early.events);
      const due = sweep(early.session, n * I);
      perSweep.push(due.events);
      session = due.session;
    }

    // Assess
    expect(perSweep).toStrictEqual([1, 2, 3, 4, 5].flatMap((n) => [[], missEvents(n, n * I, config, n * I)]));
    expect(
      perSweep
        .flat()
        .filter((e) => e.type === 'escalation_triggered')
        .map((e) => e.data),
    ).toEqual(Object.entries(EXPECTED_LADDERS[policy]).map(([level, audience]) => ({ audience, policy, level: Number(level) })));
  });

  test('with a pause in the middle: paused time does not advance the clock, and the count of misses goes on after the resume', () => {
    // Prepare: the first miss at I; paused at 1.5 I for ten hours; resumed at 1.5 I + 600.
    const first = sweep(started(config), I);
    const pausedAt = 1.5 * I;
    const resumedAt = pausedAt + 600;
    const paused = pause(first.session, pausedAt);

    // Act
    const whilePaused = [2, 3, 4].map((n) => missedCheckIns(paused, at(n * I)));
    const pausedNext = nextCheckInAt(paused);
    const resumed = resume(paused, resumedAt);
    const resumedNext = nextCheckInAt(resumed);
    // Misses 2, 3 and 4 fall due at resume + 0.5 I, + 1.5 I, + 2.5 I (active 2 I, 3 I, 4 I).
    const beforeSecond = sweep(resumed, resumedAt + 0.5 * I - 0.001);
    const second = sweep(beforeSecond.session, resumedAt + 0.5 * I);
    const thirdAndFourth = sweep(second.session, resumedAt + 2.5 * I);

    // Assess
    expect(first.events).toStrictEqual(missEvents(1, I, config, I));
    expect(whilePaused).toEqual([undefined, undefined, undefined]);
    expect(pausedNext).toBeUndefined();
    expect(resumedNext).toBe(at(resumedAt + 0.5 * I));
    expect(beforeSecond.events).toEqual([]);
    expect(second.events).toStrictEqual(missEvents(2, resumedAt + 0.5 * I, config, 2 * I));
    expect(thirdAndFourth.events).toStrictEqual([...missEvents(3, resumedAt + 1.5 * I, config, 3 * I), ...missEvents(4, resumedAt + 2.5 * I, config, 4 * I)]);
  });

  test('a workflow report resets the clock and the count: the next miss is the first step again', () => {
    // Prepare: two misses recorded, then the engine reports at 2.5 I.
    const two = sweep(sweep(started(config), I).session, 2 * I);
    const reportedAt = 2.5 * I;
    const heard = report(two.session, reportedAt);

    // Act
    const justBefore = missedCheckIns(heard, at(reportedAt + I - 0.001));
    const next = sweep(heard, reportedAt + I);

    // Assess
    expect(heard.checkIn).toEqual({ nextActiveMs: (reportedAt + I) * MIN, missed: 0 });
    expect(justBefore).toBeUndefined();
    expect(next.events).toStrictEqual(missEvents(1, reportedAt + I, config, reportedAt + I));
  });

  test('a workflow report while paused resets the clock too, counted on active time', () => {
    // Prepare: paused at 0.5 I; the engine reports at 0.5 I + 30 (paused); resumed at 0.5 I + 60.
    const paused = pause(started(config), 0.5 * I);
    const heard = report(paused, 0.5 * I + 30);
    const resumed = resume(heard, 0.5 * I + 60);

    // Act
    const next = nextCheckInAt(resumed);
    const missed = sweep(resumed, 0.5 * I + 60 + I);

    // Assess
    expect(next).toBe(at(0.5 * I + 60 + I));
    expect(missed.events).toStrictEqual(missEvents(1, 0.5 * I + 60 + I, config, 1.5 * I));
  });
});

describe('a check-in that fell due before a pause', () => {
  test('is recorded by the pause itself, at the instant it fell due (not during the pause)', () => {
    // Prepare: due at 30; no sweep ran before the pause at 45.
    const running = started(STANDARD);

    // Act
    const outcome = transition(running, { operation: 'pause', reason: 'lunch' }, ctxAt(at(45)));

    // Assess
    if (outcome.outcome !== 'changed') throw new Error(`pause was ${outcome.outcome}`);
    expect(outcome.events.slice(0, -1)).toStrictEqual(missEvents(1, 30, STANDARD, 30));
    expect(outcome.events.at(-1)?.type).toBe('session_paused');
    expect(outcome.session.checkIn).toEqual({ nextActiveMs: 60 * 60_000, missed: 1 });
  });

  test('is not recorded again once running: the next falls due an interval of active time later', () => {
    // Prepare: paused at 45 (45 active minutes), resumed at 120.
    const resumed = resume(pause(started(STANDARD), 45), 120);

    // Act + Assess: 15 more active minutes to the next check-in.
    expect(missedCheckIns(resumed, at(134))).toBeUndefined();
    expect(missedCheckIns(resumed, at(135))?.events).toStrictEqual(missEvents(2, 135, STANDARD, 60));
  });
});
