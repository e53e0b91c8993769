import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { type AppDeps, composeApp } from '../../shared/compose';
import type { Session, SessionEvent } from '../../shared/domain/session';
import type { WorkflowEngine } from '../../shared/ports/workflow-engine';
import type { SessionManagementSettings, Settings } from '../../shared/settings/settings';
import { aJunior, aMentor, aStory, coordinator } from './builders';
import { ManualClock } from './clock';
import { createTestTable, type TestTable } from './dynamo';
import { checkSnapshot, type Limits, scanTable } from './invariants';
import { settingsWith } from './settings';

/**
 * What the workflow-engine acceptance tests (test/integration/elsa-engine.test.ts,
 * test/integration/stepfunctions-engine.test.ts) hold for one test: a fresh
 * table, a ManualClock, and the app composed with the engine under test.
 */
export interface EngineHarness<E extends WorkflowEngine = WorkflowEngine> {
  readonly table: TestTable;
  readonly clock: ManualClock;
  readonly engine: E;
  readonly app: AppDeps;
  readonly settings: Settings;
  readonly limits: Limits;
  /** Every session id a start answered (or named in its error), for the whole-table invariants. */
  readonly ids: string[];
}

export interface EngineHarnessOptions<E extends WorkflowEngine> {
  /** Prefix of the test table's name. */
  readonly tablePrefix: string;
  /** The limits the settings carry, and that `tableViolations` checks. */
  readonly limits: Limits;
  readonly queue: number;
  /** More of the `session_management` block (beside the limits and the queue size). */
  readonly settings?: Partial<Record<keyof SessionManagementSettings, unknown>>;
  /** The directory written before the test acts: juniors, mentors and stories built by test/support/builders.ts. */
  readonly directory: { readonly juniors: readonly string[]; readonly mentors: readonly string[]; readonly stories: readonly string[] };
  /** The engine under test, built once the table and the clock exist. */
  readonly engine: (table: TestTable, clock: ManualClock) => E | Promise<E>;
}

/** A fresh table and clock, the engine, the app composed with them, and the directory written. */
export async function startEngineHarness<E extends WorkflowEngine>(options: EngineHarnessOptions<E>): Promise<EngineHarness<E>> {
  const { limits } = options;
  const settings = settingsWith({
    max_concurrent_sessions_per_junior: limits.junior,
    max_concurrent_sessions_per_mentor: limits.mentor,
    max_concurrent_sessions_system: limits.system,
    max_queue_size: options.queue,
    ...options.settings,
  });
  const table = await createTestTable(options.tablePrefix);
  const clock = new ManualClock();
  const engine = await options.engine(table, clock);
  const app = composeApp({ tableName: table.tableName, dynamo: table.dynamo, clock, engine, settings });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await Promise.all([
    ...options.directory.juniors.map((id) => directory.put('junior', aJunior(id))),
    ...options.directory.mentors.map((id) => directory.put('mentor', aMentor(id))),
    ...options.directory.stories.map((id) => directory.put('story', aStory(id))),
  ]);
  return { table, clock, engine, app, settings, limits, ids: [] };
}

/**
 * Registers an afterEach that disposes every harness `track` was given during
 * the test (`dispose` first, then the table's client); returns `track`.
 */
export function disposeAfterEach<H extends EngineHarness>(dispose: (h: H) => void | Promise<void>): (h: H) => H {
  const harnesses: H[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) {
      await dispose(h);
      h.table.dynamo.client.destroy();
    }
  });
  return (h) => {
    harnesses.push(h);
    return h;
  };
}

/** Starts story-1 for a junior as the coordinator (with this mentor, or assigned when none is named) and records the id. */
export async function startSession(h: EngineHarness, juniorId: string, mentorId?: string) {
  const result = await h.app.sessions.startSession({ storyId: 'story-1', juniorId, ...(mentorId !== undefined && { mentorId }) }, coordinator);
  h.ids.push(result.sessionId);
  return result;
}

/** The session and its events, read from the store. */
export async function details(h: EngineHarness, id: string): Promise<{ session: Session; events: SessionEvent[] }> {
  const found = await h.app.ports.sessions.getSessionWithEvents(id);
  if (found === undefined) throw new Error(`no session ${id}`);
  return found;
}

/** The whole table against the invariants of test/support/invariants.ts (counters, indexes, logs replaying to statuses). */
export async function tableViolations(h: EngineHarness, quiescent = false): Promise<string[]> {
  const snapshot = await scanTable(h.table.dynamo.document, h.table.tableName);
  return checkSnapshot(snapshot, { limits: h.limits, timeouts: h.settings.timeouts, startedIds: h.ids, now: h.clock.now(), quiescent, swept: false });
}

/** The rejection of a promise expected to fail (asserted outside any catch). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

/**
 * One run of the minute schedule's engine work (functions/scheduled/reconcile-engine.ts): reconciliation, then
 * the engine commands that are due, with the clock first moved past every lease and backoff (5 minutes at most),
 * and the queue drained when a failed start freed slots.
 */
export async function enginePass(h: EngineHarness) {
  h.clock.advanceMinutes(6);
  const reconciled = await h.app.reconciliation.reconcile();
  const commands = await h.app.sessions.driveEngineCommands();
  return { ...reconciled, commands };
}
