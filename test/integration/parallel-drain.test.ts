import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import { type AppDeps, composeApp } from '../../shared/compose';
import type { WorkflowEngine } from '../../shared/ports/workflow-engine';
import { aJunior, aMentor, aStory, coordinator } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { checkSnapshot, scanTable } from '../support/invariants';
import { settingsWith } from '../support/settings';
import { withEngineMethod } from '../support/store-views';

/**
 * A drain starts independent queued sessions several at a time
 * (`queue_drain_parallelism`), and still starts exactly what a one-at-a-time
 * drain would, reported in queue order; the model-based and stress tests check
 * the same against a sequential model and under concurrent writers.
 */

const tables: TestTable[] = [];
afterAll(() => {
  for (const t of tables) t.dynamo.client.destroy();
});

/**
 * An engine whose starts wait until `together` of them are in flight (or a
 * second has passed), counting how many are in flight at once: a drain that
 * starts fewer at a time never gathers `together`.
 */
function gatheredStarts(inner: WorkflowEngine, together: number) {
  const seen = { inFlight: 0, max: 0 };
  let release: Array<() => void> = [];
  const engine = withEngineMethod(inner, 'start', (start) => async (input) => {
    seen.inFlight += 1;
    seen.max = Math.max(seen.max, seen.inFlight);
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        release.push(() => {
          clearTimeout(timer);
          resolve();
        });
        if (seen.inFlight >= together) {
          for (const go of release) go();
          release = [];
        }
      });
      return await start(input);
    } finally {
      seen.inFlight -= 1;
    }
  });
  return { engine, seen };
}

/**
 * A table where `queued` sessions wait behind one running session (a system
 * limit of 1), and an app on it whose limits let the queue move.
 */
async function queueBehindOne(queued: readonly string[], limits: Record<string, unknown>, together = 4, mentors = ['m-1', 'm-2', 'm-3']) {
  const table = await createTestTable('pdrain');
  tables.push(table);
  const clock = new ManualClock();
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('story-1'));
  for (const id of mentors) await directory.put('mentor', aMentor(id, { maxConcurrentSessions: 10 }));
  for (const id of new Set(['j-first', ...queued])) await directory.put('junior', aJunior(id));
  const embedded = new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock);
  const block = { max_concurrent_sessions_per_mentor: 10, max_queue_size: 100, ...limits };
  const full = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    clock,
    engine: embedded,
    settings: settingsWith({ ...block, max_concurrent_sessions_system: 1 }),
  });
  const first = await full.sessions.startSession({ storyId: 'story-1', juniorId: 'j-first' }, coordinator);
  const ids: string[] = [];
  for (const juniorId of queued) {
    clock.advance(1000);
    const result = await full.sessions.startSession({ storyId: 'story-1', juniorId }, coordinator);
    expect(result.status).toBe('queued');
    ids.push(result.sessionId);
  }
  const { engine, seen } = gatheredStarts(embedded, together);
  const app: AppDeps = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    clock,
    engine,
    settings: settingsWith({ ...block, max_concurrent_sessions_system: 100 }),
  });
  const settings = app.settings;
  /** The stress test's invariants on the whole table: counters equal to open sessions, limits held, logs replaying, and nothing startable left queued. */
  const violations = async () =>
    checkSnapshot(await scanTable(table.dynamo.document, table.tableName), {
      limits: { junior: settings.limits.perJunior, mentor: settings.limits.perMentor, system: settings.limits.system, mentors },
      timeouts: settings.timeouts,
      startedIds: [first.sessionId, ...ids],
      now: clock.now(),
      quiescent: true,
      swept: true,
    });
  return { app, ids, seen, violations };
}

describe('a parallel drain', () => {
  test('starts up to queue_drain_parallelism sessions at once, and lists them in queue order', async () => {
    const juniors = Array.from({ length: 12 }, (_, i) => `j-${i}`);
    const w = await queueBehindOne(juniors, { queue_drain_parallelism: 4, max_concurrent_sessions_per_junior: 1 });

    const drained = await w.app.sessions.drainQueue();

    expect(drained).toEqual({ started: w.ids, failed: [] });
    expect(w.seen.max).toBe(4);
    for (const id of w.ids) expect((await w.app.sessions.getSessionDetails(id, coordinator)).session.status).toBe('Active');
    expect(await w.violations()).toEqual([]);
  });

  test('a junior at their limit: only their oldest queued session starts, whatever is in flight', async () => {
    const juniors = ['j-1', 'j-2', 'j-3', 'j-1', 'j-2', 'j-3', 'j-1', 'j-2', 'j-3'];
    const w = await queueBehindOne(juniors, { queue_drain_parallelism: 8, max_concurrent_sessions_per_junior: 1 }, 3);

    const drained = await w.app.sessions.drainQueue();

    expect(drained.started).toEqual(w.ids.slice(0, 3));
    const statuses = await Promise.all(w.ids.map(async (id) => (await w.app.sessions.getSessionDetails(id, coordinator)).session.status));
    expect(statuses).toEqual(['Active', 'Active', 'Active', 'Queued', 'Queued', 'Queued', 'Queued', 'Queued', 'Queued']);
    expect(await w.violations()).toEqual([]);
  });

  test('round robin: sessions of one area start one after another, each moving the pointer; none is skipped', async () => {
    const juniors = Array.from({ length: 6 }, (_, i) => `j-${i}`);
    const w = await queueBehindOne(
      juniors,
      {
        queue_drain_parallelism: 8,
        max_concurrent_sessions_per_junior: 1,
        mentor_assignment: { strategy: 'round_robin', fallback_to_auto: true },
      },
      2,
    );

    const drained = await w.app.sessions.drainQueue();

    expect(drained.started).toEqual(w.ids);
    // Two starts of the area in flight at once would have met at the engine.
    expect(w.seen.max).toBe(1);
    const mentors = await Promise.all(w.ids.map(async (id) => (await w.app.sessions.getSessionDetails(id, coordinator)).session.mentorId));
    // Each three in a row are the three mentors, in the same order each time.
    expect(new Set(mentors.slice(0, 3)).size).toBe(3);
    expect(mentors.slice(3)).toEqual(mentors.slice(0, 3));
    expect(await w.violations()).toEqual([]);
  });
});
