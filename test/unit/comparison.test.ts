import fc from 'fast-check';
import { compareSessions, type SessionWithEvents } from '../../shared/domain/comparison';
import { MENTORSHIP_STATES } from '../../shared/domain/mentorship-state';
import type { SessionEvent } from '../../shared/domain/session';
import { DEFAULT_NOTIFICATIONS } from '../../shared/domain/session-config';
import { aConfig, aSession } from '../support/builders';
import { aReport, T0 } from './support';

const MINUTE = 60_000;
const at = (minute: number): string => new Date(Date.parse(T0) + minute * MINUTE).toISOString();

function ev(sessionId: string, seq: number, minute: number, type: SessionEvent['type'], fields: Partial<SessionEvent> = {}): SessionEvent {
  return { sessionId, seq, type, occurredAt: at(minute), recordedAt: at(minute), actor: 'coord-1', actorRole: 'coordinator', ...fields };
}

/** Started at 0, PLAN_DECOMPOSITION at 20, paused 30-40, completed at 60 with score 88. */
function completedRun(): SessionWithEvents {
  const id = 's-a';
  return {
    session: aSession({
      id,
      status: 'Completed',
      currentState: 'COMPLETED',
      mentorId: 'm-1',
      createdAt: at(0),
      startedAt: at(0),
      endedAt: at(60),
      report: aReport({ overallScore: 88 }),
      config: aConfig(),
    }),
    events: [
      ev(id, 1, 0, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
      ev(id, 2, 0, 'mentor_assigned', { reason: 'manual', data: { mentorId: 'm-1' } }),
      ev(id, 3, 20, 'state_transition', { fromState: 'INIT_STORY_PROCESSING', toState: 'PLAN_DECOMPOSITION' }),
      ev(id, 4, 30, 'session_paused', { fromStatus: 'Active', toStatus: 'Paused', fromState: 'PLAN_DECOMPOSITION', toState: 'PAUSED' }),
      ev(id, 5, 40, 'session_resumed', { fromStatus: 'Paused', toStatus: 'Active', fromState: 'PAUSED', toState: 'PLAN_DECOMPOSITION' }),
      ev(id, 6, 60, 'session_completed', { fromStatus: 'Active', toStatus: 'Completed', fromState: 'PLAN_DECOMPOSITION', toState: 'COMPLETED' }),
    ],
  };
}

/** Queued 0-15, started at INIT_STORY_PROCESSING, cancelled at 45; a shorter, Slack-less config. */
function cancelledRun(): SessionWithEvents {
  const id = 's-b';
  return {
    session: aSession({
      id,
      storyId: 'story-2',
      status: 'Cancelled',
      currentState: 'CANCELLED',
      mentorId: 'm-2',
      createdAt: at(0),
      startedAt: at(15),
      endedAt: at(45),
      cancelReason: 'story withdrawn',
      config: aConfig({ maxDurationHours: 4, qualityTierOverride: 3, notifications: { ...DEFAULT_NOTIFICATIONS, slackEnabled: false } }),
    }),
    events: [
      ev(id, 1, 0, 'session_queued', { toStatus: 'Queued' }),
      ev(id, 2, 15, 'session_dequeued', { fromStatus: 'Queued', toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
      ev(id, 3, 15, 'mentor_assigned', { reason: 'auto', data: { mentorId: 'm-2', strategy: 'skill_matched' } }),
      ev(id, 4, 30, 'blocker_detected', { actor: 'engine', actorRole: 'service' }),
      ev(id, 5, 45, 'session_cancelled', {
        fromStatus: 'Active',
        toStatus: 'Cancelled',
        fromState: 'INIT_STORY_PROCESSING',
        toState: 'CANCELLED',
        reason: 'story withdrawn',
      }),
    ],
  };
}

describe('compareSessions', () => {
  test('two ended sessions side by side, every field', () => {
    // Prepare
    const a = completedRun();
    const b = cancelledRun();

    // Act
    const comparison = compareSessions(a, b, at(999));

    // Assess
    expect(comparison).toEqual({
      a: {
        sessionId: 's-a',
        storyId: 'story-1',
        juniorId: 'junior-1',
        mentorId: 'm-1',
        outcome: { status: 'Completed' },
        overallScore: 88,
        durationsMs: { total: 60 * MINUTE, active: 50 * MINUTE, queued: 0, paused: 10 * MINUTE },
        timePerStateMs: { INIT_STORY_PROCESSING: 20 * MINUTE, PLAN_DECOMPOSITION: 30 * MINUTE, PAUSED: 10 * MINUTE },
        statusBreakdown: { queuedMs: 0, activeMs: 50 * MINUTE, pausedMs: 10 * MINUTE, pauseCount: 1, longestPauseMs: 10 * MINUTE },
        eventCounts: { session_started: 1, mentor_assigned: 1, state_transition: 1, session_paused: 1, session_resumed: 1, session_completed: 1 },
      },
      b: {
        sessionId: 's-b',
        storyId: 'story-2',
        juniorId: 'junior-1',
        mentorId: 'm-2',
        outcome: { status: 'Cancelled', cancelReason: 'story withdrawn' },
        durationsMs: { total: 45 * MINUTE, active: 30 * MINUTE, queued: 15 * MINUTE, paused: 0 },
        timePerStateMs: { INIT_STORY_PROCESSING: 30 * MINUTE },
        statusBreakdown: { queuedMs: 15 * MINUTE, activeMs: 30 * MINUTE, pausedMs: 0, pauseCount: 0, longestPauseMs: 0 },
        eventCounts: { session_queued: 1, session_dequeued: 1, mentor_assigned: 1, blocker_detected: 1, session_cancelled: 1 },
      },
      configDifferences: [
        { field: 'maxDurationHours', a: 8, b: 4 },
        { field: 'qualityTierOverride', a: null, b: 3 },
        { field: 'notifications.slackEnabled', a: true, b: false },
      ],
      durationDifferencesMs: { total: -15 * MINUTE, active: -20 * MINUTE, queued: 15 * MINUTE, paused: -10 * MINUTE },
      stateDifferencesMs: { INIT_STORY_PROCESSING: 10 * MINUTE, PLAN_DECOMPOSITION: -30 * MINUTE, PAUSED: -10 * MINUTE },
    });
  });

  test('a failed session shows its error; an open one counts up to now and has no score', () => {
    // Prepare
    const failed: SessionWithEvents = {
      session: aSession({ id: 's-f', status: 'Failed', currentState: 'FAILED', createdAt: at(0), endedAt: at(5), error: 'workflow faulted' }),
      events: [
        ev('s-f', 1, 0, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
        ev('s-f', 2, 5, 'session_failed', { fromStatus: 'Active', toStatus: 'Failed', fromState: 'INIT_STORY_PROCESSING', toState: 'FAILED' }),
      ],
    };
    const open: SessionWithEvents = {
      session: aSession({ id: 's-o', createdAt: at(0), currentState: 'INIT_STORY_PROCESSING' }),
      events: [ev('s-o', 1, 0, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' })],
    };

    // Act
    const comparison = compareSessions(failed, open, at(25));

    // Assess
    expect(comparison.a.outcome).toEqual({ status: 'Failed', error: 'workflow faulted' });
    expect(comparison.b.outcome).toEqual({ status: 'Active' });
    expect(comparison.b.overallScore).toBeUndefined();
    expect(comparison.b.durationsMs).toEqual({ total: 25 * MINUTE, active: 25 * MINUTE, queued: 0, paused: 0 });
    expect(comparison.configDifferences).toEqual([]);
    expect(comparison.stateDifferencesMs).toEqual({ INIT_STORY_PROCESSING: 20 * MINUTE });
  });

  test('swapping the sessions swaps the columns and negates the differences', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 600 }), (swapFirst, nowMinute) => {
        // Prepare
        const [a, b] = swapFirst ? [cancelledRun(), completedRun()] : [completedRun(), cancelledRun()];

        // Act
        const forward = compareSessions(a, b, at(nowMinute));
        const backward = compareSessions(b, a, at(nowMinute));

        // Assess
        expect(backward.a).toEqual(forward.b);
        expect(backward.b).toEqual(forward.a);
        expect(backward.configDifferences).toEqual(forward.configDifferences.map(({ field, a: left, b: right }) => ({ field, a: right, b: left })));
        for (const key of ['total', 'active', 'queued', 'paused'] as const) {
          expect(backward.durationDifferencesMs[key]).toBe(-forward.durationDifferencesMs[key]);
        }
        for (const state of MENTORSHIP_STATES) {
          const ms = forward.stateDifferencesMs[state];
          expect(backward.stateDifferencesMs[state]).toBe(ms === undefined ? undefined : -ms);
        }
      }),
      { numRuns: 50 },
    );
  });

  test('a session compared with itself differs in nothing', () => {
    // Prepare
    const a = completedRun();

    // Act
    const comparison = compareSessions(a, a, at(999));

    // Assess
    expect(comparison.a).toEqual(comparison.b);
    expect(comparison.configDifferences).toEqual([]);
    expect(comparison.durationDifferencesMs).toEqual({ total: 0, active: 0, queued: 0, paused: 0 });
    expect(comparison.stateDifferencesMs).toEqual({ INIT_STORY_PROCESSING: 0, PLAN_DECOMPOSITION: 0, PAUSED: 0 });
  });
});
