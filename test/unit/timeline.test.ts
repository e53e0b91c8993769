import fc from 'fast-check';
import { activeTimeMs } from '../../shared/domain/deadlines';
import { applyWorkflowReport, dequeuedSession, queuedSession, startedSession, timedOut, withEvents } from '../../shared/domain/lifecycle';
import { ENGINE_REPORTABLE_STATES, type MentorshipState } from '../../shared/domain/mentorship-state';
import type { Actor, Session, SessionEvent } from '../../shared/domain/session';
import { isTerminal } from '../../shared/domain/status';
import { buildTimeline, describeEvent, type SessionTimeline } from '../../shared/domain/timeline';
import { type Command, transition } from '../../shared/domain/transitions';
import { anAssignment, aSession } from '../support/builders';
import { aReport, aStartInput, T0 } from './support';

const MINUTE = 60_000;
const at = (minute: number): string => new Date(Date.parse(T0) + minute * MINUTE).toISOString();
const SESSION_ID = '00000000-0000-4000-8000-000000000001';

/** An event `minute` minutes after T0; fields default to a coordinator acting. */
function ev(seq: number, minute: number, type: SessionEvent['type'], fields: Partial<SessionEvent> = {}): SessionEvent {
  return { sessionId: SESSION_ID, seq, type, occurredAt: at(minute), recordedAt: at(minute), actor: 'coord-1', actorRole: 'coordinator', ...fields };
}
const engine = { actor: 'engine', actorRole: 'service' } as const;
const system = { actor: 'system', actorRole: 'system' } as const;

/** Queued 10 min, runs, pauses for lunch (the engine moves on meanwhile), a late report, completes at minute 120. */
function queuedPausedCompleted(): { session: Session; events: SessionEvent[] } {
  const session = aSession({
    status: 'Completed',
    currentState: 'COMPLETED',
    mentorId: 'm-2',
    createdAt: at(0),
    startedAt: at(10),
    endedAt: at(120),
    report: aReport({ overallScore: 88 }),
    eventCount: 12,
  });
  const events = [
    ev(1, 0, 'session_queued', { toStatus: 'Queued', data: { blockedBy: ['mentor'] } }),
    ev(2, 10, 'session_dequeued', { ...system, fromStatus: 'Queued', toStatus: 'Active', toState: 'INIT_STORY_PROCESSING', data: { waitedMs: 10 * MINUTE } }),
    ev(3, 10, 'mentor_assigned', { ...system, reason: 'auto', data: { mode: 'auto', mentorId: 'm-2', strategy: 'workload_balanced', candidates: [] } }),
    ev(4, 20, 'state_transition', { ...engine, fromState: 'INIT_STORY_PROCESSING', toState: 'PLAN_DECOMPOSITION', externalId: 'e-1' }),
    ev(5, 25, 'progress_update', { ...engine, data: { message: 'tests green', secret: 'DATA-BLOB' } }),
    ev(6, 30, 'session_paused', { actor: 'u-1', fromStatus: 'Active', toStatus: 'Paused', fromState: 'PLAN_DECOMPOSITION', toState: 'PAUSED', reason: 'lunch' }),
    ev(7, 40, 'state_transition', { ...engine, fromState: 'PLAN_DECOMPOSITION', toState: 'REVIEW_PLAN', data: { whilePaused: true } }),
    ev(8, 60, 'session_resumed', { actor: 'u-1', fromStatus: 'Paused', toStatus: 'Active', fromState: 'PAUSED', toState: 'REVIEW_PLAN' }),
    // The engine's report from minute 15 arrives at minute 70: late, it moves nothing.
    ev(9, 15, 'state_transition', { ...engine, recordedAt: at(70), data: { reportedState: 'PLAN_DECOMPOSITION', late: true } }),
    ev(10, 75, 'blocker_detected', { ...engine, data: { message: 'flaky test' } }),
    ev(11, 80, 'state_transition', { ...engine, fromState: 'REVIEW_PLAN', toState: 'START_IMPLEMENTATION' }),
    ev(12, 120, 'session_completed', {
      ...engine,
      fromStatus: 'Active',
      toStatus: 'Completed',
      fromState: 'START_IMPLEMENTATION',
      toState: 'COMPLETED',
      data: { report: aReport({ overallScore: 88 }) },
    }),
  ];
  return { session, events };
}

describe('buildTimeline: a session queued, paused and completed', () => {
  test('every field of the timeline, in exact milliseconds', () => {
    // Prepare
    const { session, events } = queuedPausedCompleted();

    // Act
    const timeline = buildTimeline(session, events, at(500));

    // Assess
    const { entries, ...summary } = timeline;
    expect(summary).toEqual({
      sessionId: SESSION_ID,
      startTime: at(0),
      startedAt: at(10),
      endTime: at(120),
      asOf: at(120),
      totalDurationMs: 120 * MINUTE,
      timePerStateMs: {
        INIT_STORY_PROCESSING: 10 * MINUTE,
        PLAN_DECOMPOSITION: 10 * MINUTE,
        PAUSED: 30 * MINUTE,
        REVIEW_PLAN: 20 * MINUTE,
        START_IMPLEMENTATION: 40 * MINUTE,
      },
      statusBreakdown: { queuedMs: 10 * MINUTE, activeMs: 80 * MINUTE, pausedMs: 30 * MINUTE, pauseCount: 1, longestPauseMs: 30 * MINUTE },
    });
    expect(entries).toEqual([
      {
        seq: 1,
        timestamp: at(0),
        eventType: 'session_queued',
        toStatus: 'Queued',
        actor: 'coord-1',
        actorRole: 'coordinator',
        description: 'Queued by coord-1, waiting for a free slot: mentor',
        durationInStateMs: 10 * MINUTE,
      },
      {
        seq: 2,
        timestamp: at(10),
        eventType: 'session_dequeued',
        fromStatus: 'Queued',
        toStatus: 'Active',
        toState: 'INIT_STORY_PROCESSING',
        actor: 'system',
        actorRole: 'system',
        description: 'Left the queue, started at INIT_STORY_PROCESSING',
        durationInStateMs: 10 * MINUTE,
      },
      {
        seq: 3,
        timestamp: at(10),
        eventType: 'mentor_assigned',
        actor: 'system',
        actorRole: 'system',
        description: 'Mentor m-2 assigned (workload_balanced)',
        durationInStateMs: 10 * MINUTE,
      },
      {
        seq: 4,
        timestamp: at(20),
        eventType: 'state_transition',
        fromState: 'INIT_STORY_PROCESSING',
        toState: 'PLAN_DECOMPOSITION',
        actor: 'engine',
        actorRole: 'service',
        description: 'State INIT_STORY_PROCESSING -> PLAN_DECOMPOSITION',
        durationInStateMs: 10 * MINUTE,
      },
      {
        seq: 5,
        timestamp: at(25),
        eventType: 'progress_update',
        actor: 'engine',
        actorRole: 'service',
        description: 'Progress update: tests green',
        durationInStateMs: 5 * MINUTE,
      },
      {
        seq: 6,
        timestamp: at(30),
        eventType: 'session_paused',
        fromStatus: 'Active',
        toStatus: 'Paused',
        fromState: 'PLAN_DECOMPOSITION',
        toState: 'PAUSED',
        actor: 'u-1',
        actorRole: 'coordinator',
        description: 'Paused by u-1: lunch',
        durationInStateMs: 30 * MINUTE,
      },
      {
        seq: 7,
        timestamp: at(40),
        eventType: 'state_transition',
        fromState: 'PLAN_DECOMPOSITION',
        toState: 'REVIEW_PLAN',
        actor: 'engine',
        actorRole: 'service',
        description: 'State PLAN_DECOMPOSITION -> REVIEW_PLAN while paused (resume returns there)',
        durationInStateMs: 20 * MINUTE,
      },
      {
        seq: 8,
        timestamp: at(60),
        eventType: 'session_resumed',
        fromStatus: 'Paused',
        toStatus: 'Active',
        fromState: 'PAUSED',
        toState: 'REVIEW_PLAN',
        actor: 'u-1',
        actorRole: 'coordinator',
        description: 'Resumed by u-1 at REVIEW_PLAN',
        durationInStateMs: 20 * MINUTE,
      },
      // Its own instant (minute 15) is before the entry ahead of it: it counts from minute 60.
      {
        seq: 9,
        timestamp: at(15),
        eventType: 'state_transition',
        actor: 'engine',
        actorRole: 'service',
        description: 'Late report ignored: PLAN_DECOMPOSITION (state unchanged)',
        durationInStateMs: 20 * MINUTE,
      },
      {
        seq: 10,
        timestamp: at(75),
        eventType: 'blocker_detected',
        actor: 'engine',
        actorRole: 'service',
        description: 'Blocker detected: flaky test',
        durationInStateMs: 5 * MINUTE,
      },
      {
        seq: 11,
        timestamp: at(80),
        eventType: 'state_transition',
        fromState: 'REVIEW_PLAN',
        toState: 'START_IMPLEMENTATION',
        actor: 'engine',
        actorRole: 'service',
        description: 'State REVIEW_PLAN -> START_IMPLEMENTATION',
        durationInStateMs: 40 * MINUTE,
      },
      {
        seq: 12,
        timestamp: at(120),
        eventType: 'session_completed',
        fromStatus: 'Active',
        toStatus: 'Completed',
        fromState: 'START_IMPLEMENTATION',
        toState: 'COMPLETED',
        actor: 'engine',
        actorRole: 'service',
        description: 'Completed by engine, score 88',
        durationInStateMs: 0,
      },
    ]);
  });

  test('the order events are passed in does not matter: entries come out in seq order', () => {
    // Prepare
    const { session, events } = queuedPausedCompleted();

    // Act
    const timeline = buildTimeline(session, [...events].reverse(), at(500));

    // Assess
    expect(timeline).toEqual(buildTimeline(session, events, at(500)));
    expect(timeline.entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('descriptions never carry the raw data', () => {
    // Prepare
    const { session, events } = queuedPausedCompleted();

    // Act
    const descriptions = buildTimeline(session, events, at(500)).entries.map((entry) => entry.description);

    // Assess
    expect(descriptions.join('\n')).not.toMatch(/DATA-BLOB|\{|\[object/);
  });
});

describe('buildTimeline: edge cases', () => {
  test('an open session counts up to now, its pause still running', () => {
    // Prepare
    const session = aSession({ status: 'Paused', currentState: 'PAUSED', pausedFromState: 'INIT_STORY_PROCESSING', createdAt: at(0), startedAt: at(0) });
    const events = [
      ev(1, 0, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
      ev(2, 30, 'session_paused', { fromStatus: 'Active', toStatus: 'Paused', fromState: 'INIT_STORY_PROCESSING', toState: 'PAUSED' }),
    ];

    // Act
    const timeline = buildTimeline(session, events, at(50));

    // Assess
    expect(timeline.endTime).toBeUndefined();
    expect(timeline.asOf).toBe(at(50));
    expect(timeline.totalDurationMs).toBe(50 * MINUTE);
    expect(timeline.timePerStateMs).toEqual({ INIT_STORY_PROCESSING: 30 * MINUTE, PAUSED: 20 * MINUTE });
    expect(timeline.statusBreakdown).toEqual({ queuedMs: 0, activeMs: 30 * MINUTE, pausedMs: 20 * MINUTE, pauseCount: 1, longestPauseMs: 20 * MINUTE });
    expect(timeline.entries.map((entry) => [entry.description, entry.durationInStateMs])).toEqual([
      ['Started by coord-1 at INIT_STORY_PROCESSING', 30 * MINUTE],
      ['Paused by coord-1', 20 * MINUTE],
    ]);
  });

  test('a session that timed out while paused: the pause runs to the timeout, then nothing counts', () => {
    // Prepare
    const session = aSession({ status: 'Cancelled', currentState: 'TIMEOUT', cancelReason: 'timeout', createdAt: at(0), startedAt: at(0), endedAt: at(80) });
    const events = [
      ev(1, 0, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
      ev(2, 10, 'state_transition', { ...engine, fromState: 'INIT_STORY_PROCESSING', toState: 'PLAN_DECOMPOSITION' }),
      ev(3, 20, 'session_paused', { fromStatus: 'Active', toStatus: 'Paused', fromState: 'PLAN_DECOMPOSITION', toState: 'PAUSED', reason: 'sick' }),
      ev(4, 80, 'session_timed_out', {
        ...system,
        fromStatus: 'Paused',
        toStatus: 'Cancelled',
        fromState: 'PAUSED',
        toState: 'TIMEOUT',
        reason: 'timeout',
        data: { limit: 'pause_timeout', deadline: at(80) },
      }),
    ];

    // Act
    const timeline = buildTimeline(session, events, at(999));

    // Assess
    expect(timeline.totalDurationMs).toBe(80 * MINUTE);
    expect(timeline.timePerStateMs).toEqual({ INIT_STORY_PROCESSING: 10 * MINUTE, PLAN_DECOMPOSITION: 10 * MINUTE, PAUSED: 60 * MINUTE });
    expect(timeline.statusBreakdown).toEqual({ queuedMs: 0, activeMs: 20 * MINUTE, pausedMs: 60 * MINUTE, pauseCount: 1, longestPauseMs: 60 * MINUTE });
    expect(timeline.entries.map((entry) => entry.durationInStateMs)).toEqual([10 * MINUTE, 10 * MINUTE, 60 * MINUTE, 0]);
    expect(timeline.entries[3]?.description).toBe('Timed out: pause timeout while Paused');
  });

  test.each([
    ['Active', { status: 'Active', currentState: 'PLAN_DECOMPOSITION' }, { queuedMs: 0, activeMs: 15 * MINUTE, pausedMs: 0 }, { PLAN_DECOMPOSITION: 15 * MINUTE }],
    ['Queued', { status: 'Queued', currentState: undefined }, { queuedMs: 15 * MINUTE, activeMs: 0, pausedMs: 0 }, {}],
    [
      'Paused',
      { status: 'Paused', currentState: 'PAUSED', pausedFromState: 'REVIEW_PLAN' },
      { queuedMs: 0, activeMs: 0, pausedMs: 15 * MINUTE },
      { PAUSED: 15 * MINUTE },
    ],
  ] as const)('without events, a %s session reads as its status since creation', (_name, overrides, times, perState) => {
    // Prepare
    const session = aSession({ ...overrides, createdAt: at(0), eventCount: 0 });

    // Act
    const timeline = buildTimeline(session, [], at(15));

    // Assess
    expect(timeline.entries).toEqual([]);
    expect(timeline.totalDurationMs).toBe(15 * MINUTE);
    expect(timeline.timePerStateMs).toEqual(perState);
    expect(timeline.statusBreakdown).toEqual({ ...times, pauseCount: overrides.status === 'Paused' ? 1 : 0, longestPauseMs: times.pausedMs });
  });

  test('an ended session without events has its length and nothing else', () => {
    // Prepare
    const session = aSession({ status: 'Completed', currentState: 'COMPLETED', createdAt: at(0), endedAt: at(45), eventCount: 0 });

    // Act
    const timeline = buildTimeline(session, [], at(999));

    // Assess
    expect(timeline.totalDurationMs).toBe(45 * MINUTE);
    expect(timeline.timePerStateMs).toEqual({});
    expect(timeline.statusBreakdown).toEqual({ queuedMs: 0, activeMs: 0, pausedMs: 0, pauseCount: 0, longestPauseMs: 0 });
  });

  test('clock skew: an instant earlier than the entry ahead of it counts from that entry, one past the end from the end', () => {
    // Prepare
    const session = aSession({ status: 'Completed', currentState: 'COMPLETED', createdAt: at(0), endedAt: at(40) });
    const events = [
      ev(1, 0, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
      ev(2, 20, 'state_transition', { ...engine, fromState: 'INIT_STORY_PROCESSING', toState: 'PLAN_DECOMPOSITION' }),
      ev(3, 10, 'state_transition', { ...engine, fromState: 'PLAN_DECOMPOSITION', toState: 'REVIEW_PLAN' }),
      ev(4, 40, 'session_completed', { fromStatus: 'Active', toStatus: 'Completed', fromState: 'REVIEW_PLAN', toState: 'COMPLETED' }),
      ev(5, 90, 'info', { ...engine, data: { message: 'bye' } }),
    ];

    // Act
    const timeline = buildTimeline(session, events, at(999));

    // Assess
    expect(timeline.entries.map((entry) => entry.durationInStateMs)).toEqual([20 * MINUTE, 0, 20 * MINUTE, 0, 0]);
    expect(timeline.timePerStateMs).toEqual({ INIT_STORY_PROCESSING: 20 * MINUTE, PLAN_DECOMPOSITION: 0, REVIEW_PLAN: 20 * MINUTE });
    expect(timeline.statusBreakdown.activeMs).toBe(40 * MINUTE);
    expect(timeline.totalDurationMs).toBe(40 * MINUTE);
  });

  test('now before creation gives an empty, non-negative timeline', () => {
    // Prepare
    const session = aSession({ createdAt: at(10) });
    const events = [ev(1, 10, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' })];

    // Act
    const timeline = buildTimeline(session, events, at(0));

    // Assess
    expect(timeline.totalDurationMs).toBe(0);
    expect(timeline.entries[0]?.durationInStateMs).toBe(0);
    expect(timeline.statusBreakdown.activeMs).toBe(0);
  });

  test('a pause the engine refused does not count; a refused resume does not split the pause', () => {
    // Prepare
    const session = aSession({ status: 'Completed', currentState: 'COMPLETED', createdAt: at(0), endedAt: at(60) });
    const events = [
      ev(1, 0, 'session_started', { toStatus: 'Active', toState: 'INIT_STORY_PROCESSING' }),
      ev(2, 10, 'session_paused', { fromStatus: 'Active', toStatus: 'Paused', fromState: 'INIT_STORY_PROCESSING', toState: 'PAUSED' }),
      ev(3, 10, 'workflow_sync_failed', {
        fromStatus: 'Paused',
        toStatus: 'Active',
        fromState: 'PAUSED',
        toState: 'INIT_STORY_PROCESSING',
        reason: 'engine_call_failed',
        data: { operation: 'pause', error: 'engine down', reverted: true },
      }),
      ev(4, 20, 'session_paused', { fromStatus: 'Active', toStatus: 'Paused', fromState: 'INIT_STORY_PROCESSING', toState: 'PAUSED' }),
      ev(5, 30, 'session_resumed', { fromStatus: 'Paused', toStatus: 'Active', fromState: 'PAUSED', toState: 'INIT_STORY_PROCESSING' }),
      ev(6, 30, 'workflow_sync_failed', {
        fromStatus: 'Active',
        toStatus: 'Paused',
        fromState: 'INIT_STORY_PROCESSING',
        toState: 'PAUSED',
        reason: 'engine_call_failed',
        data: { operation: 'resume', error: 'engine down', reverted: true },
      }),
      ev(7, 50, 'session_resumed', { fromStatus: 'Paused', toStatus: 'Active', fromState: 'PAUSED', toState: 'INIT_STORY_PROCESSING' }),
      ev(8, 60, 'session_completed', { ...engine, fromStatus: 'Active', toStatus: 'Completed', fromState: 'INIT_STORY_PROCESSING', toState: 'COMPLETED' }),
    ];

    // Act
    const timeline = buildTimeline(session, events, at(999));

    // Assess
    expect(timeline.statusBreakdown).toEqual({ queuedMs: 0, activeMs: 30 * MINUTE, pausedMs: 30 * MINUTE, pauseCount: 1, longestPauseMs: 30 * MINUTE });
    expect(timeline.timePerStateMs).toEqual({ INIT_STORY_PROCESSING: 30 * MINUTE, PAUSED: 30 * MINUTE });
    expect(timeline.entries[2]?.description).toBe('Engine did not follow pause; reverted to Active');
    expect(timeline.entries[5]?.description).toBe('Engine did not follow resume; reverted to Paused');
  });
});

describe('describeEvent', () => {
  test.each([
    ['Cancelled by coord-1: story withdrawn', ev(1, 0, 'session_cancelled', { reason: 'story withdrawn' })],
    ['Failed by engine: workflow faulted', ev(1, 0, 'session_failed', { ...engine, data: { error: 'workflow faulted' } })],
    [
      'Mentor reassigned from m-1 to m-2: mentor_unavailable',
      ev(1, 0, 'mentor_reassigned', { reason: 'mentor_unavailable', data: { previousMentorId: 'm-1', mentorId: 'm-2' } }),
    ],
    ['Waiting for another mentor: mentor_unavailable', ev(1, 0, 'mentor_reassignment_queued', { ...system, reason: 'mentor_unavailable' })],
    [
      'Config updated by coord-1: notifications.slackEnabled',
      ev(1, 0, 'config_updated', { data: { changes: [{ field: 'notifications.slackEnabled', from: true, to: false }] } }),
    ],
    ['Check-in missed (2 in a row)', ev(1, 0, 'check_in_missed', { ...system, data: { missed: 2 } })],
    [
      'Escalation triggered to mentor: check_in_missed',
      ev(1, 0, 'escalation_triggered', { ...system, reason: 'check_in_missed', data: { audience: 'mentor', level: 2 } }),
    ],
    ['Engine did not follow cancel; it will be retried', ev(1, 0, 'workflow_sync_failed', { data: { operation: 'cancel', reverted: false } })],
    ['Mentor m-9 assigned (manual)', ev(1, 0, 'mentor_assigned', { reason: 'manual', data: { mentorId: 'm-9', mode: 'manual' } })],
    ['Escalated to senior', ev(1, 0, 'escalated_to_senior', { ...engine })],
  ])('%s', (expected, event) => {
    // Prepare: the table row

    // Act
    const description = describeEvent(event);

    // Assess
    expect(description).toBe(expected);
  });
});

// ---- Properties over logs the domain itself writes ----

const coordinator: Actor = { id: 'coord-1', role: 'coordinator' };
const engineActor: Actor = { id: 'engine', role: 'service' };
const TIMEOUTS = { maxDurationMs: 240 * MINUTE, pauseTimeoutMs: 60 * MINUTE, queueTimeoutMs: 120 * MINUTE };

type Step =
  | { readonly kind: 'advance'; readonly minutes: number }
  | { readonly kind: 'command'; readonly command: Command }
  | { readonly kind: 'report'; readonly state: MentorshipState; readonly skewMinutes: number }
  | { readonly kind: 'progress'; readonly type: 'blocker_detected' | 'blocker_resolved' | 'escalated_to_senior' | 'progress_update' }
  | { readonly kind: 'dequeue' }
  | { readonly kind: 'timeout' };

/** Pauses and resumes often, endings rarely, so runs get somewhere before they end. */
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Command>({ operation: 'pause', reason: 'lunch' }) },
  { weight: 6, arbitrary: fc.constant<Command>({ operation: 'resume' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ operation: 'cancel', reason: 'dropped' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ operation: 'complete', report: aReport() }) },
  { weight: 1, arbitrary: fc.constant<Command>({ operation: 'fail', error: 'boom' }) },
);

const stepArb = (maxSkewAhead: number): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 0, max: 45 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('command' as const), command: commandArb }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('report' as const),
        state: fc.constantFrom(...ENGINE_REPORTABLE_STATES),
        skewMinutes: fc.integer({ min: -30, max: maxSkewAhead }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('progress' as const),
        type: fc.constantFrom('blocker_detected' as const, 'blocker_resolved' as const, 'escalated_to_senior' as const, 'progress_update' as const),
      }),
    },
    { weight: 2, arbitrary: fc.constant({ kind: 'dequeue' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'timeout' as const }) },
  );

interface Run {
  readonly session: Session;
  readonly events: readonly SessionEvent[];
  readonly now: string;
}

/** Runs steps through the domain's own functions, from a start or a queue, and returns the log they wrote. */
function run(queued: boolean, steps: readonly Step[], tailMinutes: number): Run {
  const input = aStartInput({ timeouts: TIMEOUTS });
  const first = queued
    ? queuedSession(input, ['mentor'], { actor: coordinator, now: T0 })
    : startedSession(input, anAssignment('mentor-1'), { actor: coordinator, now: T0 }, 'wf-1');
  let session = first.session;
  const events: SessionEvent[] = [...first.events];
  let minute = 0;
  for (const step of steps) {
    const now = at(minute);
    let write: { session: Session; events: readonly SessionEvent[] } | undefined;
    switch (step.kind) {
      case 'advance':
        minute += step.minutes;
        break;
      case 'command': {
        const outcome = transition(session, step.command, { actor: coordinator, now });
        if (outcome.outcome === 'changed') write = withEvents(outcome.session, outcome.events, now);
        break;
      }
      case 'report': {
        const report = { type: 'state_changed' as const, toState: step.state, eventId: `e-${events.length}`, occurredAt: at(minute + step.skewMinutes) };
        const outcome = applyWorkflowReport(session, report, engineActor, now);
        if (outcome.outcome === 'recorded') write = outcome.write;
        break;
      }
      case 'progress': {
        const outcome = applyWorkflowReport(session, { type: step.type, eventId: `e-${events.length}`, occurredAt: now }, engineActor, now);
        if (outcome.outcome === 'recorded') write = outcome.write;
        break;
      }
      case 'dequeue':
        if (session.status === 'Queued') write = dequeuedSession(session, anAssignment('mentor-1'), now);
        break;
      case 'timeout':
        write = timedOut(session, now);
        break;
    }
    if (write !== undefined) {
      session = write.session;
      events.push(...write.events);
    }
  }
  return { session, events, now: at(minute + tailMinutes) };
}

const runArb = (maxSkewAhead: number): fc.Arbitrary<Run> =>
  fc
    .tuple(fc.boolean(), fc.array(stepArb(maxSkewAhead), { minLength: 8, maxLength: 60, size: 'large' }), fc.integer({ min: 0, max: 120 }))
    .map(([queued, steps, tail]) => run(queued, steps, tail));

const sum = (record: Partial<Record<string, number>>, except?: string): number =>
  Object.entries(record).reduce((total, [key, ms]) => (key === except ? total : total + (ms ?? 0)), 0);

function everyDuration(timeline: SessionTimeline): number[] {
  const { queuedMs, activeMs, pausedMs, longestPauseMs } = timeline.statusBreakdown;
  return [
    timeline.totalDurationMs,
    queuedMs,
    activeMs,
    pausedMs,
    longestPauseMs,
    ...Object.values(timeline.timePerStateMs).map((ms) => ms ?? 0),
    ...timeline.entries.map((entry) => entry.durationInStateMs),
  ];
}

describe('buildTimeline properties, over logs the domain writes', () => {
  test('queued + active + paused is the whole timeline; the states split active and paused time exactly', () => {
    fc.assert(
      fc.property(runArb(5), ({ session, events, now }) => {
        // Act
        const timeline = buildTimeline(session, events, now);

        // Assess
        const { queuedMs, activeMs, pausedMs, longestPauseMs } = timeline.statusBreakdown;
        expect(queuedMs + activeMs + pausedMs).toBe(timeline.totalDurationMs);
        expect(sum(timeline.timePerStateMs, 'PAUSED')).toBeLessThanOrEqual(activeMs);
        expect(sum(timeline.timePerStateMs, 'PAUSED')).toBe(activeMs);
        expect(timeline.timePerStateMs.PAUSED ?? 0).toBe(pausedMs);
        expect(longestPauseMs).toBeLessThanOrEqual(pausedMs);
        expect(timeline.statusBreakdown.pauseCount).toBe(events.filter((event) => event.type === 'session_paused').length);
      }),
      { numRuns: 400 },
    );
  });

  test("active time agrees with the session's own active-time clock", () => {
    // Engine clocks only lag here: an engine instant ahead of ours would (rightly) push later entries forward.
    fc.assert(
      fc.property(runArb(0), ({ session, events, now }) => {
        // Act
        const timeline = buildTimeline(session, events, now);

        // Assess
        expect(timeline.statusBreakdown.activeMs).toBe(activeTimeMs(session, isTerminal(session.status) ? (session.endedAt ?? now) : now));
      }),
      { numRuns: 400 },
    );
  });

  test('the order events are passed in does not matter', () => {
    fc.assert(
      fc.property(
        runArb(5).chain((r) => fc.tuple(fc.constant(r), fc.shuffledSubarray([...r.events], { minLength: r.events.length, maxLength: r.events.length }))),
        ([{ session, events, now }, shuffled]) => {
          // Act
          const timeline = buildTimeline(session, shuffled, now);

          // Assess
          expect(timeline).toEqual(buildTimeline(session, events, now));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('whatever the instants on the events, no duration is negative nor longer than the timeline', () => {
    fc.assert(
      fc.property(
        runArb(5).chain((r) => fc.tuple(fc.constant(r), fc.array(fc.integer({ min: -600, max: 600 }), { minLength: r.events.length, maxLength: r.events.length }))),
        ([{ session, events, now }, shifts]) => {
          // Prepare
          const skewed = events.map((event, i) => ({ ...event, occurredAt: new Date(Date.parse(event.occurredAt) + (shifts[i] ?? 0) * MINUTE).toISOString() }));

          // Act
          const timeline = buildTimeline(session, skewed, now);

          // Assess
          for (const ms of everyDuration(timeline)) {
            expect(ms).toBeGreaterThanOrEqual(0);
            expect(ms).toBeLessThanOrEqual(timeline.totalDurationMs);
          }
          const { queuedMs, activeMs, pausedMs } = timeline.statusBreakdown;
          expect(queuedMs + activeMs + pausedMs).toBeLessThanOrEqual(timeline.totalDurationMs);
          expect(sum(timeline.timePerStateMs, 'PAUSED')).toBeLessThanOrEqual(activeMs);
        },
      ),
      { numRuns: 300 },
    );
  });
});
