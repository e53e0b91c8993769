import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import { type AppDeps, composeApp, uuidIds } from '../../shared/compose';
import type { CandidateScore, MentorAssignment } from '../../shared/domain/assignment';
import type { Mentor, Story } from '../../shared/domain/directory';
import { ForbiddenError, MentorCannotTakeError, ReferenceNotFoundError, SessionNotRunningError } from '../../shared/domain/errors';
import type { SessionStartResult } from '../../shared/domain/results';
import { replayStatus, type Session, type SessionEvent } from '../../shared/domain/session';
import type { DirectoryStore } from '../../shared/ports/directory-store';
import type { SessionChange, SessionRepository } from '../../shared/ports/session-repository';
import { AssignmentService, type MentorChangeResult } from '../../shared/services/assignment-service';
import { MentorMoves } from '../../shared/services/mentor-moves';
import { SessionService } from '../../shared/services/session-service';
import type { Settings } from '../../shared/settings/settings';
import { aJunior, aMentor, aStory, coordinator, engineCaller, juniorCaller, mentorCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { gateCommits } from '../support/gated-store';
import { settingsWith } from '../support/settings';

/**
 * Mentor assignment end to end on DynamoDB Local (issue 4): the strategies on
 * fixed directories with known answers, queueing when no mentor can take a
 * session, the manual override, concurrent starts, reassignment and its races,
 * mentors becoming unavailable, and the workload view.
 *
 * Every world starts its clock at 09:00 and moves it by minutes (less than the
 * 30-minute check-in interval), so no check-in falls due and event lists stay exact.
 */

const report = { summary: 'done', overallScore: 90, metrics: {} };
const JUNIORS = Array.from({ length: 12 }, (_, i) => `j${i + 1}`);
const TS = (level: number) => [{ area: 'typescript', level }];

interface World {
  table: TestTable;
  clock: ManualClock;
  engine: EmbeddedWorkflowEngine;
  settings: Settings;
  app: AppDeps;
  directory: DirectoryStore;
}

const worlds: World[] = [];
afterAll(() => {
  for (const w of worlds) w.table.dynamo.client.destroy();
});

/**
 * A fresh table and app: mentor counters, the rotation pointer and the queue
 * are global state. Juniors may hold many sessions and the system never fills:
 * only the mentor limit binds.
 */
async function fresh(block: Record<string, unknown>, mentors: readonly Mentor[], stories: readonly Story[] = [aStory('story-ts')]): Promise<World> {
  const table = await createTestTable('assign');
  const clock = new ManualClock();
  const engine = new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock);
  const settings = settingsWith({
    max_concurrent_sessions_per_junior: 100,
    max_concurrent_sessions_system: 1000,
    max_queue_size: 100,
    ...block,
  });
  const app = composeApp({ tableName: table.tableName, dynamo: table.dynamo, clock, engine, settings });
  // The app's own store: a mentor written through it is read again by the app's next start (directory-cache.ts).
  const directory = app.directoryStore;
  await Promise.all([
    ...stories.map((story) => directory.put('story', story)),
    ...JUNIORS.map((id) => directory.put('junior', aJunior(id))),
    ...mentors.map((mentor) => directory.put('mentor', mentor)),
  ]);
  const w = { table, clock, engine, settings, app, directory };
  worlds.push(w);
  return w;
}

const strategy = (name: string, fallbackToAuto = true) => ({ mentor_assignment: { strategy: name, fallback_to_auto: fallbackToAuto } });

const start = (w: World, juniorId: string, options: { storyId?: string; mentorId?: string } = {}) =>
  w.app.sessions.startSession({ storyId: options.storyId ?? 'story-ts', juniorId, ...(options.mentorId !== undefined && { mentorId: options.mentorId }) }, coordinator);

const now = (w: World) => w.clock.now().toISOString();

/** Gives a mentor `n` more open sessions by naming them (manual starts), at the clock's current time. */
async function hold(w: World, mentorId: string, n: number, juniorId = 'j1', storyId = 'story-ts'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const result = await start(w, juniorId, { mentorId, storyId });
    expect(result).toMatchObject({ status: 'started', mentorId, assignment: { mode: 'manual' } });
    ids.push(result.sessionId);
  }
  return ids;
}

/** The session and its log; the log must be gap-free and replay to the status. */
async function details(w: World, id: string): Promise<{ session: Session; events: SessionEvent[] }> {
  const found = await w.app.sessions.getSessionDetails(id, coordinator);
  expect(replayStatus(found.events)).toBe(found.session.status);
  expect(found.events.map((e) => e.seq)).toEqual(found.events.map((_, i) => i + 1));
  expect(found.session.eventCount).toBe(found.events.length);
  return found;
}

/** Every mentor's slot counter equals the number of Active/Paused sessions holding that mentor. */
async function expectCountersMatchOpenSessions(w: World, mentorIds: readonly string[]): Promise<Record<string, number>> {
  const [usage, open] = await Promise.all([w.app.ports.usage.readMentorUsage(mentorIds), w.app.ports.indexes.listOpen()]);
  expect(open.every((s) => s.status === 'Active' || s.status === 'Paused')).toBe(true);
  const counters = Object.fromEntries(mentorIds.map((id) => [id, usage.get(id)?.load ?? 0]));
  const held = Object.fromEntries(mentorIds.map((id) => [id, open.filter((s) => s.mentorId === id).length]));
  expect(counters).toEqual(held);
  return counters;
}

async function mentorLoads(w: World, mentorIds: readonly string[]): Promise<Record<string, number>> {
  const usage = await w.app.ports.usage.readMentorUsage(mentorIds);
  return Object.fromEntries(mentorIds.map((id) => [id, usage.get(id)?.load ?? 0]));
}

/** The rejection of a promise that must reject. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection, got an answer');
}

/** The `mentor_assigned` event of a session, which must explain its assignment exactly. */
async function expectAssignedEvent(w: World, id: string, assignment: MentorAssignment, actor: { actor: string; actorRole: string }) {
  const { session, events } = await details(w, id);
  expect(session.assignment).toEqual(assignment);
  expect(session.mentorId).toBe(assignment.mentorId);
  const assigned = events.filter((e) => e.type === 'mentor_assigned');
  expect(assigned).toHaveLength(1);
  expect(assigned[0]).toMatchObject({ ...actor, reason: assignment.mode });
  expect(assigned[0]!.data).toEqual(assignment);
}

/** Services of the world's app on a store whose first `parties` commits wait for each other: every racer reads before any writes. */
function racing(w: World, store: SessionRepository) {
  const ports = { ...w.app.ports, sessions: store };
  const moves = new MentorMoves({ ...ports, clock: w.clock, settings: w.settings });
  const sessions = new SessionService({
    ...ports,
    engine: w.engine,
    clock: w.clock,
    ids: uuidIds,
    settings: w.settings,
    beforeDrain: () => moves.serveAwaiting(),
  });
  const assignments = new AssignmentService({
    ...ports,
    moves,
    directory: w.directory,
    clock: w.clock,
    settings: w.settings,
    settle: (s) => sessions.settleDeadline(s),
    drain: () => sessions.drainQueue(),
  });
  return { sessions, assignments };
}

/** A store whose commits wait until `release()`; `arrived` resolves when the first commit is waiting. */
function heldCommits(inner: SessionRepository): { store: SessionRepository; arrived: Promise<void>; release: () => void } {
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const commit = async (change: SessionChange) => {
    reached();
    await open;
    return inner.commit(change);
  };
  const store = new Proxy(inner, {
    get: (target, property, receiver) => {
      if (property === 'commit') return commit;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, arrived, release };
}

const candidate = (c: Omit<CandidateScore, 'capacityLeft' | 'loadRatio'>): CandidateScore => ({
  ...c,
  capacityLeft: Math.max(0, c.capacity - c.load),
  loadRatio: c.load / c.capacity,
});

const ranksOf = (result: SessionStartResult) => result.assignment!.candidates.map((c) => [c.mentorId, c.rank ?? c.excluded]);

describe('strategies on a fixed directory with a known answer', () => {
  test('workload_balanced: lowest load ratio among available covering mentors; ties to the one idle longest', async () => {
    // Prepare
    const w = await fresh({ max_concurrent_sessions_per_mentor: 4, ...strategy('workload_balanced') }, [
      aMentor('m-a', { skills: TS(3) }),
      aMentor('m-b', { skills: TS(5), maxConcurrentSessions: 2 }),
      aMentor('m-c', { skills: TS(4) }),
      aMentor('m-d', { skills: TS(4), maxConcurrentSessions: 1 }),
      aMentor('m-e', { skills: TS(5), available: false }),
      // Idle, but does not cover the area: never a candidate.
      aMentor('m-f', { skills: [{ area: 'aws', level: 5 }] }),
    ]);
    const t0 = now(w);
    await hold(w, 'm-d', 1);
    w.clock.advanceMinutes(1);
    await hold(w, 'm-a', 1);
    w.clock.advanceMinutes(1);
    const t2 = now(w);
    await hold(w, 'm-b', 1);
    w.clock.advanceMinutes(1);
    const t3 = now(w);
    await hold(w, 'm-a', 1);
    w.clock.advanceMinutes(1);
    const t4 = now(w);
    await hold(w, 'm-c', 3);
    w.clock.advanceMinutes(1);

    // Act
    const first = await start(w, 'j2');

    // Assess: m-a and m-b tie at 0.5; m-b was last given a session earlier (t2 < t3).
    const expected: MentorAssignment = {
      mode: 'auto',
      mentorId: 'm-b',
      skillArea: 'typescript',
      strategy: 'workload_balanced',
      candidates: [
        { ...candidate({ mentorId: 'm-b', skillLevel: 5, load: 1, capacity: 2, lastAssignedAt: t2 }), rank: 1 },
        { ...candidate({ mentorId: 'm-a', skillLevel: 3, load: 2, capacity: 4, lastAssignedAt: t3 }), rank: 2 },
        { ...candidate({ mentorId: 'm-c', skillLevel: 4, load: 3, capacity: 4, lastAssignedAt: t4 }), rank: 3 },
        { ...candidate({ mentorId: 'm-d', skillLevel: 4, load: 1, capacity: 1, lastAssignedAt: t0 }), excluded: 'full' },
        { ...candidate({ mentorId: 'm-e', skillLevel: 5, load: 0, capacity: 4 }), excluded: 'unavailable' },
      ],
      candidateCount: 5,
    };
    expect(first).toEqual({
      success: true,
      sessionId: first.sessionId,
      status: 'started',
      workflowInstanceId: `embedded-${first.sessionId}`,
      mentorId: 'm-b',
      assignment: expected,
    });
    await expectAssignedEvent(w, first.sessionId, expected, { actor: 'coord-1', actorRole: 'coordinator' });

    // Act: m-b is now full (2/2); m-a (2/4) beats m-c (3/4). Then m-a (3/4, just assigned) ties m-c (3/4, idle since t4).
    w.clock.advanceMinutes(1);
    const second = await start(w, 'j3');
    w.clock.advanceMinutes(1);
    const third = await start(w, 'j4');

    // Assess
    expect([second.mentorId, third.mentorId]).toEqual(['m-a', 'm-c']);
    expect(ranksOf(second)).toEqual([
      ['m-a', 1],
      ['m-c', 2],
      ['m-b', 'full'],
      ['m-d', 'full'],
      ['m-e', 'unavailable'],
    ]);
    expect(ranksOf(third)).toEqual([
      ['m-c', 1],
      ['m-a', 2],
      ['m-b', 'full'],
      ['m-d', 'full'],
      ['m-e', 'unavailable'],
    ]);
    await expectCountersMatchOpenSessions(w, ['m-a', 'm-b', 'm-c', 'm-d', 'm-e', 'm-f']);
  });

  test('workload_balanced: at equal load a never-assigned mentor is idlest, then the lower id wins', async () => {
    // Prepare: g-1 had a session (ended), g-2 and g-3 never had one; all are at 0 load.
    const w = await fresh(
      { max_concurrent_sessions_per_mentor: 4, ...strategy('workload_balanced') },
      [
        aMentor('g-1', { skills: [{ area: 'go', level: 2 }] }),
        aMentor('g-3', { skills: [{ area: 'Go', level: 2 }] }),
        aMentor('g-2', { skills: [{ area: 'go', level: 2 }] }),
      ],
      [aStory('story-go', { skillArea: 'go' })],
    );
    const t0 = now(w);
    const [earlier] = await hold(w, 'g-1', 1, 'j1', 'story-go');
    await w.app.sessions.completeSession(earlier!, { report }, engineCaller);
    w.clock.advanceMinutes(1);

    // Act
    const result = await start(w, 'j2', { storyId: 'story-go' });

    // Assess
    const expected: MentorAssignment = {
      mode: 'auto',
      mentorId: 'g-2',
      skillArea: 'go',
      strategy: 'workload_balanced',
      candidates: [
        { ...candidate({ mentorId: 'g-2', skillLevel: 2, load: 0, capacity: 4 }), rank: 1 },
        { ...candidate({ mentorId: 'g-3', skillLevel: 2, load: 0, capacity: 4 }), rank: 2 },
        { ...candidate({ mentorId: 'g-1', skillLevel: 2, load: 0, capacity: 4, lastAssignedAt: t0 }), rank: 3 },
      ],
      candidateCount: 3,
    };
    expect(result).toMatchObject({ status: 'started', mentorId: 'g-2', assignment: expected });
    await expectAssignedEvent(w, result.sessionId, expected, { actor: 'coord-1', actorRole: 'coordinator' });
    await expectCountersMatchOpenSessions(w, ['g-1', 'g-2', 'g-3']);
  });

  test('skill_matched: highest level in the area; ties to the least loaded, then the idlest', async () => {
    // Prepare
    const w = await fresh({ max_concurrent_sessions_per_mentor: 3, ...strategy('skill_matched') }, [
      aMentor('s-a', { skills: TS(5) }),
      aMentor('s-b', {
        skills: [
          { area: 'aws', level: 1 },
          { area: 'TypeScript', level: 5 },
        ],
      }),
      aMentor('s-c', { skills: TS(3) }),
      aMentor('s-d', { skills: TS(5), maxConcurrentSessions: 1 }),
      aMentor('s-e', { skills: TS(5), available: false }),
      aMentor('s-f', { skills: TS(4) }),
    ]);
    const t0 = now(w);
    await hold(w, 's-d', 1);
    w.clock.advanceMinutes(1);
    const t1 = now(w);
    await hold(w, 's-a', 1);
    w.clock.advanceMinutes(1);
    const t2 = now(w);
    await hold(w, 's-f', 2);
    w.clock.advanceMinutes(1);

    // Act
    const first = await start(w, 'j2');

    // Assess: level 5 first (s-b 0/3 before s-a 1/3), then s-f (4), then s-c (3) although it is idle.
    const expected: MentorAssignment = {
      mode: 'auto',
      mentorId: 's-b',
      skillArea: 'typescript',
      strategy: 'skill_matched',
      candidates: [
        { ...candidate({ mentorId: 's-b', skillLevel: 5, load: 0, capacity: 3 }), rank: 1 },
        { ...candidate({ mentorId: 's-a', skillLevel: 5, load: 1, capacity: 3, lastAssignedAt: t1 }), rank: 2 },
        { ...candidate({ mentorId: 's-f', skillLevel: 4, load: 2, capacity: 3, lastAssignedAt: t2 }), rank: 3 },
        { ...candidate({ mentorId: 's-c', skillLevel: 3, load: 0, capacity: 3 }), rank: 4 },
        { ...candidate({ mentorId: 's-d', skillLevel: 5, load: 1, capacity: 1, lastAssignedAt: t0 }), excluded: 'full' },
        { ...candidate({ mentorId: 's-e', skillLevel: 5, load: 0, capacity: 3 }), excluded: 'unavailable' },
      ],
      candidateCount: 6,
    };
    expect(first).toMatchObject({ status: 'started', mentorId: 's-b', assignment: expected });
    await expectAssignedEvent(w, first.sessionId, expected, { actor: 'coord-1', actorRole: 'coordinator' });

    // Act: s-a and s-b now tie on level and load (1/3); s-a was assigned earlier. Then s-b (1/3) beats s-a (2/3).
    w.clock.advanceMinutes(1);
    const second = await start(w, 'j3');
    w.clock.advanceMinutes(1);
    const third = await start(w, 'j4');

    // Assess
    expect([second.mentorId, third.mentorId]).toEqual(['s-a', 's-b']);
    expect(ranksOf(second).slice(0, 4)).toEqual([
      ['s-a', 1],
      ['s-b', 2],
      ['s-f', 3],
      ['s-c', 4],
    ]);
    expect(ranksOf(third).slice(0, 4)).toEqual([
      ['s-b', 1],
      ['s-a', 2],
      ['s-f', 3],
      ['s-c', 4],
    ]);
    await expectCountersMatchOpenSessions(w, ['s-a', 's-b', 's-c', 's-d', 's-e', 's-f']);
  });

  test('round_robin: mentors in id order after the pointer, skipping the unavailable and the full, wrapping', async () => {
    // Prepare
    const w = await fresh({ max_concurrent_sessions_per_mentor: 3, ...strategy('round_robin') }, [
      aMentor('r-d', { skills: TS(2) }),
      aMentor('r-b', { skills: TS(4) }),
      aMentor('r-a', { skills: TS(1) }),
      aMentor('r-c', { skills: TS(5), available: false }),
      aMentor('r-e', { skills: TS(3), maxConcurrentSessions: 1 }),
      aMentor('q-x', { skills: [{ area: 'aws', level: 5 }] }),
    ]);
    const t0 = now(w);
    // A manual start takes no turn.
    await hold(w, 'r-e', 1);
    w.clock.advanceMinutes(1);

    // Act
    const results: SessionStartResult[] = [];
    for (const junior of ['j2', 'j3', 'j4', 'j5']) {
      results.push(await start(w, junior));
      w.clock.advanceMinutes(1);
    }

    // Assess
    expect(results.map((r) => [r.mentorId, r.assignment?.turn])).toEqual([
      ['r-a', 1],
      ['r-b', 2],
      ['r-d', 3],
      ['r-a', 4],
    ]);
    const expected: MentorAssignment = {
      mode: 'auto',
      mentorId: 'r-a',
      skillArea: 'typescript',
      strategy: 'round_robin',
      candidates: [
        { ...candidate({ mentorId: 'r-a', skillLevel: 1, load: 0, capacity: 3 }), rank: 1 },
        { ...candidate({ mentorId: 'r-b', skillLevel: 4, load: 0, capacity: 3 }), rank: 2 },
        { ...candidate({ mentorId: 'r-d', skillLevel: 2, load: 0, capacity: 3 }), rank: 3 },
        { ...candidate({ mentorId: 'r-c', skillLevel: 5, load: 0, capacity: 3 }), excluded: 'unavailable' },
        { ...candidate({ mentorId: 'r-e', skillLevel: 3, load: 1, capacity: 1, lastAssignedAt: t0 }), excluded: 'full' },
      ],
      candidateCount: 5,
      turn: 1,
    };
    expect(results[0]!.assignment).toEqual(expected);
    await expectAssignedEvent(w, results[0]!.sessionId, expected, { actor: 'coord-1', actorRole: 'coordinator' });
    // The third turn starts after r-b: r-d, then wraps to r-a and r-b.
    expect(ranksOf(results[2]!)).toEqual([
      ['r-d', 1],
      ['r-a', 2],
      ['r-b', 3],
      ['r-c', 'unavailable'],
      ['r-e', 'full'],
    ]);
    await expectAssignedEvent(w, results[2]!.sessionId, results[2]!.assignment!, { actor: 'coord-1', actorRole: 'coordinator' });
    await expectCountersMatchOpenSessions(w, ['r-a', 'r-b', 'r-c', 'r-d', 'r-e', 'q-x']);
  });
});

describe('no eligible mentor: the session queues for one', () => {
  test('nobody covers the area: Queued (blockedBy mentor); a covering mentor added starts it with an auto assignment', async () => {
    // Prepare
    const w = await fresh(
      { max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') },
      [aMentor('m-1')],
      [aStory('story-ts'), aStory('story-rust', { skillArea: 'rust' })],
    );

    // Act
    const queued = await start(w, 'j1', { storyId: 'story-rust' });

    // Assess
    expect(queued).toMatchObject({ success: true, status: 'queued', queuePosition: 1 });
    expect(queued.mentorId).toBeUndefined();
    expect(await w.app.sessions.getQueuePosition(queued.sessionId, coordinator)).toMatchObject({
      status: 'Queued',
      position: 1,
      blockedBy: ['mentor'],
    });
    const { events: queuedEvents } = await details(w, queued.sessionId);
    expect(queuedEvents).toEqual([expect.objectContaining({ type: 'session_queued', data: { blockedBy: ['mentor'] } })]);

    // Act: a coordinator adds a rust mentor (PUT /mentors/{id}).
    w.clock.advanceMinutes(1);
    const rust = aMentor('m-rust', { skills: [{ area: 'Rust', level: 3 }] });
    await w.app.directory.put('mentor', rust, coordinator);
    const saved = await w.app.assignments.mentorSaved(rust);

    // Assess
    expect(saved).toEqual({ ...rust, load: { openSessions: 1, capacity: 2, capacityLeft: 1 } });
    const { session, events } = await details(w, queued.sessionId);
    expect(session).toMatchObject({ status: 'Active', mentorId: 'm-rust' });
    expect(events.map((e) => e.type)).toEqual(['session_queued', 'session_dequeued', 'mentor_assigned']);
    await expectAssignedEvent(
      w,
      queued.sessionId,
      {
        mode: 'auto',
        mentorId: 'm-rust',
        skillArea: 'rust',
        strategy: 'workload_balanced',
        candidates: [{ ...candidate({ mentorId: 'm-rust', skillLevel: 3, load: 0, capacity: 2 }), rank: 1 }],
        candidateCount: 1,
      },
      { actor: 'system', actorRole: 'system' },
    );
    await expectCountersMatchOpenSessions(w, ['m-1', 'm-rust']);
  });

  test('every covering mentor is full: Queued; a completed session frees a slot and it starts there at once', async () => {
    // Prepare
    const w = await fresh({ max_concurrent_sessions_per_mentor: 1, ...strategy('workload_balanced') }, [aMentor('m-1'), aMentor('m-2')]);
    await hold(w, 'm-1', 1);
    const [onM2] = await hold(w, 'm-2', 1);

    // Act
    const queued = await start(w, 'j2');

    // Assess
    expect(queued).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect((await w.app.sessions.getQueuePosition(queued.sessionId, coordinator)).blockedBy).toEqual(['mentor']);

    // Act
    w.clock.advanceMinutes(1);
    await w.app.sessions.completeSession(onM2!, { report }, engineCaller);

    // Assess
    const { session, events } = await details(w, queued.sessionId);
    expect(session).toMatchObject({ status: 'Active', mentorId: 'm-2', assignment: { mode: 'auto', strategy: 'workload_balanced' } });
    expect(session.assignment!.candidates.map((c) => [c.mentorId, c.rank ?? c.excluded])).toEqual([
      ['m-2', 1],
      ['m-1', 'full'],
    ]);
    expect(events.map((e) => e.type)).toEqual(['session_queued', 'session_dequeued', 'mentor_assigned']);
    await expectCountersMatchOpenSessions(w, ['m-1', 'm-2']);
  });

  test('every covering mentor is unavailable: Queued; a mentor made available starts it', async () => {
    // Prepare
    const away = aMentor('m-1', { available: false });
    const w = await fresh({ max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') }, [away]);

    // Act
    const queued = await start(w, 'j1');

    // Assess
    expect(queued).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect((await w.app.sessions.getQueuePosition(queued.sessionId, coordinator)).blockedBy).toEqual(['mentor']);

    // Act
    const back = { ...away, available: true };
    await w.directory.put('mentor', back);
    const saved = await w.app.assignments.mentorSaved(back);

    // Assess
    expect(saved.load).toEqual({ openSessions: 1, capacity: 2, capacityLeft: 1 });
    const { session } = await details(w, queued.sessionId);
    expect(session).toMatchObject({ status: 'Active', mentorId: 'm-1', assignment: { mode: 'auto', mentorId: 'm-1' } });
    await expectCountersMatchOpenSessions(w, ['m-1']);
  });
});

describe('manual override', () => {
  let w: World;
  beforeAll(async () => {
    w = await fresh({ max_concurrent_sessions_per_mentor: 1, ...strategy('workload_balanced', true) }, [
      aMentor('m-1'),
      aMentor('m-2'),
      aMentor('m-aws', { skills: [{ area: 'aws', level: 5 }] }),
    ]);
  });

  test('a named mentor with a free slot wins, even without the skill (mode manual)', async () => {
    // Act
    const result = await start(w, 'j1', { mentorId: 'm-aws' });

    // Assess
    const expected: MentorAssignment = { mode: 'manual', mentorId: 'm-aws', skillArea: 'typescript', candidates: [], candidateCount: 0 };
    expect(result).toMatchObject({ status: 'started', mentorId: 'm-aws', assignment: expected });
    await expectAssignedEvent(w, result.sessionId, expected, { actor: 'coord-1', actorRole: 'coordinator' });
  });

  test('a named mentor who is full, fallback_to_auto true: chosen automatically among the others (mode fallback_to_auto)', async () => {
    // Prepare
    const t0 = now(w);
    await hold(w, 'm-1', 1);
    w.clock.advanceMinutes(1);

    // Act
    const result = await start(w, 'j2', { mentorId: 'm-1' });

    // Assess
    const expected: MentorAssignment = {
      mode: 'fallback_to_auto',
      mentorId: 'm-2',
      skillArea: 'typescript',
      strategy: 'workload_balanced',
      requestedMentorId: 'm-1',
      candidates: [
        { ...candidate({ mentorId: 'm-2', skillLevel: 4, load: 0, capacity: 1 }), rank: 1 },
        { ...candidate({ mentorId: 'm-1', skillLevel: 4, load: 1, capacity: 1, lastAssignedAt: t0 }), excluded: 'excluded' },
      ],
      candidateCount: 2,
    };
    expect(result).toMatchObject({ status: 'started', mentorId: 'm-2', assignment: expected });
    await expectAssignedEvent(w, result.sessionId, expected, { actor: 'coord-1', actorRole: 'coordinator' });
    await expectCountersMatchOpenSessions(w, ['m-1', 'm-2', 'm-aws']);
  });

  test('a named mentor who is full, fallback_to_auto false: Queued, and it starts with that mentor when their slot frees', async () => {
    // Prepare: m-1 is full, m-2 is free.
    const pinned = await fresh({ max_concurrent_sessions_per_mentor: 1, ...strategy('workload_balanced', false) }, [aMentor('m-1'), aMentor('m-2')]);
    const [holding] = await hold(pinned, 'm-1', 1);

    // Act
    const queued = await start(pinned, 'j2', { mentorId: 'm-1' });

    // Assess
    expect(queued).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect((await pinned.app.sessions.getQueuePosition(queued.sessionId, coordinator)).blockedBy).toEqual(['mentor']);
    const { session: waiting, events: queuedEvents } = await details(pinned, queued.sessionId);
    expect(waiting.mentorRequest).toEqual({ mentorId: 'm-1', fallbackToAuto: false });
    expect(queuedEvents[0]).toMatchObject({ type: 'session_queued', data: { blockedBy: ['mentor'], requestedMentorId: 'm-1' } });
    expect(await mentorLoads(pinned, ['m-1', 'm-2'])).toEqual({ 'm-1': 1, 'm-2': 0 });

    // Act
    pinned.clock.advanceMinutes(1);
    await pinned.app.sessions.completeSession(holding!, { report }, engineCaller);

    // Assess
    const { session, events } = await details(pinned, queued.sessionId);
    expect(session.status).toBe('Active');
    expect(session.mentorRequest).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['session_queued', 'session_dequeued', 'mentor_assigned']);
    await expectAssignedEvent(
      pinned,
      queued.sessionId,
      { mode: 'manual', mentorId: 'm-1', skillArea: 'typescript', candidates: [], candidateCount: 0 },
      { actor: 'system', actorRole: 'system' },
    );
    await expectCountersMatchOpenSessions(pinned, ['m-1', 'm-2']);
  });
});

describe('concurrent starts', () => {
  test('round_robin: 12 concurrent starts over 4 mentors take turns 1..12 exactly once; each mentor gets 3', async () => {
    // Prepare
    const mentors = ['c-1', 'c-2', 'c-3', 'c-4'];
    const w = await fresh(
      { max_concurrent_sessions_per_mentor: 10, ...strategy('round_robin') },
      mentors.map((id) => aMentor(id)),
    );

    // Act
    const results = await Promise.all(JUNIORS.map((junior) => start(w, junior)));

    // Assess
    expect(results.every((r) => r.status === 'started')).toBe(true);
    const turns = results.map((r) => r.assignment!.turn!).sort((a, b) => a - b);
    expect(turns).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // Turn k went to the k-th mentor in id order, wrapping.
    for (const r of results) expect(r.mentorId).toBe(mentors[(r.assignment!.turn! - 1) % 4]);
    const perMentor = Object.fromEntries(mentors.map((id) => [id, results.filter((r) => r.mentorId === id).length]));
    expect(perMentor).toEqual({ 'c-1': 3, 'c-2': 3, 'c-3': 3, 'c-4': 3 });
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual(perMentor);
    for (const r of results) {
      const { events } = await details(w, r.sessionId);
      expect(events.find((e) => e.type === 'mentor_assigned')!.data).toMatchObject({ turn: r.assignment!.turn, mentorId: r.mentorId });
    }
  });

  test("workload_balanced: concurrent starts never exceed a mentor's capacity; the rest queue for a mentor", async () => {
    // Prepare: 3 mentors x 2 slots, 9 starts at once.
    const mentors = ['b-1', 'b-2', 'b-3'];
    const w = await fresh(
      { max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') },
      mentors.map((id) => aMentor(id)),
    );

    // Act
    const results = await Promise.all(JUNIORS.slice(0, 9).map((junior) => start(w, junior)));

    // Assess
    const started = results.filter((r) => r.status === 'started');
    const queued = results.filter((r) => r.status === 'queued');
    expect([started.length, queued.length]).toEqual([6, 3]);
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'b-1': 2, 'b-2': 2, 'b-3': 2 });
    const open = await w.app.ports.indexes.listOpen();
    expect(open.map((s) => s.id).sort()).toEqual(started.map((r) => r.sessionId).sort());
    for (const q of queued) {
      expect((await w.app.sessions.getQueuePosition(q.sessionId, coordinator)).blockedBy).toEqual(['mentor']);
      expect((await details(w, q.sessionId)).session.status).toBe('Queued');
    }
  });

  test('a mentor marked unavailable between a start reading them and its commit takes nobody: the start re-decides', async () => {
    // Prepare: h-1 is idle (the strategy's choice), h-2 has one session.
    const w = await fresh({ max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') }, [aMentor('h-1'), aMentor('h-2')]);
    await hold(w, 'h-2', 1);
    const held = heldCommits(w.app.ports.sessions);
    const { sessions } = racing(w, held.store);

    // Act
    const pending = sessions.startSession({ storyId: 'story-ts', juniorId: 'j2' }, coordinator);
    await held.arrived;
    await w.directory.put('mentor', aMentor('h-1', { available: false }));
    held.release();
    const result = await pending;

    // Assess
    expect(result).toMatchObject({ status: 'started', mentorId: 'h-2', assignment: { mode: 'auto' } });
    expect(ranksOf(result)).toEqual([
      ['h-2', 1],
      ['h-1', 'unavailable'],
    ]);
    expect(await expectCountersMatchOpenSessions(w, ['h-1', 'h-2'])).toEqual({ 'h-1': 0, 'h-2': 2 });
  });
});

describe('reassignment', () => {
  let w: World;
  const MENTORS = ['m-1', 'm-2', 'm-3', 'm-off', 'm-flip'];
  beforeAll(async () => {
    w = await fresh({ max_concurrent_sessions_per_mentor: 10, ...strategy('workload_balanced', false) }, [
      aMentor('m-1'),
      aMentor('m-2'),
      aMentor('m-3', { maxConcurrentSessions: 1 }),
      aMentor('m-off', { available: false }),
      aMentor('m-flip'),
    ]);
  });

  test('moves the slot atomically, records mentor_reassigned, and the history lists assigned then reassigned', async () => {
    // Prepare
    const [id] = await hold(w, 'm-1', 1, 'j1');
    const before = await mentorLoads(w, ['m-1', 'm-2']);
    w.clock.advanceMinutes(1);

    // Act
    const result = await w.app.assignments.reassign(id!, { mentorId: 'm-2', reason: 'needs a second opinion', notes: 'pairing on Friday' }, coordinator);

    // Assess
    expect(result).toEqual({ sessionId: id, status: 'Active', mentorId: 'm-2', previousMentorId: 'm-1', changed: true });
    expect(await mentorLoads(w, ['m-1', 'm-2'])).toEqual({ 'm-1': before['m-1']! - 1, 'm-2': before['m-2']! + 1 });
    const { session, events } = await details(w, id!);
    expect(session).toMatchObject({
      status: 'Active',
      mentorId: 'm-2',
      assignment: { mode: 'manual', mentorId: 'm-2', skillArea: 'typescript', candidates: [], candidateCount: 0 },
    });
    expect(events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'mentor_reassigned']);
    expect(events[2]).toMatchObject({
      actor: 'coord-1',
      actorRole: 'coordinator',
      reason: 'needs a second opinion',
      notes: 'pairing on Friday',
      occurredAt: now(w),
    });
    expect(events[2]!.data).toEqual({ previousMentorId: 'm-1', mentorId: 'm-2', mode: 'manual', candidates: [] });
    expect(await w.app.assignments.mentorHistory(id!, coordinator)).toEqual([
      { seq: 2, at: events[1]!.occurredAt, type: 'mentor_assigned', mentorId: 'm-1', mode: 'manual', reason: 'manual', actor: 'coord-1', actorRole: 'coordinator' },
      {
        seq: 3,
        at: now(w),
        type: 'mentor_reassigned',
        mentorId: 'm-2',
        previousMentorId: 'm-1',
        mode: 'manual',
        reason: 'needs a second opinion',
        notes: 'pairing on Friday',
        actor: 'coord-1',
        actorRole: 'coordinator',
      },
    ]);
    // Access follows the mentor: the new one sees the session, the old one no longer does.
    expect((await w.app.sessions.getSession(id!, mentorCaller('m-2'))).id).toBe(id);
    expect(await rejection(w.app.sessions.getSession(id!, mentorCaller('m-1')))).toMatchObject({ code: 'not_found' });
    await expectCountersMatchOpenSessions(w, MENTORS);
  });

  test('a Paused session moves too, and stays Paused', async () => {
    // Prepare
    const [id] = await hold(w, 'm-1', 1, 'j2');
    await w.app.sessions.pauseSession(id!, { reason: 'lunch' }, coordinator);
    const before = await mentorLoads(w, ['m-1', 'm-2']);

    // Act
    const result = await w.app.assignments.reassign(id!, { mentorId: 'm-2', reason: 'rebalance' }, coordinator);

    // Assess
    expect(result).toEqual({ sessionId: id, status: 'Paused', mentorId: 'm-2', previousMentorId: 'm-1', changed: true });
    expect(await mentorLoads(w, ['m-1', 'm-2'])).toEqual({ 'm-1': before['m-1']! - 1, 'm-2': before['m-2']! + 1 });
    expect((await details(w, id!)).session).toMatchObject({ status: 'Paused', mentorId: 'm-2' });
    await expectCountersMatchOpenSessions(w, MENTORS);
  });

  test('to a full mentor: mentor_unavailable (reason full), nothing written', async () => {
    // Prepare: m-3 can hold one session and holds one.
    await hold(w, 'm-3', 1, 'j3');
    const [id] = await hold(w, 'm-1', 1, 'j3');
    const before = await details(w, id!);
    const loads = await mentorLoads(w, MENTORS);

    // Act
    const error = await rejection(w.app.assignments.reassign(id!, { mentorId: 'm-3', reason: 'x' }, coordinator));

    // Assess
    expect(error).toBeInstanceOf(MentorCannotTakeError);
    expect(error).toMatchObject({ code: 'mentor_unavailable', details: { mentorId: 'm-3', reason: 'full' } });
    expect(await details(w, id!)).toEqual(before);
    expect(await mentorLoads(w, MENTORS)).toEqual(loads);
  });

  test('to an unavailable mentor: mentor_unavailable (reason unavailable), nothing written', async () => {
    // Prepare
    const [id] = await hold(w, 'm-1', 1, 'j4');
    const before = await details(w, id!);
    const loads = await mentorLoads(w, MENTORS);

    // Act
    const error = await rejection(w.app.assignments.reassign(id!, { mentorId: 'm-off', reason: 'x' }, coordinator));

    // Assess
    expect(error).toBeInstanceOf(MentorCannotTakeError);
    expect(error).toMatchObject({ code: 'mentor_unavailable', details: { mentorId: 'm-off', reason: 'unavailable' } });
    expect(await details(w, id!)).toEqual(before);
    expect(await mentorLoads(w, MENTORS)).toEqual(loads);
  });

  test('to a mentor marked unavailable after the reassignment read them: refused by the availability check, nothing written', async () => {
    // Prepare
    const [id] = await hold(w, 'm-1', 1, 'j5');
    const before = await details(w, id!);
    const loads = await mentorLoads(w, MENTORS);
    const held = heldCommits(w.app.ports.sessions);
    const { assignments } = racing(w, held.store);

    // Act
    const pending = rejection(assignments.reassign(id!, { mentorId: 'm-flip', reason: 'x' }, coordinator));
    await held.arrived;
    await w.directory.put('mentor', aMentor('m-flip', { available: false }));
    held.release();
    const error = await pending;

    // Assess
    expect(error).toMatchObject({ code: 'mentor_unavailable', details: { mentorId: 'm-flip', reason: 'unavailable' } });
    expect(await details(w, id!)).toEqual(before);
    expect(await mentorLoads(w, MENTORS)).toEqual(loads);
  });

  test('to the same mentor: changed false, no event', async () => {
    // Prepare
    const [id] = await hold(w, 'm-2', 1, 'j6');
    const before = await details(w, id!);

    // Act
    const result = await w.app.assignments.reassign(id!, { mentorId: 'm-2', reason: 'x' }, coordinator);

    // Assess
    expect(result).toEqual({ sessionId: id, status: 'Active', mentorId: 'm-2', changed: false });
    expect(await details(w, id!)).toEqual(before);
  });

  test('on a Queued or a Completed session: session_not_running', async () => {
    // Prepare: m-3 is full and the start names them without fallback, so it queues.
    const [done] = await hold(w, 'm-1', 1, 'j7');
    await w.app.sessions.completeSession(done!, { report }, engineCaller);
    const queued = await start(w, 'j7', { mentorId: 'm-3' });
    expect(queued.status).toBe('queued');

    // Act
    const onQueued = await rejection(w.app.assignments.reassign(queued.sessionId, { mentorId: 'm-2', reason: 'x' }, coordinator));
    const onCompleted = await rejection(w.app.assignments.reassign(done!, { mentorId: 'm-2', reason: 'x' }, coordinator));

    // Assess
    expect(onQueued).toBeInstanceOf(SessionNotRunningError);
    expect(onQueued).toMatchObject({ code: 'session_not_running', details: { currentStatus: 'Queued' } });
    expect(onCompleted).toBeInstanceOf(SessionNotRunningError);
    expect(onCompleted).toMatchObject({ code: 'session_not_running', details: { currentStatus: 'Completed' } });
    expect((await details(w, queued.sessionId)).events.map((e) => e.type)).toEqual(['session_queued']);
    expect((await details(w, done!)).events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_completed']);
    await w.app.sessions.cancelSession(queued.sessionId, { reason: 'cleanup' }, coordinator);
    await expectCountersMatchOpenSessions(w, MENTORS);
  });

  test('an unknown mentor is a reference_not_found; a mentor may not reassign', async () => {
    // Prepare
    const [id] = await hold(w, 'm-1', 1, 'j8');

    // Act
    const unknown = await rejection(w.app.assignments.reassign(id!, { mentorId: 'nobody', reason: 'x' }, coordinator));
    const byMentor = await rejection(w.app.assignments.reassign(id!, { mentorId: 'm-2', reason: 'x' }, mentorCaller('m-1')));

    // Assess
    expect(unknown).toBeInstanceOf(ReferenceNotFoundError);
    expect(unknown).toMatchObject({ code: 'reference_not_found', details: { field: 'mentorId', id: 'nobody' } });
    expect(byMentor).toBeInstanceOf(ForbiddenError);
    expect(byMentor).toMatchObject({ code: 'forbidden' });
    expect((await details(w, id!)).session.mentorId).toBe('m-1');
  });
});

describe('reassignment races', () => {
  /** For every mentor: counter == open sessions; every log replays to its session's status. */
  async function expectConsistent(w: World, mentors: readonly string[], ids: readonly string[]) {
    await expectCountersMatchOpenSessions(w, mentors);
    for (const id of ids) await details(w, id);
  }

  test('two reassignments of one session at once to two different mentors: both apply, one after the other', async () => {
    // Prepare
    const mentors = ['m-1', 'm-2', 'm-3'];
    const w = await fresh(
      { max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') },
      mentors.map((id) => aMentor(id)),
    );
    const [id] = await hold(w, 'm-1', 1);

    for (let round = 0; round < 6; round += 1) {
      const current = (await details(w, id!)).session.mentorId!;
      const [x, y] = mentors.filter((m) => m !== current) as [string, string];
      const racers = racing(w, gateCommits(w.app.ports.sessions, 2));
      const historyBefore = (await w.app.assignments.mentorHistory(id!, coordinator)).length;

      // Act
      const outcomes = await Promise.allSettled([
        racers.assignments.reassign(id!, { mentorId: x, reason: `round ${round} to ${x}` }, coordinator),
        racers.assignments.reassign(id!, { mentorId: y, reason: `round ${round} to ${y}` }, coordinator),
      ]);

      // Assess: the loser re-read the winner's mentor and moved the session from there.
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
      const results = outcomes.map((o) => (o as PromiseFulfilledResult<MentorChangeResult>).value);
      const first = results.find((r) => r.previousMentorId === current)!;
      const second = results.find((r) => r !== first)!;
      expect(first).toBeDefined();
      expect(second).toMatchObject({ changed: true, previousMentorId: first.mentorId });
      const { session, events } = await details(w, id!);
      expect(session.mentorId).toBe(second.mentorId);
      expect(events.slice(-2).map((e) => [e.type, e.data?.previousMentorId, e.data?.mentorId])).toEqual([
        ['mentor_reassigned', current, first.mentorId],
        ['mentor_reassigned', first.mentorId, second.mentorId],
      ]);
      expect(await w.app.assignments.mentorHistory(id!, coordinator)).toHaveLength(historyBefore + 2);
      const counters = await expectCountersMatchOpenSessions(w, mentors);
      expect(counters).toEqual(Object.fromEntries(mentors.map((m) => [m, m === second.mentorId ? 1 : 0])));
      await expectConsistent(w, mentors, [id!]);
    }
  });

  test('reassignment and cancel at once: either order, the slots end free and the log replays', async () => {
    // Prepare
    const mentors = ['m-1', 'm-2'];
    const w = await fresh(
      { max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') },
      mentors.map((id) => aMentor(id)),
    );
    const ids: string[] = [];

    for (let round = 0; round < 6; round += 1) {
      const [id] = await hold(w, 'm-1', 1, JUNIORS[round]!);
      ids.push(id!);
      const racers = racing(w, gateCommits(w.app.ports.sessions, 2));

      // Act
      const [reassigned, cancelled] = await Promise.allSettled([
        racers.assignments.reassign(id!, { mentorId: 'm-2', reason: 'race' }, coordinator),
        racers.sessions.cancelSession(id!, { reason: 'race' }, coordinator),
      ]);

      // Assess
      expect(cancelled).toEqual({ status: 'fulfilled', value: { success: true, sessionId: id, status: 'Cancelled' } });
      const { session, events } = await details(w, id!);
      expect(session.status).toBe('Cancelled');
      if (reassigned.status === 'fulfilled') {
        expect(reassigned.value).toEqual({ sessionId: id, status: 'Active', mentorId: 'm-2', previousMentorId: 'm-1', changed: true });
        expect(events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'mentor_reassigned', 'session_cancelled']);
        expect(session.mentorId).toBe('m-2');
      } else {
        expect(reassigned.reason).toBeInstanceOf(SessionNotRunningError);
        expect(reassigned.reason).toMatchObject({ code: 'session_not_running', details: { currentStatus: 'Cancelled' } });
        expect(events.map((e) => e.type)).toEqual(['session_started', 'mentor_assigned', 'session_cancelled']);
        expect(session.mentorId).toBe('m-1');
      }
      expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'm-1': 0, 'm-2': 0 });
    }
    await expectConsistent(w, mentors, ids);
  });

  test('several sessions reassigned at once to a mentor with one free slot: exactly one succeeds', async () => {
    // Prepare: t-1 holds 1 of 2; four sessions on m-1 and m-2 all want t-1.
    const mentors = ['m-1', 'm-2', 't-1'];
    const w = await fresh(
      { max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') },
      mentors.map((id) => aMentor(id)),
    );
    const onM1 = await hold(w, 'm-1', 2);
    const onM2 = await hold(w, 'm-2', 2);
    const onT1 = await hold(w, 't-1', 1);
    const contenders = [...onM1, ...onM2];
    const origin = (id: string) => (onM1.includes(id) ? 'm-1' : 'm-2');

    for (let round = 0; round < 4; round += 1) {
      const racers = racing(w, gateCommits(w.app.ports.sessions, contenders.length));
      const before = new Map(await Promise.all(contenders.map(async (id) => [id, await details(w, id)] as const)));

      // Act
      const outcomes = await Promise.allSettled(contenders.map((id) => racers.assignments.reassign(id, { mentorId: 't-1', reason: `round ${round}` }, coordinator)));

      // Assess
      const winners = contenders.filter((_, i) => outcomes[i]!.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') continue;
        expect(outcome.reason).toBeInstanceOf(MentorCannotTakeError);
        expect(outcome.reason).toMatchObject({ code: 'mentor_unavailable', details: { mentorId: 't-1', reason: 'full' } });
        expect(await details(w, contenders[i]!)).toEqual(before.get(contenders[i]!));
      }
      expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({
        'm-1': origin(winners[0]!) === 'm-1' ? 1 : 2,
        'm-2': origin(winners[0]!) === 'm-2' ? 1 : 2,
        't-1': 2,
      });
      await expectConsistent(w, mentors, [...contenders, ...onT1]);

      // Put the winner back, so the next round starts from the same loads.
      await w.app.assignments.reassign(winners[0]!, { mentorId: origin(winners[0]!), reason: 'reset' }, coordinator);
      expect(await mentorLoads(w, mentors)).toEqual({ 'm-1': 2, 'm-2': 2, 't-1': 1 });
    }
  });
});

describe('a mentor becomes unavailable', () => {
  test('their sessions move by the strategy; if nobody can take one it waits, and a later drain moves it', async () => {
    // Prepare: u-a holds 2 (of 2), u-b 1 (of 2), u-c 0 (of 1).
    const mentors = ['u-a', 'u-b', 'u-c', 'u-x'];
    const w = await fresh({ max_concurrent_sessions_per_mentor: 2, ...strategy('workload_balanced') }, [
      aMentor('u-a'),
      aMentor('u-b'),
      aMentor('u-c', { maxConcurrentSessions: 1 }),
      aMentor('u-x', { skills: [{ area: 'aws', level: 5 }] }),
    ]);
    const uaLast = now(w);
    const [s1, s2] = await hold(w, 'u-a', 2, 'j1');
    w.clock.advanceMinutes(1);
    const tB = now(w);
    const [s3] = await hold(w, 'u-b', 1, 'j2');
    w.clock.advanceMinutes(1);
    const tA = now(w);

    // Act: a coordinator marks u-a unavailable (PUT /mentors/u-a).
    const awayA = aMentor('u-a', { available: false });
    await w.directory.put('mentor', awayA);
    const savedA = await w.app.assignments.mentorSaved(awayA);

    // Assess: s1 goes to the idle u-c (0/1); then u-c is full and s2 goes to u-b (1/2).
    expect(savedA).toEqual({ ...awayA, load: { openSessions: 0, capacity: 2, capacityLeft: 2 }, reassignment: { reassigned: [s1, s2], awaitingMentor: [] } });
    const moved1 = await details(w, s1!);
    expect(moved1.session).toMatchObject({ status: 'Active', mentorId: 'u-c', assignment: { mode: 'auto', mentorId: 'u-c', strategy: 'workload_balanced' } });
    expect(moved1.session.awaitingMentorSince).toBeUndefined();
    expect(moved1.events.at(-1)).toMatchObject({ type: 'mentor_reassigned', actor: 'system', actorRole: 'system', reason: 'mentor_unavailable', occurredAt: tA });
    expect(moved1.events.at(-1)!.data).toEqual({
      previousMentorId: 'u-a',
      mentorId: 'u-c',
      mode: 'auto',
      strategy: 'workload_balanced',
      candidates: [
        { ...candidate({ mentorId: 'u-c', skillLevel: 4, load: 0, capacity: 1 }), rank: 1 },
        { ...candidate({ mentorId: 'u-b', skillLevel: 4, load: 1, capacity: 2, lastAssignedAt: tB }), rank: 2 },
        { ...candidate({ mentorId: 'u-a', skillLevel: 4, load: 2, capacity: 2, lastAssignedAt: uaLast }), excluded: 'excluded' },
      ],
    });
    const moved2 = await details(w, s2!);
    expect(moved2.session.mentorId).toBe('u-b');
    expect(moved2.events.at(-1)).toMatchObject({
      type: 'mentor_reassigned',
      actor: 'system',
      reason: 'mentor_unavailable',
      data: { previousMentorId: 'u-a', mentorId: 'u-b' },
    });
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'u-a': 0, 'u-b': 2, 'u-c': 1, 'u-x': 0 });

    // Act: a new start. u-a is idle but unavailable; everyone else is full.
    const newStart = await start(w, 'j3');

    // Assess: it never gets u-a; it queues for a mentor.
    expect(newStart.status).toBe('queued');
    expect((await w.app.sessions.getQueuePosition(newStart.sessionId, coordinator)).blockedBy).toEqual(['mentor']);
    await w.app.sessions.cancelSession(newStart.sessionId, { reason: 'not now' }, coordinator);

    // Act: u-b becomes unavailable too; nobody can take s2 or s3 (u-c full, u-a away).
    w.clock.advanceMinutes(1);
    const tWait = now(w);
    const awayB = aMentor('u-b', { available: false });
    await w.directory.put('mentor', awayB);
    const savedB = await w.app.assignments.mentorSaved(awayB);

    // Assess: they keep running with u-b (and u-b's slots), waiting for a mentor.
    expect(savedB.reassignment).toEqual({ reassigned: [], awaitingMentor: [s2, s3] });
    expect(savedB.load).toEqual({ openSessions: 2, capacity: 2, capacityLeft: 0 });
    for (const id of [s2!, s3!]) {
      const { session, events } = await details(w, id);
      expect(session).toMatchObject({ status: 'Active', mentorId: 'u-b', awaitingMentorSince: tWait });
      expect(events.at(-1)).toMatchObject({
        type: 'mentor_reassignment_queued',
        actor: 'system',
        actorRole: 'system',
        reason: 'mentor_unavailable',
        data: { mentorId: 'u-b' },
      });
    }
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'u-a': 0, 'u-b': 2, 'u-c': 1, 'u-x': 0 });

    // Act: u-c frees its slot; a later drain serves the waiting sessions, longest waiting first.
    w.clock.advanceMinutes(1);
    await w.app.sessions.completeSession(s1!, { report }, engineCaller);
    const tDrain = now(w);
    await w.app.sessions.drainQueue();

    // Assess: s2 moves to u-c; s3 still waits (u-c is full again).
    const served = await details(w, s2!);
    expect(served.session.mentorId).toBe('u-c');
    expect(served.session.awaitingMentorSince).toBeUndefined();
    expect(served.events.at(-1)).toMatchObject({
      type: 'mentor_reassigned',
      actor: 'system',
      reason: 'mentor_unavailable',
      occurredAt: tDrain,
      data: { previousMentorId: 'u-b', mentorId: 'u-c' },
    });
    expect((await details(w, s3!)).session).toMatchObject({ mentorId: 'u-b', awaitingMentorSince: tWait });
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'u-a': 0, 'u-b': 1, 'u-c': 1, 'u-x': 0 });
    expect((await w.app.assignments.mentorHistory(s2!, coordinator)).map((h) => [h.type, h.previousMentorId, h.mentorId, h.actor])).toEqual([
      ['mentor_assigned', undefined, 'u-a', 'coord-1'],
      ['mentor_reassigned', 'u-a', 'u-b', 'system'],
      ['mentor_reassignment_queued', undefined, 'u-b', 'system'],
      ['mentor_reassigned', 'u-b', 'u-c', 'system'],
    ]);

    // Act: u-b is back; s3's wait ends with the mentor it has.
    const backB = aMentor('u-b');
    await w.directory.put('mentor', backB);
    await w.app.assignments.mentorSaved(backB);

    // Assess
    const resumed = await details(w, s3!);
    expect(resumed.session.mentorId).toBe('u-b');
    expect(resumed.session.awaitingMentorSince).toBeUndefined();
    expect(resumed.events.at(-1)).toMatchObject({ type: 'mentor_reassigned', reason: 'mentor_available_again', data: { previousMentorId: 'u-b', mentorId: 'u-b' } });
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'u-a': 0, 'u-b': 1, 'u-c': 1, 'u-x': 0 });
    expect(await w.app.ports.indexes.listAwaitingMentor(10)).toEqual([]);
  });
});

describe('workload', () => {
  let w: World;
  let s1: string;
  let s2: string;
  let queuedId: string;
  beforeAll(async () => {
    w = await fresh({ max_concurrent_sessions_per_mentor: 3, ...strategy('workload_balanced', false) }, [
      aMentor('w-1', { maxConcurrentSessions: 2 }),
      aMentor('w-2'),
      aMentor('w-3', { maxConcurrentSessions: 5 }),
    ]);
    [s1] = (await hold(w, 'w-1', 1, 'j1')) as [string];
    w.clock.advanceMinutes(1);
    [s2] = (await hold(w, 'w-1', 1, 'j2')) as [string];
    await w.app.sessions.pauseSession(s2, { reason: 'lunch' }, coordinator);
    w.clock.advanceMinutes(1);
    // w-1 is full; this start names them without fallback, so it waits for them.
    queuedId = (await start(w, 'j3', { mentorId: 'w-1' })).sessionId;
  });

  test("shows open sessions, capacity (the lower of the setting and the mentor's own), its sessions and the sessions queued for them", async () => {
    // Act
    const view = await w.app.assignments.workload('w-1', coordinator);

    // Assess
    expect(view).toEqual({
      mentorId: 'w-1',
      available: true,
      capacity: 2,
      openSessions: 2,
      capacityLeft: 0,
      lastAssignedAt: '2026-01-05T09:01:00.000Z',
      sessions: [
        { id: s1, status: 'Active', juniorId: 'j1', storyId: 'story-ts', startedAt: '2026-01-05T09:00:00.000Z' },
        { id: s2, status: 'Paused', juniorId: 'j2', storyId: 'story-ts', startedAt: '2026-01-05T09:01:00.000Z' },
      ],
      queued: [{ id: queuedId, enqueuedAt: '2026-01-05T09:02:00.000Z', fallbackToAuto: false }],
    });
    expect(await w.app.assignments.workload('w-2', coordinator)).toEqual({
      mentorId: 'w-2',
      available: true,
      capacity: 3,
      openSessions: 0,
      capacityLeft: 3,
      sessions: [],
      queued: [],
    });
    // Their own cap of 5 cannot raise the setting's 3.
    expect(await w.app.assignments.workload('w-3', coordinator)).toMatchObject({ capacity: 3, capacityLeft: 3 });
  });

  test('a mentor reads their own workload, not another one', async () => {
    // Act
    const own = await w.app.assignments.workload('w-1', mentorCaller('w-1'));
    const other = await rejection(w.app.assignments.workload('w-1', mentorCaller('w-2')));
    const junior = await rejection(w.app.assignments.workload('w-1', juniorCaller('j1')));

    // Assess
    expect(own).toEqual(await w.app.assignments.workload('w-1', coordinator));
    expect(other).toBeInstanceOf(ForbiddenError);
    expect(other).toMatchObject({ code: 'forbidden' });
    expect(junior).toMatchObject({ code: 'forbidden' });
  });

  test('when a slot frees, the session queued for the mentor moves from queued to sessions', async () => {
    // Act
    await w.app.sessions.completeSession(s1, { report }, engineCaller);

    // Assess
    const view = await w.app.assignments.workload('w-1', coordinator);
    expect(view).toMatchObject({ openSessions: 2, capacityLeft: 0, queued: [] });
    expect(view.sessions.map((s) => [s.id, s.status])).toEqual([
      [s2, 'Paused'],
      [queuedId, 'Active'],
    ]);
    await expectCountersMatchOpenSessions(w, ['w-1', 'w-2', 'w-3']);
  });
});

describe('one drain assigning several sessions keeps every decision current', () => {
  test('the reassignment wait list: a session served after others of the same area sees the loads they added', async () => {
    // Prepare: u-b can hold one session. s1, s3 run with u-a; s2 with u-b (ids in that order).
    const mentors = ['u-a', 'u-b', 'u-c', 'u-d'];
    const w = await fresh({ max_concurrent_sessions_per_mentor: 4, ...strategy('workload_balanced') }, [aMentor('u-a'), aMentor('u-b', { maxConcurrentSessions: 1 })]);
    const [s1] = await hold(w, 'u-a', 1, 'j1');
    const [s2] = await hold(w, 'u-b', 1, 'j2');
    const [s3] = await hold(w, 'u-a', 1, 'j3');
    // Both go away at the same instant: nobody can take their sessions, which wait in id order s1, s2, s3.
    for (const id of ['u-a', 'u-b']) {
      const away = aMentor(id, { available: false, ...(id === 'u-b' && { maxConcurrentSessions: 1 }) });
      await w.directory.put('mentor', away);
      expect((await w.app.assignments.mentorSaved(away)).reassignment?.reassigned).toEqual([]);
    }
    expect((await w.app.ports.indexes.listAwaitingMentor(10)).map((s) => s.id)).toEqual([s1, s2, s3]);

    // Act: two new mentors arrive (u-c 4 slots, u-d 2 slots); one drain serves the wait list.
    w.clock.advanceMinutes(1);
    await w.directory.put('mentor', aMentor('u-c'));
    await w.directory.put('mentor', aMentor('u-d', { maxConcurrentSessions: 2 }));
    await w.app.sessions.drainQueue();

    // Assess: s1 -> u-c (0 = 0, lower id); s2 -> u-d (0 < 1/4); s3 -> u-c (1/4 < 1/2).
    const placed = await Promise.all([s1!, s2!, s3!].map(async (id) => (await details(w, id)).session));
    // s3's decision must see the slot s2 took on u-d just before it (its explanation shows the loads it used).
    const ranked = (s: Session) => s.assignment!.candidates.filter((c) => c.rank !== undefined).map((c) => [c.mentorId, c.load, c.capacity, c.rank]);
    expect(ranked(placed[2]!)).toEqual([
      ['u-c', 1, 4, 1],
      ['u-d', 1, 2, 2],
    ]);
    expect(placed.map((s) => s.mentorId)).toEqual(['u-c', 'u-d', 'u-c']);
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'u-a': 0, 'u-b': 0, 'u-c': 2, 'u-d': 1 });
  });

  test('the queue: a queued session started after a fallback request of the same area sees the load it added', async () => {
    // Prepare: the only typescript mentor is full; q1 (any mentor), q2 (asks for m-full, fallback allowed), q3 (any) queue.
    const mentors = ['m-full', 'u-c', 'u-d'];
    const w = await fresh({ max_concurrent_sessions_per_mentor: 4, ...strategy('workload_balanced', true) }, [aMentor('m-full', { maxConcurrentSessions: 1 })]);
    await hold(w, 'm-full', 1, 'j1');
    const q1 = await start(w, 'j2');
    const q2 = await start(w, 'j3', { mentorId: 'm-full' });
    const q3 = await start(w, 'j4');
    expect([q1.status, q2.status, q3.status]).toEqual(['queued', 'queued', 'queued']);

    // Act: two new mentors arrive (u-c 4 slots, u-d 2 slots); one drain starts the queue.
    w.clock.advanceMinutes(1);
    await w.directory.put('mentor', aMentor('u-c'));
    await w.directory.put('mentor', aMentor('u-d', { maxConcurrentSessions: 2 }));
    const drained = await w.app.sessions.drainQueue();

    // Assess: q1 -> u-c (0 = 0, lower id); q2 -> u-d by fallback (0 < 1/4); q3 -> u-c (1/4 < 1/2).
    expect(drained.started).toEqual([q1.sessionId, q2.sessionId, q3.sessionId]);
    const placed = await Promise.all([q1, q2, q3].map(async (q) => (await details(w, q.sessionId)).session));
    // q3's decision must see the slot q2 took on u-d just before it (its explanation shows the loads it used).
    expect(placed[2]!.assignment!.candidates.map((c) => [c.mentorId, c.load, c.capacity, c.rank ?? c.excluded])).toEqual([
      ['u-c', 1, 4, 1],
      ['u-d', 1, 2, 2],
      ['m-full', 1, 1, 'full'],
    ]);
    expect(placed.map((s) => [s.mentorId, s.assignment?.mode])).toEqual([
      ['u-c', 'auto'],
      ['u-d', 'fallback_to_auto'],
      ['u-c', 'auto'],
    ]);
    expect(await expectCountersMatchOpenSessions(w, mentors)).toEqual({ 'm-full': 1, 'u-c': 2, 'u-d': 1 });
  });
});
