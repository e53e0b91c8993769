import fc from 'fast-check';
import { missedCheckIns } from '../../shared/domain/check-ins';
import { startedSession, withEvents } from '../../shared/domain/lifecycle';
import type { SessionEvent } from '../../shared/domain/session';
import { sessionServiceReport } from '../../shared/domain/session-report';
import { buildTimeline } from '../../shared/domain/timeline';
import { transition } from '../../shared/domain/transitions';
import { anAssignment, aSession } from '../support/builders';
import { aReport, aStartInput, T0 } from './support';

const MINUTE = 60_000;
const at = (minute: number): string => new Date(Date.parse(T0) + minute * MINUTE).toISOString();
const engine = { actor: 'engine', actorRole: 'service' } as const;

function ev(seq: number, minute: number, type: SessionEvent['type'], fields: Partial<SessionEvent> = {}): SessionEvent {
  return { sessionId: 's-1', seq, type, occurredAt: at(minute), recordedAt: at(minute), ...engine, ...fields };
}

/** A completed session with two blockers (one resolved), escalations of both kinds, a missed check-in and a late report. */
function eventfulLog(): SessionEvent[] {
  return [
    ev(1, 0, 'session_started', { actor: 'coord-1', actorRole: 'coordinator', toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
    ev(2, 10, 'state_transition', { fromState: 'INIT_STORY_PROCESSING', toState: 'START_IMPLEMENTATION' }),
    ev(3, 15, 'blocker_detected'),
    ev(4, 16, 'state_transition', { fromState: 'START_IMPLEMENTATION', toState: 'DIAGNOSE_BLOCKER' }),
    ev(5, 20, 'blocker_resolved'),
    ev(6, 25, 'blocker_detected'),
    ev(7, 30, 'escalated_to_senior'),
    ev(8, 40, 'check_in_missed', { actor: 'system', actorRole: 'system', data: { missed: 1 } }),
    ev(9, 40, 'escalation_triggered', { actor: 'system', actorRole: 'system', reason: 'check_in_missed', data: { audience: 'junior', level: 1 } }),
    ev(10, 45, 'session_paused', {
      actor: 'coord-1',
      actorRole: 'coordinator',
      fromStatus: 'Active',
      toStatus: 'Paused',
      fromState: 'DIAGNOSE_BLOCKER',
      toState: 'PAUSED',
    }),
    ev(11, 50, 'state_transition', { fromState: 'DIAGNOSE_BLOCKER', toState: 'PROVIDE_HINT', data: { whilePaused: true } }),
    ev(12, 55, 'session_resumed', { actor: 'coord-1', actorRole: 'coordinator', fromStatus: 'Paused', toStatus: 'Active', fromState: 'PAUSED', toState: 'PROVIDE_HINT' }),
    ev(13, 5, 'state_transition', { data: { reportedState: 'VALIDATE_STORY', late: true } }),
    ev(14, 70, 'session_completed', {
      fromStatus: 'Active',
      toStatus: 'Completed',
      fromState: 'PROVIDE_HINT',
      toState: 'COMPLETED',
      data: { report: aReport({ overallScore: 91 }) },
    }),
  ];
}

describe('sessionServiceReport', () => {
  test('every figure of a completed session, in exact milliseconds', () => {
    // Prepare
    const session = aSession({ id: 's-1', status: 'Completed', currentState: 'COMPLETED', createdAt: at(0), endedAt: at(70), report: aReport({ overallScore: 91 }) });

    // Act
    const report = sessionServiceReport(session, eventfulLog(), at(999));

    // Assess
    expect(report).toEqual({
      timePerStateMs: {
        INIT_STORY_PROCESSING: 10 * MINUTE,
        START_IMPLEMENTATION: 6 * MINUTE,
        DIAGNOSE_BLOCKER: 29 * MINUTE,
        PAUSED: 10 * MINUTE,
        PROVIDE_HINT: 15 * MINUTE,
      },
      statusBreakdown: { queuedMs: 0, activeMs: 60 * MINUTE, pausedMs: 10 * MINUTE, pauseCount: 1, longestPauseMs: 10 * MINUTE },
      pauseCount: 1,
      blockersDetected: 2,
      blockersResolved: 1,
      escalations: 2,
      checkInsMissed: 1,
      stateTransitions: 3,
      lateStateReports: 1,
      engineScore: 91,
    });
  });

  test('the engine score falls back to the completion event when the session has no report yet', () => {
    // Prepare: the report is computed from the write that completes, before the session is stored
    const session = aSession({ id: 's-1', status: 'Completed', currentState: 'COMPLETED', createdAt: at(0), endedAt: at(70) });

    // Act
    const report = sessionServiceReport(session, eventfulLog(), at(999));

    // Assess
    expect(report.engineScore).toBe(91);
  });

  test('no score anywhere: the field is left out; an empty log counts nothing', () => {
    // Prepare
    const session = aSession({ id: 's-1', createdAt: at(0), currentState: 'PLAN_DECOMPOSITION' });

    // Act
    const report = sessionServiceReport(session, [], at(30));

    // Assess
    expect(report).toEqual({
      timePerStateMs: { PLAN_DECOMPOSITION: 30 * MINUTE },
      statusBreakdown: { queuedMs: 0, activeMs: 30 * MINUTE, pausedMs: 0, pauseCount: 0, longestPauseMs: 0 },
      pauseCount: 0,
      blockersDetected: 0,
      blockersResolved: 0,
      escalations: 0,
      checkInsMissed: 0,
      stateTransitions: 0,
      lateStateReports: 0,
    });
  });

  test('on a log the domain writes: check-ins missed before a completion are counted, with their escalations', () => {
    // Prepare: progressive policy, 30-minute check-ins, nobody checks in for 95 minutes
    const ctx = { actor: { id: 'coord-1', role: 'coordinator' as const }, now: T0 };
    const start = startedSession(aStartInput(), anAssignment('mentor-1'), ctx, 'wf-1');
    const completion = transition(
      start.session,
      { operation: 'complete', report: aReport({ overallScore: 70 }) },
      { actor: { id: 'engine', role: 'service' }, now: at(95) },
    );
    if (completion.outcome !== 'changed') throw new Error(`complete was ${completion.outcome}`);
    const write = withEvents(completion.session, completion.events, at(95));
    const events = [...start.events, ...write.events];

    // Act
    const report = sessionServiceReport(write.session, events, at(95));

    // Assess
    expect(missedCheckIns(start.session, at(95))?.events.filter((e) => e.type === 'check_in_missed')).toHaveLength(3);
    expect(report.checkInsMissed).toBe(3);
    expect(report.escalations).toBe(3);
    expect(report.engineScore).toBe(70);
    expect(report.statusBreakdown.activeMs).toBe(95 * MINUTE);
    expect(report.timePerStateMs).toEqual({ INIT_STORY_PROCESSING: 95 * MINUTE });
  });

  test("its time figures are the timeline's, whatever order the events come in", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(eventfulLog(), { minLength: 14, maxLength: 14 }), fc.integer({ min: 0, max: 600 }), (shuffled, nowMinute) => {
        // Prepare
        const session = aSession({ id: 's-1', status: 'Completed', createdAt: at(0), endedAt: at(70) });

        // Act
        const report = sessionServiceReport(session, shuffled, at(nowMinute));

        // Assess
        const timeline = buildTimeline(session, eventfulLog(), at(nowMinute));
        expect(report.timePerStateMs).toEqual(timeline.timePerStateMs);
        expect(report.statusBreakdown).toEqual(timeline.statusBreakdown);
        expect(report.engineScore).toBe(91);
        expect(report.stateTransitions).toBe(3);
      }),
      { numRuns: 100 },
    );
  });
});
