import { updateConfig } from '../../shared/domain/config-update';
import { applyWorkflowReport, engineOutOfSync, revertAfterEngineFailure, startedSession, type WorkflowReport, withEvents } from '../../shared/domain/lifecycle';
import { slotChange } from '../../shared/domain/limits';
import { WORKFLOW_PROGRESS_EVENTS } from '../../shared/domain/mentorship-state';
import { type Actor, replayStatus, type SessionEvent } from '../../shared/domain/session';
import { isOpen } from '../../shared/domain/status';
import { transition } from '../../shared/domain/transitions';
import { aConfig, anAssignment } from '../support/builders';
import { aSessionIn, aStartInput, ctxAt, T0, T1, T2 } from './support';

const engine: Actor = { id: 'engine', role: 'service' };

describe('withEvents', () => {
  test('numbers a batch after the existing events and moves eventCount by the batch size', () => {
    // Prepare
    const session = aSessionIn('Active', { eventCount: 3 });
    const batch = [
      { type: 'info', occurredAt: T1, actor: 'engine', actorRole: 'service' },
      { type: 'warning', occurredAt: T1, actor: 'engine', actorRole: 'service' },
    ] as const;

    // Act
    const write = withEvents(session, batch, T2);

    // Assess
    expect(write.session).toEqual({ ...session, eventCount: 5 });
    expect(write.events.map((e) => [e.seq, e.type, e.sessionId, e.recordedAt])).toEqual([
      [4, 'info', session.id, T2],
      [5, 'warning', session.id, T2],
    ]);
  });

  test('an empty batch leaves the count alone', () => {
    // Prepare
    const session = aSessionIn('Paused', { eventCount: 3 });

    // Act
    const write = withEvents(session, [], T2);

    // Assess
    expect(write).toEqual({ session, events: [] });
  });
});

describe('startedSession', () => {
  test('is Active at the initial MentorshipState with its mentor, clocks running, session_started then mentor_assigned', () => {
    // Prepare
    const input = aStartInput();
    const assignment = anAssignment('mentor-1');

    // Act
    const { session, events } = startedSession(input, assignment, ctxAt(T0), 'wf-42');

    // Assess
    expect(session).toEqual({
      id: input.id,
      storyId: 'story-1',
      juniorId: 'junior-1',
      mentorId: 'mentor-1',
      assignment,
      storyTitle: 'Story one',
      juniorName: 'Junior one',
      skillArea: 'typescript',
      config: aConfig(),
      status: 'Active',
      currentState: 'INIT_STORY_PROCESSING',
      workflowInstanceId: 'wf-42',
      createdAt: T0,
      updatedAt: T0,
      startedAt: T0,
      // The active-time clock starts with the session.
      activeMs: 0,
      activeSince: T0,
      // The first check-in falls due one interval (30 minutes) of active time in.
      checkIn: { nextActiveMs: 30 * 60_000, missed: 0 },
      version: 1,
      eventCount: 2,
    });
    expect(events).toEqual([
      {
        sessionId: input.id,
        seq: 1,
        type: 'session_started',
        occurredAt: T0,
        recordedAt: T0,
        actor: 'coord-1',
        actorRole: 'coordinator',
        toStatus: 'Active',
        toState: 'INIT_STORY_PROCESSING',
        data: { workflowInstanceId: 'wf-42', mentorId: 'mentor-1' },
      },
      {
        sessionId: input.id,
        seq: 2,
        type: 'mentor_assigned',
        occurredAt: T0,
        recordedAt: T0,
        actor: 'coord-1',
        actorRole: 'coordinator',
        reason: 'manual',
        data: { mode: 'manual', mentorId: 'mentor-1', skillArea: 'typescript', candidates: [], candidateCount: 0 },
      },
    ]);
    expect(replayStatus(events)).toBe('Active');
  });

  test('the mentor comes from the assignment, and mentor_assigned carries the whole assignment', () => {
    // Prepare: an automatic choice, with the candidates that explain it, from a template.
    const input = aStartInput({ configTemplateId: 'quick-fix', config: aConfig({ checkInIntervalMinutes: 15 }) });
    const assignment = anAssignment('mentor-7', {
      mode: 'auto',
      strategy: 'workload_balanced',
      candidates: [
        { mentorId: 'mentor-7', skillLevel: 4, load: 0, capacity: 3, capacityLeft: 3, loadRatio: 0, rank: 1 },
        { mentorId: 'mentor-2', skillLevel: 5, load: 1, capacity: 3, capacityLeft: 2, loadRatio: 1 / 3, lastAssignedAt: T0, rank: 2 },
        { mentorId: 'mentor-9', skillLevel: 3, load: 3, capacity: 3, capacityLeft: 0, loadRatio: 1, excluded: 'full' },
      ],
      candidateCount: 3,
    });

    // Act
    const { session, events } = startedSession(input, assignment, ctxAt(T0), 'wf-1');

    // Assess
    expect(session).toMatchObject({ mentorId: 'mentor-7', assignment, configTemplateId: 'quick-fix', checkIn: { nextActiveMs: 15 * 60_000, missed: 0 } });
    expect(session).not.toHaveProperty('mentorRequest');
    expect(events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned']);
    expect(events[0]?.data).toEqual({ workflowInstanceId: 'wf-1', mentorId: 'mentor-7', configTemplateId: 'quick-fix' });
    expect(events[1]).toMatchObject({ type: 'mentor_assigned', reason: 'auto', actor: 'coord-1', actorRole: 'coordinator' });
    expect(events[1]?.data).toEqual(assignment);
    // The event holds its own copies: the log does not share objects with the session.
    expect(events[1]?.data?.['candidates']).not.toBe(assignment.candidates);
  });
});

describe('startedSession before its workflow instance is known', () => {
  test('is Active and takes slots; the instance id is not invented', () => {
    // Prepare
    const input = aStartInput();

    // Act
    const { session, events } = startedSession(input, anAssignment('mentor-1'), ctxAt(T0));

    // Assess
    expect(session.status).toBe('Active');
    expect(session).not.toHaveProperty('workflowInstanceId');
    expect(slotChange(undefined, session.status)).toBe('acquire');
    expect(events[0]?.data).toEqual({ mentorId: 'mentor-1' });
  });
});

describe('an engine failure at start', () => {
  test('fails the started session with reason engine_start_failed and releases its slots', () => {
    // Prepare
    const { session } = startedSession(aStartInput(), anAssignment('mentor-1'), ctxAt(T0));

    // Act
    const outcome = transition(session, { operation: 'fail', error: 'engine returned 503', reason: 'engine_start_failed' }, ctxAt(T0));

    // Assess
    expect(outcome.outcome).toBe('changed');
    if (outcome.outcome !== 'changed') return;
    expect(outcome.session).toMatchObject({ status: 'Failed', error: 'engine returned 503' });
    expect(outcome.events[0]).toMatchObject({ type: 'session_failed', reason: 'engine_start_failed', fromStatus: 'Active', toStatus: 'Failed' });
    expect(slotChange(session.status, outcome.session.status)).toBe('release');
    expect(isOpen(outcome.session.status)).toBe(false);
  });
});

describe('revertAfterEngineFailure', () => {
  test('a pause the engine refused: back to Active, workflow_sync_failed from Paused to Active', () => {
    // Prepare
    const before = aSessionIn('Active', { currentState: 'START_IMPLEMENTATION' });
    const paused = transition(before, { operation: 'pause', reason: 'lunch' }, ctxAt(T1));
    if (paused.outcome !== 'changed') throw new Error('pause did not apply');
    const committed = withEvents(paused.session, paused.events, T1);

    // Act
    const { session, events } = revertAfterEngineFailure(before, committed.session, 'pause', 'engine timeout', ctxAt(T2));

    // Assess
    expect(session).toEqual({ ...before, updatedAt: T2, version: committed.session.version + 1, eventCount: committed.session.eventCount + 1 });
    expect(events).toEqual([
      {
        sessionId: before.id,
        seq: committed.session.eventCount + 1,
        type: 'workflow_sync_failed',
        occurredAt: T2,
        recordedAt: T2,
        actor: 'coord-1',
        actorRole: 'coordinator',
        fromStatus: 'Paused',
        toStatus: 'Active',
        fromState: 'PAUSED',
        toState: 'START_IMPLEMENTATION',
        reason: 'engine_call_failed',
        data: { operation: 'pause', error: 'engine timeout', reverted: true },
      },
    ]);
    expect(replayStatus([...committed.events, ...events])).toBe('Active');
  });

  test('a resume the engine refused: back to Paused with the pause fields restored', () => {
    // Prepare
    const before = aSessionIn('Paused', { pausedFromState: 'REVIEW_PLAN', pauseReason: 'holiday' });
    const resumed = transition(before, { operation: 'resume' }, ctxAt(T1));
    if (resumed.outcome !== 'changed') throw new Error('resume did not apply');
    const committed = withEvents(resumed.session, resumed.events, T1);

    // Act
    const { session, events } = revertAfterEngineFailure(before, committed.session, 'resume', 'engine down', ctxAt(T2));

    // Assess
    expect(session).toMatchObject({
      status: 'Paused',
      currentState: 'PAUSED',
      pausedFromState: 'REVIEW_PLAN',
      pauseReason: 'holiday',
      pausedAt: before.pausedAt,
      version: before.version + 2,
    });
    expect(events[0]).toMatchObject({ fromStatus: 'Active', toStatus: 'Paused', fromState: 'REVIEW_PLAN', toState: 'PAUSED' });
  });
  test('a config change the engine refused: the config is restored, and the event moves no status', () => {
    // Prepare: the status does not change with a config update, so the revert has no status move to record.
    const before = aSessionIn('Active', { currentState: 'START_IMPLEMENTATION', activeMs: 0, activeSince: T0, checkIn: { nextActiveMs: 30 * 60_000, missed: 1 } });
    const updated = updateConfig(before, { checkInIntervalMinutes: 15, escalationPolicy: 'immediate' }, ctxAt(T1));
    if (updated.outcome !== 'changed') throw new Error('config update did not apply');
    const committed = updated.write;

    // Act
    const { session, events } = revertAfterEngineFailure(before, committed.session, 'update_config', 'engine down', ctxAt(T2));

    // Assess
    expect(session).toEqual({ ...before, updatedAt: T2, version: committed.session.version + 1, eventCount: committed.session.eventCount + 1 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      seq: committed.session.eventCount + 1,
      type: 'workflow_sync_failed',
      reason: 'engine_call_failed',
      data: { operation: 'update_config', error: 'engine down', reverted: true },
    });
    expect(events[0]).not.toHaveProperty('fromStatus');
    expect(events[0]).not.toHaveProperty('toStatus');
    expect(replayStatus([...committed.events, ...events])).toBeUndefined();
  });
});

describe('engineOutOfSync', () => {
  test('records workflow_sync_failed without moving the status, and marks the session for reconciliation', () => {
    // Prepare
    const cancelled = aSessionIn('Cancelled', { version: 5, eventCount: 4 });

    // Act
    const { session, events } = engineOutOfSync(cancelled, 'cancel', 'engine unreachable', ctxAt(T2));

    // Assess
    expect(session).toEqual({
      ...cancelled,
      engineSync: { reason: 'engine_call_failed', since: T2, attempts: 0 },
      updatedAt: T2,
      version: 6,
      eventCount: 5,
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      seq: 5,
      type: 'workflow_sync_failed',
      reason: 'engine_call_failed',
      data: { operation: 'cancel', error: 'engine unreachable', reverted: false },
    });
    expect(events[0]).not.toHaveProperty('toStatus');
    expect(events[0]).not.toHaveProperty('fromStatus');
  });
});

describe('applyWorkflowReport', () => {
  const stateChanged = (overrides: Partial<Extract<WorkflowReport, { type: 'state_changed' }>> = {}): WorkflowReport => ({
    type: 'state_changed',
    toState: 'VALIDATE_STORY',
    eventId: 'elsa-evt-1',
    occurredAt: T1,
    ...overrides,
  });

  test('Active: a state change moves currentState and records state_transition', () => {
    // Prepare
    const session = aSessionIn('Active', { currentState: 'INIT_STORY_PROCESSING', stateChangedAt: T0, version: 2, eventCount: 1 });

    // Act
    const result = applyWorkflowReport(session, stateChanged(), engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.stateApplied).toBe(true);
    expect(result.write.session).toMatchObject({
      status: 'Active',
      currentState: 'VALIDATE_STORY',
      stateChangedAt: T1,
      updatedAt: T2,
      version: 3,
      eventCount: 2,
    });
    expect(result.write.events).toEqual([
      {
        sessionId: session.id,
        seq: 2,
        type: 'state_transition',
        occurredAt: T1,
        recordedAt: T2,
        actor: 'engine',
        actorRole: 'service',
        externalId: 'elsa-evt-1',
        fromState: 'INIT_STORY_PROCESSING',
        toState: 'VALIDATE_STORY',
      },
    ]);
  });

  test('a state change carries its data verbatim', () => {
    // Prepare
    const session = aSessionIn('Active', { stateChangedAt: T0 });

    // Act
    const result = applyWorkflowReport(session, stateChanged({ data: { attempt: 2, note: 'retry' } }), engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.write.events[0]?.data).toEqual({ attempt: 2, note: 'retry' });
  });

  test('a report at exactly stateChangedAt is not late', () => {
    // Prepare
    const session = aSessionIn('Active', { stateChangedAt: T1 });

    // Act
    const result = applyWorkflowReport(session, stateChanged({ occurredAt: T1 }), engine, T2);

    // Assess
    expect(result).toMatchObject({ outcome: 'recorded', stateApplied: true });
  });

  test('late report (older than stateChangedAt): recorded, state not moved, data.late', () => {
    // Prepare
    const session = aSessionIn('Active', { currentState: 'REVIEW_PLAN', stateChangedAt: T1, version: 4, eventCount: 3 });

    // Act
    const result = applyWorkflowReport(session, stateChanged({ toState: 'PLAN_DECOMPOSITION', occurredAt: T0, data: { k: 'v' } }), engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.stateApplied).toBe(false);
    expect(result.write.session).toMatchObject({ currentState: 'REVIEW_PLAN', stateChangedAt: T1, version: 5, eventCount: 4, updatedAt: T2 });
    expect(result.write.events).toHaveLength(1);
    expect(result.write.events[0]).toMatchObject({
      seq: 4,
      type: 'state_transition',
      occurredAt: T0,
      externalId: 'elsa-evt-1',
      data: { k: 'v', reportedState: 'PLAN_DECOMPOSITION', late: true },
    });
    expect(result.write.events[0]).not.toHaveProperty('toState');
  });

  test('Paused: a state change moves pausedFromState; currentState stays PAUSED; resume returns there', () => {
    // Prepare
    const session = aSessionIn('Paused', { pausedFromState: 'START_IMPLEMENTATION', stateChangedAt: T0 });

    // Act
    const result = applyWorkflowReport(session, stateChanged({ toState: 'MONITOR_PROGRESS' }), engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.stateApplied).toBe(true);
    expect(result.write.session).toMatchObject({
      status: 'Paused',
      currentState: 'PAUSED',
      pausedFromState: 'MONITOR_PROGRESS',
      stateChangedAt: T1,
    });
    expect(result.write.events[0]).toMatchObject({
      fromState: 'START_IMPLEMENTATION',
      toState: 'MONITOR_PROGRESS',
      data: { whilePaused: true },
    });
    const resumed = transition(result.write.session, { operation: 'resume' }, ctxAt(T2));
    expect(resumed).toMatchObject({ outcome: 'changed', session: { status: 'Active', currentState: 'MONITOR_PROGRESS' } });
  });

  test.each(WORKFLOW_PROGRESS_EVENTS.map((type) => [type] as const))('progress event %s is recorded verbatim with its externalId, state untouched', (type) => {
    // Prepare
    const session = aSessionIn('Active', { currentState: 'DIAGNOSE_BLOCKER', stateChangedAt: T0, version: 2, eventCount: 7 });
    const report: WorkflowReport = { type, eventId: `elsa-${type}`, occurredAt: T1, message: 'detail', data: { file: 'a.ts', line: 3 } };

    // Act
    const result = applyWorkflowReport(session, report, engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.stateApplied).toBe(false);
    expect(result.write.session).toEqual({ ...session, updatedAt: T2, version: 3, eventCount: 8 });
    const expected: SessionEvent = {
      sessionId: session.id,
      seq: 8,
      type,
      occurredAt: T1,
      recordedAt: T2,
      actor: 'engine',
      actorRole: 'service',
      externalId: `elsa-${type}`,
      data: { file: 'a.ts', line: 3, message: 'detail' },
    };
    expect(result.write.events).toEqual([expected]);
  });

  test('a progress event with neither message nor data has no data', () => {
    // Prepare
    const session = aSessionIn('Paused');

    // Act
    const result = applyWorkflowReport(session, { type: 'info', eventId: 'e-9', occurredAt: T1 }, engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.write.events[0]).not.toHaveProperty('data');
    expect(result.write.session.currentState).toBe('PAUSED');
  });

  test('Active: any report restarts the check-in clock from the active time used, and clears the misses', () => {
    // Prepare: 20 minutes of earlier active time, Active again since T0, two check-ins missed.
    const session = aSessionIn('Active', { activeMs: 20 * 60_000, activeSince: T0, checkIn: { nextActiveMs: 40 * 60_000, missed: 2 } });

    // Act: at T2 the session has used 20 + 30 minutes of active time.
    const progress = applyWorkflowReport(session, { type: 'progress_update', eventId: 'e-1', occurredAt: T1 }, engine, T2);
    const state = applyWorkflowReport(session, stateChanged(), engine, T2);

    // Assess: the next check-in falls due one interval (30 minutes) later.
    for (const result of [progress, state]) {
      expect(result.outcome).toBe('recorded');
      if (result.outcome !== 'recorded') return;
      expect(result.write.session.checkIn).toEqual({ nextActiveMs: 80 * 60_000, missed: 0 });
      expect(result.write.session).toMatchObject({ activeMs: 20 * 60_000, activeSince: T0 });
    }
  });

  test('Paused: a report restarts the check-in clock from the frozen active time', () => {
    // Prepare
    const { activeSince: _since, ...running } = aSessionIn('Paused', { activeMs: 45 * 60_000, checkIn: { nextActiveMs: 50 * 60_000, missed: 1 } });

    // Act
    const result = applyWorkflowReport(running, { type: 'info', eventId: 'e-2', occurredAt: T1 }, engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.write.session.checkIn).toEqual({ nextActiveMs: 75 * 60_000, missed: 0 });
  });

  test('a session without a check-in clock gets none from a report', () => {
    // Prepare
    const session = aSessionIn('Active');

    // Act
    const result = applyWorkflowReport(session, stateChanged(), engine, T2);

    // Assess
    expect(result.outcome).toBe('recorded');
    if (result.outcome !== 'recorded') return;
    expect(result.write.session).not.toHaveProperty('checkIn');
  });

  test.each(['Queued', 'Completed', 'Failed', 'Cancelled'] as const)('%s session: reports are rejected', (status) => {
    // Prepare
    const session = aSessionIn(status);

    // Act
    const stateResult = applyWorkflowReport(session, stateChanged(), engine, T2);
    const progressResult = applyWorkflowReport(session, { type: 'progress_update', eventId: 'e-1', occurredAt: T1 }, engine, T2);

    // Assess
    expect(stateResult).toEqual({ outcome: 'rejected' });
    expect(progressResult).toEqual({ outcome: 'rejected' });
  });
});

describe("the engine's clock", () => {
  test('its first report is never late, even when its clock runs behind ours', () => {
    // Prepare: the session started at T1 by our clock; the engine stamps its first step at T0.
    const { session } = startedSession(aStartInput(), anAssignment('mentor-1'), ctxAt(T1), 'wf-1');
    const engineActor: Actor = { id: 'engine', role: 'service' };

    // Act
    const result = applyWorkflowReport(session, { type: 'state_changed', toState: 'VALIDATE_STORY', eventId: 'first', occurredAt: T0 }, engineActor, T1);

    // Assess
    expect(result).toMatchObject({ outcome: 'recorded', stateApplied: true });
    if (result.outcome === 'recorded') expect(result.write.session).toMatchObject({ currentState: 'VALIDATE_STORY', stateChangedAt: T0 });
  });
});
