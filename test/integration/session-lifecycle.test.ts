import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import { type AppDeps, composeApp, uuidIds } from '../../shared/compose';
import { ConcurrentUpdateError, TransitionForbiddenError, WorkflowEngineError } from '../../shared/domain/errors';
import { replayStatus } from '../../shared/domain/session';
import { SessionService } from '../../shared/services/session-service';
import { aJunior, aMentor, aStory, coordinator, engineCaller, mentorCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { FaultyEngine } from '../support/faulty-engine';
import { gateCommits } from '../support/gated-store';
import { ROOMY_SETTINGS } from '../support/settings';

let table: TestTable;
let clock: ManualClock;
let engine: FaultyEngine;
let app: AppDeps;

const report = { summary: 'Merged with one review round.', overallScore: 87, metrics: { hints: 2 } };

beforeAll(async () => {
  table = await createTestTable('lifecycle');
  clock = new ManualClock();
  engine = new FaultyEngine(new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock));
  app = composeApp({ tableName: table.tableName, dynamo: table.dynamo, clock, engine, settings: ROOMY_SETTINGS });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  for (let i = 1; i <= 8; i += 1) await directory.put('junior', aJunior(`junior-${i}`));
  await directory.put('mentor', aMentor('mentor-1'));
  await directory.put('story', aStory('story-1'));
});

afterAll(() => table.dynamo.client.destroy());
afterEach(() => engine.heal());

async function start(juniorId: string) {
  const result = await app.sessions.startSession({ storyId: 'story-1', juniorId, mentorId: 'mentor-1' }, coordinator);
  return result.sessionId;
}

/** The audit log of a session must lead to its status. */
async function expectEventsReplayToStatus(id: string) {
  const { session, events } = await app.sessions.getSessionDetails(id, coordinator);
  expect(replayStatus(events)).toBe(session.status);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(session.eventCount).toBe(events.length);
  return { session, events };
}

async function engineStatus(id: string) {
  const { session } = await app.sessions.getSessionDetails(id, coordinator);
  return engine.status(session.workflowInstanceId!);
}

describe('lifecycle on DynamoDB Local', () => {
  test('start -> pause -> resume -> complete', async () => {
    const id = await start('junior-1');
    await app.sessions.recordWorkflowEvent(
      id,
      { type: 'state_changed', toState: 'PLAN_DECOMPOSITION', eventId: 'e-1', occurredAt: clock.now().toISOString() },
      engineCaller,
    );

    clock.advanceMinutes(10);
    expect(await app.sessions.pauseSession(id, { reason: 'lunch' }, mentorCaller('mentor-1'))).toMatchObject({ status: 'Paused' });
    expect(await engineStatus(id)).toBe('Suspended');

    clock.advanceMinutes(30);
    expect(await app.sessions.resumeSession(id, {}, coordinator)).toMatchObject({ status: 'Active' });
    expect(await engineStatus(id)).toBe('Running');

    clock.advanceMinutes(50);
    expect(await app.sessions.completeSession(id, { report }, engineCaller)).toMatchObject({ status: 'Completed' });

    const { session, events } = await expectEventsReplayToStatus(id);
    expect(session).toMatchObject({ status: 'Completed', currentState: 'COMPLETED', report, endedAt: clock.now().toISOString() });
    expect(events.map((e) => e.type)).toEqual([
      'session_started',
      'mentor_assigned',
      'state_transition',
      'session_paused',
      'session_resumed',
      // 60 minutes of active time with no word from the workflow since the start: two check-ins
      // missed, recorded when the session leaves Active, at the instants they fell due (pause excluded).
      'check_in_missed',
      'escalation_triggered',
      'check_in_missed',
      'escalation_triggered',
      'session_completed',
    ]);
    const misses = events.filter((e) => e.type === 'check_in_missed' || e.type === 'escalation_triggered');
    const minutesAfterStart = (iso: string) => (Date.parse(iso) - Date.parse(events[0]!.occurredAt)) / 60_000;
    expect(misses.map((e) => [e.type, minutesAfterStart(e.occurredAt), e.data?.audience ?? e.data?.missed])).toEqual([
      ['check_in_missed', 60, 1],
      ['escalation_triggered', 60, 'junior'],
      ['check_in_missed', 90, 2],
      ['escalation_triggered', 90, 'mentor'],
    ]);
    const paused = events.find((e) => e.type === 'session_paused')!;
    expect(paused).toMatchObject({ actor: 'mentor-1', actorRole: 'mentor', reason: 'lunch', fromState: 'PLAN_DECOMPOSITION', toState: 'PAUSED' });
    expect(events.find((e) => e.type === 'session_resumed')).toMatchObject({ fromState: 'PAUSED', toState: 'PLAN_DECOMPOSITION' });
  });

  test('start -> cancel records the reason and cancels the engine instance', async () => {
    const id = await start('junior-2');
    await app.sessions.cancelSession(id, { reason: 'story withdrawn', notes: 'product call' }, coordinator);
    const { session, events } = await expectEventsReplayToStatus(id);
    expect(session).toMatchObject({ status: 'Cancelled', cancelReason: 'story withdrawn' });
    expect(events.at(-1)).toMatchObject({ type: 'session_cancelled', reason: 'story withdrawn', notes: 'product call', actor: coordinator.id });
    expect(await engine.status(session.workflowInstanceId!)).toBe('Cancelled');
  });

  test('start -> fail records the error context', async () => {
    const id = await start('junior-3');
    await app.sessions.failSession(id, { error: 'build agent lost' }, engineCaller);
    const { session, events } = await expectEventsReplayToStatus(id);
    expect(session).toMatchObject({ status: 'Failed', error: 'build agent lost', currentState: 'FAILED' });
    expect(events.at(-1)).toMatchObject({ type: 'session_failed', actorRole: 'service', data: { error: 'build agent lost' } });
  });

  test('a forbidden transition writes nothing; a repeated one is a no-op', async () => {
    const id = await start('junior-4');
    await app.sessions.completeSession(id, { report }, engineCaller);
    table.requests.reset();

    await expect(app.sessions.resumeSession(id, {}, coordinator)).rejects.toBeInstanceOf(TransitionForbiddenError);
    expect(table.requests.byOperation()).toEqual({ BatchGetItem: 1 });

    table.requests.reset();
    expect(await app.sessions.completeSession(id, { report }, engineCaller)).toMatchObject({ success: true, status: 'Completed' });
    expect(table.requests.byOperation()).toEqual({ BatchGetItem: 1 });
    const { events } = await expectEventsReplayToStatus(id);
    expect(events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_completed']);
  });

  test('an engine failure on start leaves the session Failed with the error, holding no slot', async () => {
    engine.failOn('start');
    await expect(app.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-5' }, coordinator)).rejects.toMatchObject({
      code: 'engine_unavailable',
      details: { status: 'Failed' },
    });
    const failedStartCall = engine.calls.filter((c) => c.method === 'start').at(-1)!;
    const { session, events } = await expectEventsReplayToStatus(failedStartCall.arg);
    expect(session).toMatchObject({ status: 'Failed', error: 'injected start failure' });
    expect(session.workflowInstanceId).toBeUndefined();
    // The slots were taken first, then released by the failure: both moves are in the log.
    expect(events).toEqual([
      expect.objectContaining({ type: 'session_started', toStatus: 'Active' }),
      expect.objectContaining({ type: 'mentor_assigned', data: expect.objectContaining({ mentorId: 'mentor-1', mode: 'auto' }) }),
      expect.objectContaining({ type: 'session_failed', reason: 'engine_start_failed', actor: 'system', fromStatus: 'Active', toStatus: 'Failed' }),
    ]);
    // The junior's slot is free again: the next start runs at once.
    engine.heal();
    expect((await app.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-5' }, coordinator)).status).toBe('started');
  });

  test('an engine failure on pause reverts the status and says so in the audit log', async () => {
    const id = await start('junior-6');
    engine.failOn('suspend');
    await expect(app.sessions.pauseSession(id, {}, coordinator)).rejects.toBeInstanceOf(WorkflowEngineError);
    const { session, events } = await expectEventsReplayToStatus(id);
    expect(session.status).toBe('Active');
    expect(session.currentState).toBe('INIT_STORY_PROCESSING');
    expect(events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_paused', 'workflow_sync_failed']);
    expect(events.at(-1)).toMatchObject({ fromStatus: 'Paused', toStatus: 'Active', data: { operation: 'pause', reverted: true } });
  });

  test('an engine failure on cancel keeps the cancel and leaves its stop pending, with the error', async () => {
    const id = await start('junior-7');
    engine.failOn('cancel');
    expect(await app.sessions.cancelSession(id, { reason: 'duplicate' }, coordinator)).toMatchObject({ status: 'Cancelled' });
    const { session, events } = await expectEventsReplayToStatus(id);
    expect(events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_cancelled']);
    expect(session.engineCommand).toMatchObject({ target: 'stopped', lastError: 'injected cancel failure' });
  });
});

describe('concurrency', () => {
  test('concurrent pause, cancel and complete on one session: exactly one wins', async () => {
    const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
    for (let round = 0; round < 10; round += 1) {
      const junior = `race-junior-${round}`;
      await directory.put('junior', aJunior(junior));
      const id = await app.sessions.startSession({ storyId: 'story-1', juniorId: junior }, coordinator).then((r) => r.sessionId);
      // All three read version 1 before any of them commits.
      const racing = new SessionService({ ...app.ports, sessions: gateCommits(app.ports.sessions, 3), engine, clock, ids: uuidIds, settings: ROOMY_SETTINGS });

      const outcomes = await Promise.allSettled([
        racing.pauseSession(id, { reason: 'race' }, coordinator),
        racing.cancelSession(id, { reason: 'race' }, coordinator),
        racing.completeSession(id, { report }, engineCaller),
      ]);

      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const loser of outcomes.filter((o) => o.status === 'rejected')) {
        expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentUpdateError);
      }
      const { session, events } = await expectEventsReplayToStatus(id);
      expect(events.map((e) => e.type).slice(0, 2)).toEqual(['session_started', 'mentor_assigned']);
      expect(events).toHaveLength(3);
      expect(session.status).toBe((winners[0] as PromiseFulfilledResult<{ status: string }>).value.status);
    }
  });

  test('unsynchronised pause, cancel and complete: every outcome is a valid serial order', async () => {
    const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
    for (let round = 0; round < 10; round += 1) {
      const junior = `loose-race-junior-${round}`;
      await directory.put('junior', aJunior(junior));
      const id = await app.sessions.startSession({ storyId: 'story-1', juniorId: junior }, coordinator).then((r) => r.sessionId);
      const outcomes = await Promise.allSettled([
        app.sessions.pauseSession(id, { reason: 'race' }, coordinator),
        app.sessions.cancelSession(id, { reason: 'race' }, coordinator),
        app.sessions.completeSession(id, { report }, engineCaller),
      ]);
      for (const loser of outcomes.filter((o) => o.status === 'rejected')) {
        const reason = (loser as PromiseRejectedResult).reason as Error;
        expect([ConcurrentUpdateError, TransitionForbiddenError].some((type) => reason instanceof type)).toBe(true);
      }
      const { events } = await expectEventsReplayToStatus(id);
      // One status event per successful call, after session_started and mentor_assigned.
      expect(events).toHaveLength(2 + outcomes.filter((o) => o.status === 'fulfilled').length);
    }
  });

  test('concurrent identical pauses: one writes, the others succeed without an event', async () => {
    const id = await start('junior-8');
    const results = await Promise.all(Array.from({ length: 5 }, () => app.sessions.pauseSession(id, {}, coordinator)));
    expect(results.every((r) => r.status === 'Paused')).toBe(true);
    const { events } = await expectEventsReplayToStatus(id);
    expect(events.filter((e) => e.type === 'session_paused')).toHaveLength(1);
  });

  test('engine reports racing a lifecycle change are retried, not lost', async () => {
    const junior = 'report-race-junior';
    await new DynamoDirectoryStore(table.dynamo.document, table.tableName).put('junior', aJunior(junior));
    const id = await app.sessions.startSession({ storyId: 'story-1', juniorId: junior }, coordinator).then((r) => r.sessionId);
    const reports = Array.from({ length: 6 }, (_, i) =>
      app.sessions.recordWorkflowEvent(id, { type: 'progress_update', eventId: `p-${i}`, occurredAt: clock.now().toISOString() }, engineCaller),
    );
    const [pause] = await Promise.all([app.sessions.pauseSession(id, {}, coordinator), ...reports]);
    expect(pause.status).toBe('Paused');
    const { events } = await expectEventsReplayToStatus(id);
    expect(events.filter((e) => e.type === 'progress_update')).toHaveLength(6);
  });
});

describe('DynamoDB requests and round trips per operation', () => {
  test('start 3 round trips (one BatchGet, the transaction, the instance record) plus the engine; pause/resume/cancel 2 plus the engine; details 1 Query', async () => {
    const store = table.requests;
    const juniors = ['budget-w', 'budget-a', 'budget-b', 'budget-c'];
    const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
    for (const j of juniors) await directory.put('junior', aJunior(j));
    // The embedded engine shares the client, so its own request is counted and named, in its place in the sequence.
    const count = async (work: () => Promise<unknown>) => {
      store.reset();
      await work();
      return { requests: store.byOperation(), trips: store.tripKinds() };
    };

    // A start the process has not seen the directory for: the directory's Query beside the BatchGet, then the pool's.
    const cold = composeApp({
      tableName: table.tableName,
      dynamo: table.dynamo,
      clock,
      engine: new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock),
      settings: ROOMY_SETTINGS,
    });
    expect(await count(() => cold.sessions.startSession({ storyId: 'story-1', juniorId: 'budget-w', mentorId: 'mentor-1' }, coordinator))).toEqual({
      requests: { BatchGetItem: 2, Query: 1, TransactWriteItems: 1, PutItem: 2 },
      trips: ['BatchGetItem', 'BatchGetItem', 'TransactWriteItems', 'PutItem', 'PutItem'],
    });
    let id = '';
    expect(
      await count(async () => {
        id = (await cold.sessions.startSession({ storyId: 'story-1', juniorId: 'budget-a', mentorId: 'mentor-1' }, coordinator)).sessionId;
      }),
      // Then one BatchGet (directory entries, counters, the pool's counters and pointer, the key); take the slots;
      // the embedded engine's PutItem; record the instance (the session item alone: a conditional PutItem).
    ).toEqual({ requests: { BatchGetItem: 1, TransactWriteItems: 1, PutItem: 2 }, trips: ['BatchGetItem', 'TransactWriteItems', 'PutItem', 'PutItem'] });
    // Session + queue length in one BatchGetItem, the transaction (with the engine command), the embedded engine's own
    // UpdateItem; the worker confirms the command after its lease, so nothing is written after the engine answers.
    const change = { requests: { BatchGetItem: 1, TransactWriteItems: 1, UpdateItem: 1 }, trips: ['BatchGetItem', 'TransactWriteItems', 'UpdateItem'] };
    expect(await count(() => cold.sessions.pauseSession(id, {}, coordinator))).toEqual(change);
    expect(await count(() => cold.sessions.resumeSession(id, {}, coordinator))).toEqual(change);
    // A completion also reads the log (one Query) to store the service's report beside the engine's.
    expect((await count(() => cold.sessions.completeSession(id, { report }, engineCaller))).requests).toEqual({ BatchGetItem: 1, Query: 1, TransactWriteItems: 1 });
    expect((await count(() => cold.sessions.getSessionDetails(id, coordinator))).requests).toEqual({ Query: 1 });

    const other = (await cold.sessions.startSession({ storyId: 'story-1', juniorId: 'budget-b' }, coordinator)).sessionId;
    expect((await count(() => cold.sessions.failSession(other, { error: 'x' }, engineCaller))).requests).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
    const third = (await cold.sessions.startSession({ storyId: 'story-1', juniorId: 'budget-c' }, coordinator)).sessionId;
    expect(await count(() => cold.sessions.cancelSession(third, { reason: 'x' }, coordinator))).toEqual(change);
  });
});

describe("a coordinator's complete or fail ends the engine instance (issue 13)", () => {
  test.each([
    ['fail', (id: string) => app.sessions.failSession(id, { error: 'abandoned by the team' }, coordinator)],
    ['complete', (id: string) => app.sessions.completeSession(id, { report }, coordinator)],
  ] as const)('%s by a coordinator: the instance is cancelled at once; the next pass confirms the stop', async (_name, end) => {
    // Prepare
    const id = await start('junior-7');

    // Act
    await end(id);

    // Assess: stopped by the request; the stop command stays until the worker confirms it (an end is one read and one transaction)
    expect(await engineStatus(id)).toBe('Cancelled');
    const { session } = await expectEventsReplayToStatus(id);
    expect(session.engineSync).toBeUndefined();
    expect(session.engineCommand).toMatchObject({ target: 'stopped', attempts: 1 });
    clock.advanceMinutes(1);
    const pass = await app.sessions.commands.redriveDue();
    expect(pass.confirmed).toContain(id);
    expect(pass.retrying).toEqual([]);
    expect((await expectEventsReplayToStatus(id)).session.engineCommand).toBeUndefined();
  });

  test('reported by the engine itself (role service): no engine call, the instance finishes on its own', async () => {
    // Prepare
    const id = await start('junior-7');
    const before = engine.calls.length;

    // Act
    await app.sessions.completeSession(id, { report }, engineCaller);

    // Assess
    expect(engine.calls.slice(before)).toEqual([]);
    expect(await engineStatus(id)).toBe('Running');
  });

  test('the engine fails the cancel: the end stands, its stop command stays pending with the error, the next pass stops the instance', async () => {
    // Prepare
    const id = await start('junior-8');
    engine.failAmbiguouslyOn('cancel');

    // Act
    const result = await app.sessions.failSession(id, { error: 'abandoned by the team' }, coordinator);

    // Assess: the fail stands; the stop is pending, with what the try met
    expect(result).toMatchObject({ status: 'Failed' });
    expect(await engineStatus(id)).toBe('Running');
    const pending = await expectEventsReplayToStatus(id);
    expect(pending.session.engineCommand).toMatchObject({ target: 'stopped', attempts: 1, lastError: 'injected cancel timeout' });
    expect(pending.events.at(-1)).toMatchObject({ type: 'session_failed' });

    // Act: the engine is back; the schedule's pass once the backoff has passed
    engine.heal();
    clock.advanceMinutes(1);
    const pass = await app.sessions.commands.redriveDue();

    // Assess
    expect(pass.confirmed).toContain(id);
    expect(pass).toMatchObject({ retrying: [], failed: [] });
    expect(await engineStatus(id)).toBe('Cancelled');
    const settled = await expectEventsReplayToStatus(id);
    expect(settled.session.engineCommand).toBeUndefined();
    expect(settled.session.status).toBe('Failed');
  });
});
