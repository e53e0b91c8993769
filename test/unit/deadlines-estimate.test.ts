import { activeTimeMs, isOverdue, nextDeadline } from '../../shared/domain/deadlines';
import { estimateWaitMs } from '../../shared/domain/estimate';
import { applyWorkflowReport, dequeuedSession, queuedSession, startedSession, timedOut } from '../../shared/domain/lifecycle';
import { blockingScopes, queueChange } from '../../shared/domain/limits';
import { type Actor, replayStatus, type Session } from '../../shared/domain/session';
import { transition } from '../../shared/domain/transitions';
import { aConfig, anAssignment, coordinator } from '../support/builders';

const H = 3_600_000;
const M = 60_000;
const T0 = '2026-01-05T09:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const engine: Actor = { id: 'engine', role: 'service' };
const ctx = (ms: number) => ({ actor: { id: coordinator.id, role: 'coordinator' as const }, now: at(ms) });
const timeouts = { maxDurationMs: 8 * H, pauseTimeoutMs: 24 * H, queueTimeoutMs: 4 * H };
const config = aConfig({ maxDurationHours: 8 });
const input = { id: '00000000-0000-4000-8000-000000000009', storyId: 's', juniorId: 'j', storyTitle: 'S', juniorName: 'J', skillArea: 'typescript', timeouts, config };

function apply(session: Session, operation: 'pause' | 'resume', ms: number): Session {
  const outcome = transition(session, { operation }, ctx(ms));
  if (outcome.outcome !== 'changed') throw new Error(`${operation} did not apply`);
  return outcome.session;
}

describe('deadlines', () => {
  test('max duration counts Active time only: a pause freezes it', () => {
    let session = startedSession(input, anAssignment('mentor-1'), ctx(0), 'wf').session;
    expect(nextDeadline(session)).toEqual({ at: at(8 * H), kind: 'max_duration' });

    session = apply(session, 'pause', 3 * H);
    expect(activeTimeMs(session, at(10 * H))).toBe(3 * H);
    expect(nextDeadline(session)).toEqual({ at: at(27 * H), kind: 'pause_timeout' });

    session = apply(session, 'resume', 10 * H);
    // 5 h of active time left, counted from the resume.
    expect(nextDeadline(session)).toEqual({ at: at(15 * H), kind: 'max_duration' });
    expect(isOverdue(session, at(15 * H - 1))).toBe(false);
    expect(isOverdue(session, at(15 * H))).toBe(true);
  });

  test('a queued session is bounded by the queue timeout; a terminal one by nothing', () => {
    const queued = queuedSession(input, ['junior'], ctx(0)).session;
    expect(nextDeadline(queued)).toEqual({ at: at(4 * H), kind: 'queue_timeout' });
    const cancelled = transition(queued, { operation: 'cancel', reason: 'x' }, ctx(M));
    expect(cancelled.outcome === 'changed' && nextDeadline(cancelled.session)).toBeUndefined();
  });

  test('timedOut cancels by the system with the limit named, and only once due', () => {
    // The workflow last reported at 7 h 45 min: its next check-in (8 h 15 min) is past the deadline,
    // so the timeout is the only thing due.
    const started = startedSession(input, anAssignment('mentor-1'), ctx(0), 'wf').session;
    const heard = applyWorkflowReport(started, { type: 'progress_update', eventId: 'e-1', occurredAt: at(7.75 * H) }, engine, at(7.75 * H));
    if (heard.outcome !== 'recorded') throw new Error('report not recorded');
    const session = heard.write.session;
    expect(timedOut(session, at(8 * H - 1))).toBeUndefined();
    const write = timedOut(session, at(8 * H))!;
    expect(write.session).toMatchObject({ status: 'Cancelled', cancelReason: 'timeout', currentState: 'TIMEOUT', activeMs: 8 * H });
    expect(write.events).toEqual([
      expect.objectContaining({
        type: 'session_timed_out',
        actor: 'system',
        actorRole: 'system',
        reason: 'timeout',
        fromStatus: 'Active',
        toStatus: 'Cancelled',
        data: { limit: 'max_duration', deadline: at(8 * H) },
      }),
    ]);
  });

  // KNOWN BUG in shared/domain/lifecycle.ts `timedOut`: since transition() prepends the check-ins
  // missed before leaving Active, `outcome.events.map(...)` turns every one of them (and their
  // escalations) into a `session_timed_out` event with toState TIMEOUT and the deadline's data.
  // This test states the intended log; it is marked `failing` until that is fixed: then drop `.failing`.
  test('a timeout after silent hours records the missed check-ins as such, then one session_timed_out', () => {
    const session = startedSession(input, anAssignment('mentor-1'), ctx(0), 'wf').session;
    const write = timedOut(session, at(8 * H))!;
    const system = { sessionId: input.id, actor: 'system', actorRole: 'system', recordedAt: at(8 * H) };
    const seq = () => session.eventCount + expected.length + 1;
    // Check-ins fall due every 30 minutes of active time; the one at 8 h is the timeout's.
    const expected: unknown[] = [];
    const audiences: Record<number, string> = { 1: 'junior', 2: 'mentor', 3: 'coordinators' };
    for (let missed = 1; missed <= 15; missed += 1) {
      const occurredAt = at(missed * 30 * M);
      expected.push({ ...system, seq: seq(), type: 'check_in_missed', occurredAt, data: { missed, intervalMinutes: 30, activeMs: missed * 30 * M } });
      const audience = audiences[missed];
      if (audience !== undefined) {
        expected.push({
          ...system,
          seq: seq(),
          type: 'escalation_triggered',
          occurredAt,
          reason: 'check_in_missed',
          data: { audience, policy: 'progressive', level: missed },
        });
      }
    }
    expected.push(
      expect.objectContaining({
        ...system,
        seq: seq(),
        type: 'session_timed_out',
        occurredAt: at(8 * H),
        reason: 'timeout',
        fromStatus: 'Active',
        toStatus: 'Cancelled',
        toState: 'TIMEOUT',
        data: { limit: 'max_duration', deadline: at(8 * H) },
      }),
    );
    expect(expected).toHaveLength(19);
    expect(write.events).toEqual(expected);
    expect(write.session).toMatchObject({
      status: 'Cancelled',
      currentState: 'TIMEOUT',
      checkIn: { nextActiveMs: 8 * H, missed: 15 },
      eventCount: session.eventCount + expected.length,
    });
  });

  test('a dequeued session starts its clocks with the assigned mentor and its log still replays', () => {
    const queued = queuedSession({ ...input, mentorRequest: { mentorId: 'mentor-2', fallbackToAuto: true } }, ['system'], ctx(0));
    expect(queued.session.mentorRequest).toEqual({ mentorId: 'mentor-2', fallbackToAuto: true });
    expect(queued.session).not.toHaveProperty('mentorId');
    expect(queued.events[0]?.data).toEqual({ blockedBy: ['system'], requestedMentorId: 'mentor-2' });

    const assignment = anAssignment('mentor-1', { mode: 'fallback_to_auto', strategy: 'workload_balanced', requestedMentorId: 'mentor-2' });
    const started = dequeuedSession(queued.session, assignment, at(30 * M));
    expect(started.session).toMatchObject({
      status: 'Active',
      activeMs: 0,
      activeSince: at(30 * M),
      currentState: 'INIT_STORY_PROCESSING',
      mentorId: 'mentor-1',
      assignment,
      checkIn: { nextActiveMs: 30 * M, missed: 0 },
    });
    expect(started.session).not.toHaveProperty('mentorRequest');
    expect(started.events).toHaveLength(2);
    expect(started.events[0]).toMatchObject({ type: 'session_dequeued', seq: 2, actor: 'system', data: { waitedMs: 30 * M, mentorId: 'mentor-1' } });
    expect(started.events[1]).toMatchObject({ type: 'mentor_assigned', seq: 3, actor: 'system', actorRole: 'system', reason: 'fallback_to_auto' });
    expect(started.events[1]?.data).toEqual(assignment);
    expect(started.session.eventCount).toBe(3);
    expect(replayStatus([...queued.events, ...started.events])).toBe('Active');
  });
});

describe('limits', () => {
  test('queueChange: entering Queued adds one, leaving removes one', () => {
    expect(queueChange(undefined, 'Queued')).toBe('enter');
    expect(queueChange('Queued', 'Active')).toBe('leave');
    expect(queueChange('Queued', 'Cancelled')).toBe('leave');
    expect(queueChange('Active', 'Paused')).toBe('none');
    expect(queueChange(undefined, 'Active')).toBe('none');
  });

  test('blockingScopes names every full limit, the mentor only when there is one', () => {
    const limits = { junior: 1, mentor: 3, system: 50 };
    expect(blockingScopes({ junior: 0, mentor: 2, system: 49 }, limits, true)).toEqual([]);
    expect(blockingScopes({ junior: 1, mentor: 3, system: 50 }, limits, true)).toEqual(['junior', 'mentor', 'system']);
    expect(blockingScopes({ junior: 0, mentor: 3, system: 0 }, limits, false)).toEqual([]);
  });
});

describe('estimateWaitMs', () => {
  const mean = 60 * M;

  test('nothing blocks: no wait', () => {
    expect(estimateWaitMs({ meanActiveMs: mean, blocking: {} })).toBe(0);
  });

  test('first in line for a junior slot: the holder finishes its mean duration', () => {
    expect(estimateWaitMs({ meanActiveMs: mean, blocking: { junior: { capacity: 1, ahead: 0, holdersActiveMs: [20 * M] } } })).toBe(40 * M);
  });

  test('a holder past the mean still has 10% of it to go', () => {
    expect(estimateWaitMs({ meanActiveMs: mean, blocking: { junior: { capacity: 1, ahead: 0, holdersActiveMs: [90 * M] } } })).toBe(6 * M);
  });

  test('k ahead among n slots: the (k mod n)-th release, plus floor(k/n) whole means', () => {
    const system = { capacity: 2, ahead: 3, holdersActiveMs: [50 * M, 10 * M] };
    // Remaining: 10 and 50 minutes; k = 3 -> slot 1 (50 min) + 1 mean (60 min).
    expect(estimateWaitMs({ meanActiveMs: mean, blocking: { system } })).toBe(110 * M);
  });

  test('several blocking limits: the largest wait wins', () => {
    const estimate = estimateWaitMs({
      meanActiveMs: mean,
      blocking: { junior: { capacity: 1, ahead: 0, holdersActiveMs: [55 * M] }, system: { capacity: 1, ahead: 1, holdersActiveMs: [0] } },
    });
    expect(estimate).toBe(120 * M);
  });
});
