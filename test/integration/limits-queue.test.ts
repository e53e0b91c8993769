import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { type AppDeps, composeApp } from '../../shared/compose';
import { QueueFullError } from '../../shared/domain/errors';
import { replayStatus } from '../../shared/domain/session';
import { aJunior, aMentor, aStory, coordinator, engineCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { settingsWith } from '../support/settings';

const HOUR = 60;
const report = { summary: 'done', overallScore: 90, metrics: {} };

interface World {
  table: TestTable;
  clock: ManualClock;
  app: AppDeps;
  directory: DynamoDirectoryStore;
}

/** A fresh table and app per test: limits and the queue are global state. */
/** Mentors enough that, unless a test names one, the mentor limit never binds. */
const POOL = Array.from({ length: 10 }, (_, i) => `pool-${i}`);

async function world(limits: Record<string, unknown> = {}): Promise<World> {
  const table = await createTestTable('limits');
  const clock = new ManualClock();
  const app = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    clock,
    settings: settingsWith({
      max_concurrent_sessions_per_junior: 1,
      max_concurrent_sessions_per_mentor: 3,
      max_concurrent_sessions_system: 50,
      max_queue_size: 100,
      // A start that names a mentor waits for them (the tests of mentor limits name one).
      mentor_assignment: { strategy: 'workload_balanced', fallback_to_auto: false },
      ...limits,
    }),
  });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('story-1'));
  for (const id of POOL) await directory.put('mentor', aMentor(id));
  return { table, clock, app, directory };
}

async function juniors(w: World, ...ids: string[]) {
  for (const id of ids) await w.directory.put('junior', aJunior(id));
}

const start = (w: World, juniorId: string, mentorId?: string) =>
  w.app.sessions.startSession({ storyId: 'story-1', juniorId, ...(mentorId && { mentorId }) }, coordinator);

async function status(w: World, id: string) {
  const { session, events } = await w.app.sessions.getSessionDetails(id, coordinator);
  expect(replayStatus(events)).toBe(session.status);
  return session.status;
}

const worlds: World[] = [];
afterAll(() => {
  for (const w of worlds) w.table.dynamo.client.destroy();
});
async function fresh(limits: Record<string, unknown> = {}) {
  const w = await world(limits);
  worlds.push(w);
  return w;
}

describe('limits and the queue', () => {
  test('two concurrent starts for one junior: exactly one Active, one Queued', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    const results = await Promise.all([start(w, 'j1'), start(w, 'j1')]);
    expect(results.map((r) => r.status).sort()).toEqual(['queued', 'started']);
    const queued = results.find((r) => r.status === 'queued')!;
    expect(queued).toMatchObject({ queuePosition: 1 });
    expect(queued.estimatedWaitMinutes).toBeGreaterThan(0);
    expect(await status(w, queued.sessionId)).toBe('Queued');
    expect((await w.app.sessions.getQueuePosition(queued.sessionId, coordinator)).blockedBy).toEqual(['junior']);
  });

  test('limit reached, then a slot is freed: the queued session starts at once, not on the schedule', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    const first = await start(w, 'j1');
    const second = await start(w, 'j1');
    expect(second.status).toBe('queued');

    await w.app.sessions.completeSession(first.sessionId, { report }, engineCaller);

    expect(await status(w, second.sessionId)).toBe('Active');
    const { events, session } = await w.app.sessions.getSessionDetails(second.sessionId, coordinator);
    expect(events.map((e) => e.type)).toEqual(['session_queued', 'session_dequeued', 'mentor_assigned']);
    expect(session.workflowInstanceId).toBe(`embedded-${second.sessionId}`);
  });

  test('cancel while queued removes it from the queue', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    await start(w, 'j1');
    const queued = await start(w, 'j1');
    expect((await w.app.sessions.getQueueStatus(coordinator)).totalQueued).toBe(1);

    await w.app.sessions.cancelSession(queued.sessionId, { reason: 'not needed' }, coordinator);

    expect(await status(w, queued.sessionId)).toBe('Cancelled');
    expect((await w.app.sessions.getQueueStatus(coordinator)).totalQueued).toBe(0);
    expect((await w.app.sessions.drainQueue()).started).toEqual([]);
  });

  test('a blocked head does not hold back a session behind it that can start', async () => {
    const w = await fresh({ max_concurrent_sessions_system: 2 });
    await juniors(w, 'j1', 'j2', 'j3');
    const a = await start(w, 'j1');
    await start(w, 'j2');
    const headBlockedByJunior = await start(w, 'j1');
    const behind = await start(w, 'j3');
    expect([headBlockedByJunior.status, behind.status]).toEqual(['queued', 'queued']);

    // Frees a system slot, but j1 is still busy only if 'a' stays open: cancel the j2 session instead.
    const j2 = (await w.app.ports.indexes.listOpen()).find((s) => s.juniorId === 'j2')!;
    await w.app.sessions.cancelSession(j2.id, { reason: 'make room' }, coordinator);

    expect(await status(w, headBlockedByJunior.sessionId)).toBe('Queued');
    expect(await status(w, behind.sessionId)).toBe('Active');
    expect(await status(w, a.sessionId)).toBe('Active');
  });

  test('FIFO among sessions that can start', async () => {
    const w = await fresh({ max_concurrent_sessions_system: 1 });
    await juniors(w, 'j1', 'j2', 'j3', 'j4');
    const running = await start(w, 'j1');
    const second = await start(w, 'j2');
    w.clock.advanceMinutes(1);
    const third = await start(w, 'j3');
    expect((await w.app.sessions.getQueuePosition(third.sessionId, coordinator)).position).toBe(2);

    await w.app.sessions.cancelSession(running.sessionId, { reason: 'x' }, coordinator);
    expect(await status(w, second.sessionId)).toBe('Active');
    expect(await status(w, third.sessionId)).toBe('Queued');
    expect(await w.app.sessions.getQueuePosition(third.sessionId, coordinator)).toMatchObject({ position: 1, blockedBy: ['system'] });
  });

  test('a mentor at capacity queues sessions for that mentor only', async () => {
    const w = await fresh({ max_concurrent_sessions_per_mentor: 2 });
    await juniors(w, 'j1', 'j2', 'j3', 'j4');
    await w.directory.put('mentor', aMentor('m1'));
    await w.directory.put('mentor', aMentor('m2'));
    await start(w, 'j1', 'm1');
    await start(w, 'j2', 'm1');
    const third = await start(w, 'j3', 'm1');
    const other = await start(w, 'j4', 'm2');
    expect([third.status, other.status]).toEqual(['queued', 'started']);
    expect((await w.app.sessions.getQueuePosition(third.sessionId, coordinator)).blockedBy).toEqual(['mentor']);
  });

  test("a mentor's own capacity lowers the limit", async () => {
    const w = await fresh();
    await juniors(w, 'j1', 'j2');
    await w.directory.put('mentor', aMentor('m1', { maxConcurrentSessions: 1 }));
    await start(w, 'j1', 'm1');
    expect((await start(w, 'j2', 'm1')).status).toBe('queued');
  });

  test('queue full: QueueFullError (429 queue_full), nothing written', async () => {
    const w = await fresh({ max_concurrent_sessions_system: 1, max_queue_size: 1 });
    await juniors(w, 'j1', 'j2', 'j3');
    await start(w, 'j1');
    await start(w, 'j2');
    await expect(start(w, 'j3')).rejects.toBeInstanceOf(QueueFullError);
    expect((await w.app.sessions.getQueueStatus(coordinator)).totalQueued).toBe(1);
  });
});

describe('time', () => {
  test('session timeout during pause: the sweeper cancels it with reason timeout', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    const s = await start(w, 'j1');
    const queued = await start(w, 'j1');
    await w.app.sessions.pauseSession(s.sessionId, { reason: 'waiting on access' }, coordinator);

    w.clock.advanceMinutes(23 * HOUR);
    // Only the queued session's 4 h queue timeout has passed; the pause has 1 h left.
    expect((await w.app.sessions.sweepDue()).timedOut).toEqual([queued.sessionId]);
    w.clock.advanceMinutes(HOUR + 1);
    const swept = await w.app.sessions.sweepDue();

    expect(swept.timedOut).toEqual([s.sessionId]);
    const { session, events } = await w.app.sessions.getSessionDetails(s.sessionId, coordinator);
    expect(session).toMatchObject({ status: 'Cancelled', cancelReason: 'timeout', currentState: 'TIMEOUT' });
    expect(events.at(-1)).toMatchObject({
      type: 'session_timed_out',
      actor: 'system',
      actorRole: 'system',
      reason: 'timeout',
      fromStatus: 'Paused',
      toStatus: 'Cancelled',
      data: { limit: 'pause_timeout' },
    });
    expect(replayStatus(events)).toBe('Cancelled');
    expect(await status(w, queued.sessionId)).toBe('Cancelled');
  });

  test('max duration counts Active time only: pauses freeze it', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    const s = await start(w, 'j1');
    w.clock.advanceMinutes(7 * HOUR);
    await w.app.sessions.pauseSession(s.sessionId, {}, coordinator);
    w.clock.advanceMinutes(20 * HOUR);
    await w.app.sessions.resumeSession(s.sessionId, {}, coordinator);
    w.clock.advanceMinutes(59);
    expect(await status(w, s.sessionId)).toBe('Active');
    w.clock.advanceMinutes(1);
    expect((await w.app.sessions.sweepDue()).timedOut).toEqual([s.sessionId]);
    const { events } = await w.app.sessions.getSessionDetails(s.sessionId, coordinator);
    expect(events.at(-1)).toMatchObject({ type: 'session_timed_out', data: { limit: 'max_duration' } });
  });

  test('queue timeout cancels a session that waited too long', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    await start(w, 'j1');
    const queued = await start(w, 'j1');
    w.clock.advanceMinutes(4 * HOUR);
    await w.app.sessions.sweepDue();
    const { session, events } = await w.app.sessions.getSessionDetails(queued.sessionId, coordinator);
    expect(session).toMatchObject({ status: 'Cancelled', cancelReason: 'timeout' });
    expect(events.at(-1)).toMatchObject({ type: 'session_timed_out', fromStatus: 'Queued', data: { limit: 'queue_timeout' } });
    expect((await w.app.sessions.getQueueStatus(coordinator)).totalQueued).toBe(0);
  });

  test('a read past the deadline applies the timeout first: no answer shows an overdue session as Active', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    const s = await start(w, 'j1');
    w.clock.advanceMinutes(8 * HOUR);
    // No sweep: the read itself applies the timeout.
    expect((await w.app.sessions.getSession(s.sessionId, coordinator)).status).toBe('Cancelled');
    await expect(w.app.sessions.pauseSession(s.sessionId, {}, coordinator)).rejects.toMatchObject({ code: 'transition_forbidden' });
  });

  test('the sweeper reads only what is due, through the due-time index', async () => {
    const w = await fresh();
    const ids = Array.from({ length: 30 }, (_, i) => `j${i}`);
    await juniors(w, ...ids);
    // Check-ins every 479 minutes: the first falls due a minute before the 8 h limit.
    const config = { checkInIntervalMinutes: 479 };
    // One after another: this test is about the sweeper; 30 concurrent starts racing for mentor slots only made it slow.
    const started = [];
    for (const id of ids) started.push(await w.app.sessions.startSession({ storyId: 'story-1', juniorId: id, config }, coordinator));
    w.clock.advanceMinutes(60);
    // Three of them pause now, so their 24 h pause deadline is the only one due after 24 h more... minus the 8 h active limit.
    await Promise.all(started.slice(0, 3).map((r) => w.app.sessions.pauseSession(r.sessionId, {}, coordinator)));
    // 7 h later: nobody has used 8 h of active time yet, nor reached a check-in.
    w.clock.advanceMinutes(6 * HOUR + 58);
    w.table.requests.reset();
    expect((await w.app.sessions.sweepDue()).timedOut).toEqual([]);
    expect(w.table.requests.byOperation()).toEqual({ Query: 1 });

    w.clock.advanceMinutes(2);
    w.table.requests.reset();
    const swept = await w.app.sessions.sweepDue();
    expect(swept.timedOut).toHaveLength(27);
    // The check-in missed at 7 h 59 min is overtaken by the timeout: the timeout wins, no check-in is recorded.
    expect(swept.checkInsMissed).toEqual([]);
    // One due-index query; each due session is written straight from its index item (one transaction)
    // and its workflow instance cancelled (the embedded engine's UpdateItem); one drain at the end
    // (one query of the reassignment wait list and one of the queue, both empty).
    expect(w.table.requests.byOperation()).toEqual({ Query: 3, TransactWriteItems: 27, UpdateItem: 27 });
  });

  test('due-time index holds only sessions with a pending deadline', async () => {
    const w = await fresh();
    await juniors(w, 'j1');
    const s = await start(w, 'j1');
    await w.app.sessions.completeSession(s.sessionId, { report }, engineCaller);
    const { Items } = await w.table.dynamo.document.send(
      new QueryCommand({ TableName: w.table.tableName, IndexName: 'due', KeyConditionExpression: 'duePk = :d', ExpressionAttributeValues: { ':d': 'DUE' } }),
    );
    expect(Items).toEqual([]);
  });
});
