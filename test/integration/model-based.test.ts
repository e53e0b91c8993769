import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { composeApp, uuidIds, type AppDeps } from '../../shared/compose';
import { QueueFullError, TransitionForbiddenError } from '../../shared/domain/errors';
import type { Session } from '../../shared/domain/session';
import type { IdGenerator } from '../../shared/ports/clock';
import { aJunior, aMentor, aStory, coordinator, engineCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import {
  advance,
  newModel,
  operate,
  start,
  sweep,
  usage,
  type LifecycleModel,
  type ModelOperation,
  type ModelOutcome,
} from '../support/lifecycle-model';
import { settingsWith } from '../support/settings';

/**
 * Model-based test (issue 3): random sequences of starts, lifecycle operations
 * and time moves run against the real service on DynamoDB Local and against a
 * pure model (test/support/lifecycle-model.ts); after every command the result
 * kind, every session's status, the queue order, the slot counters and the
 * active time used must agree.
 *
 * MODEL_RUNS and MODEL_SEED (env) override the run count and seed.
 */

const JUNIORS = ['mb-j1', 'mb-j2', 'mb-j3'] as const;
const MENTORS = ['mb-m1', 'mb-m2'] as const;
const LIMITS = { perJunior: 1, perMentor: 2, system: 3, queueSize: 4 };
const HOUR = 3_600_000;
const TIMEOUTS = { maxDurationMs: 8 * HOUR, pauseTimeoutMs: 24 * HOUR, queueTimeoutMs: 4 * HOUR };
const SETTINGS = settingsWith({
  max_concurrent_sessions_per_junior: LIMITS.perJunior,
  max_concurrent_sessions_per_mentor: LIMITS.perMentor,
  max_concurrent_sessions_system: LIMITS.system,
  max_queue_size: LIMITS.queueSize,
  max_session_duration_hours: 8,
  pause_timeout_hours: 24,
  queue_timeout_hours: 4,
});
const T0 = '2026-01-05T09:00:00.000Z';
const report = { summary: 'Merged after review.', overallScore: 80, metrics: { hints: 1 } };

const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 30);
const MAX_COMMANDS = Number(process.env.MODEL_MAX_COMMANDS ?? 25);
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);

/** Session ids that sort in creation order (see the note on `freshWorld`). */
function sequentialIds(): IdGenerator {
  let n = 0;
  return { sessionId: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}` };
}

interface World {
  readonly table: TestTable;
  readonly clock: ManualClock;
  readonly app: AppDeps;
  /** Session ids in creation order, aligned with the model's sessions. */
  readonly ids: string[];
}

async function freshWorld(): Promise<World> {
  const table = await createTestTable('model');
  const clock = new ManualClock(T0);
  const ids = process.env.MODEL_IDS === 'uuid' ? uuidIds : sequentialIds();
  const app = composeApp({ tableName: table.tableName, dynamo: table.dynamo, clock, settings: SETTINGS, ids });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('mb-story'));
  for (const id of JUNIORS) await directory.put('junior', aJunior(id));
  for (const id of MENTORS) await directory.put('mentor', aMentor(id));
  return { table, clock, app, ids: [] };
}

async function dropWorld(world: World): Promise<void> {
  try {
    await world.table.dynamo.client.send(new DeleteTableCommand({ TableName: world.table.tableName }));
  } finally {
    world.table.dynamo.client.destroy();
  }
}

/** What the real call answered, in the model's terms; anything unexpected keeps its name so it shows in the failure. */
function outcomeOf(error: unknown): string {
  if (error instanceof TransitionForbiddenError && error.code === 'transition_forbidden') return '409';
  if (error instanceof QueueFullError && error.code === 'queue_full') return '429';
  return `unexpected ${(error as Error)?.name}: ${(error as Error)?.message}`;
}

async function settle(work: () => Promise<unknown>): Promise<{ outcome: string; value?: unknown }> {
  try {
    return { outcome: 'ok', value: await work() };
  } catch (error) {
    return { outcome: outcomeOf(error) };
  }
}

function expectOutcome(command: string, actual: string, expected: ModelOutcome): void {
  if (actual !== expected) throw new Error(`${command}: the service answered ${actual}, the model ${expected}`);
}

function activeTimeUsed(session: Session, nowMs: number): number {
  const running = session.activeSince === undefined ? 0 : nowMs - Date.parse(session.activeSince);
  return (session.activeMs ?? 0) + running;
}

/** After every command: statuses, timeouts, active time, queue order and counters agree with the model. */
async function compare(model: LifecycleModel, world: World, after: string): Promise<void> {
  const problems: string[] = [];
  const nowMs = world.clock.now().getTime();
  if (nowMs !== Date.parse(T0) + model.now) problems.push(`clock ${nowMs} vs model ${model.now}`);

  const real = await Promise.all(world.ids.map((id) => world.app.sessions.getSession(id, coordinator)));
  model.sessions.forEach((m, i) => {
    const r = real[i]!;
    const label = `session #${i} (${m.junior}/${m.mentor ?? '-'})`;
    if (r.status !== m.status) problems.push(`${label}: status ${r.status}, model ${m.status}`);
    const realTimedOut = r.status === 'Cancelled' && r.cancelReason === 'timeout';
    if (realTimedOut !== (m.timedOut !== undefined)) {
      problems.push(`${label}: timed out ${realTimedOut}, model ${m.timedOut ?? 'no'}`);
    }
    if (m.status === 'Active' || m.status === 'Paused') {
      const used = activeTimeUsed(r, nowMs);
      const expected = m.activeMs + (m.activeSince === undefined ? 0 : model.now - m.activeSince);
      if (used !== expected) problems.push(`${label}: active time ${used} ms, model ${expected} ms`);
    }
  });

  const u = usage(model);
  const queued: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await world.app.store.listQueued({ limit: 100, ...(cursor && { cursor }) });
    queued.push(...page.sessions.map((s) => s.id));
    cursor = page.cursor;
  } while (cursor !== undefined);
  const expectedQueue = u.queue.map((s) => world.ids[s.order]!);
  if (JSON.stringify(queued) !== JSON.stringify(expectedQueue)) {
    const name = (id: string) => `#${world.ids.indexOf(id)}`;
    problems.push(`queue order [${queued.map(name).join(', ')}], model [${expectedQueue.map(name).join(', ')}]`);
  }

  const counters = await world.app.store.readUsage({ juniorIds: [...JUNIORS], mentorIds: [...MENTORS] });
  if (counters.system !== u.system) problems.push(`system counter ${counters.system}, model ${u.system}`);
  if (counters.queue !== u.queue.length) problems.push(`queue counter ${counters.queue}, model ${u.queue.length}`);
  for (const j of JUNIORS) {
    if ((counters.juniors.get(j) ?? 0) !== (u.juniors.get(j) ?? 0)) problems.push(`${j} counter ${counters.juniors.get(j)}, model ${u.juniors.get(j) ?? 0}`);
  }
  for (const m of MENTORS) {
    if ((counters.mentors.get(m) ?? 0) !== (u.mentors.get(m) ?? 0)) problems.push(`${m} counter ${counters.mentors.get(m)}, model ${u.mentors.get(m) ?? 0}`);
  }
  if (problems.length > 0) throw new Error(`after ${after}:\n  ${problems.join('\n  ')}`);
}

type Command = fc.AsyncCommand<LifecycleModel, World>;

class Start implements Command {
  constructor(
    readonly junior: string,
    readonly mentor: string | undefined,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: LifecycleModel, world: World): Promise<void> {
    const expected = start(model, this.junior, this.mentor);
    const actual = await settle(() =>
      world.app.sessions.startSession({ storyId: 'mb-story', juniorId: this.junior, ...(this.mentor && { mentorId: this.mentor }) }, coordinator),
    );
    expectOutcome(this.toString(), actual.outcome, expected.outcome);
    if (expected.index !== undefined) {
      const result = actual.value as { sessionId: string; status: string; queuePosition?: number };
      world.ids.push(result.sessionId);
      const m = model.sessions[expected.index]!;
      const status = m.status === 'Queued' ? 'queued' : 'started';
      if (result.status !== status) throw new Error(`${this.toString()}: answered ${result.status}, model ${status}`);
      if (m.status === 'Queued') {
        const position = usage(model).queue.indexOf(m) + 1;
        if (result.queuePosition !== position) throw new Error(`${this.toString()}: queuePosition ${result.queuePosition}, model ${position}`);
      }
    }
    await compare(model, world, this.toString());
  }
  toString(): string {
    return `Start(${this.junior}, ${this.mentor ?? 'no mentor'})`;
  }
}

class Operate implements Command {
  constructor(
    readonly operation: ModelOperation,
    /** Picks a session: index modulo the sessions created so far. */
    readonly pick: number,
  ) {}
  check(model: Readonly<LifecycleModel>): boolean {
    return model.sessions.length > 0;
  }
  private index(model: LifecycleModel): number {
    return this.pick % model.sessions.length;
  }
  async run(model: LifecycleModel, world: World): Promise<void> {
    const index = this.index(model);
    const id = world.ids[index]!;
    const expected = operate(model, index, this.operation);
    const sessions = world.app.sessions;
    const actual = await settle(() => {
      switch (this.operation) {
        case 'pause':
          return sessions.pauseSession(id, { reason: 'model' }, coordinator);
        case 'resume':
          return sessions.resumeSession(id, {}, coordinator);
        case 'cancel':
          return sessions.cancelSession(id, { reason: 'model' }, coordinator);
        case 'complete':
          return sessions.completeSession(id, { report }, engineCaller);
        case 'fail':
          return sessions.failSession(id, { error: 'model' }, engineCaller);
      }
    });
    const label = `${this.toString()} on #${index}`;
    expectOutcome(label, actual.outcome, expected);
    if (expected === 'ok') {
      const status = (actual.value as { status: string }).status;
      if (status !== model.sessions[index]!.status) throw new Error(`${label}: answered ${status}, model ${model.sessions[index]!.status}`);
    }
    await compare(model, world, label);
  }
  toString(): string {
    const name = this.operation[0]!.toUpperCase() + this.operation.slice(1);
    return `${name}(${this.pick})`;
  }
}

/** Moves both clocks, then runs the sweeper (the scheduled handler's work). */
class AdvanceTime implements Command {
  constructor(readonly minutes: number) {}
  check(): boolean {
    return true;
  }
  async run(model: LifecycleModel, world: World): Promise<void> {
    advance(model, this.minutes * 60_000);
    world.clock.advanceMinutes(this.minutes);
    const expected = sweep(model);
    const { timedOut } = await world.app.sessions.sweepDue();
    const name = (ids: number[]) => ids.map((i) => `#${i}`).sort().join(', ');
    const actual = name(timedOut.map((id) => world.ids.indexOf(id)));
    if (actual !== name(expected)) throw new Error(`${this.toString()}: swept [${actual}], model [${name(expected)}]`);
    await compare(model, world, this.toString());
  }
  toString(): string {
    return `AdvanceTime(${this.minutes} min)`;
  }
}

/** The sweeper with no time move: nothing is due, nothing changes. */
class Sweep implements Command {
  check(): boolean {
    return true;
  }
  async run(model: LifecycleModel, world: World): Promise<void> {
    const expected = sweep(model);
    const { timedOut } = await world.app.sessions.sweepDue();
    if (timedOut.length !== expected.length) throw new Error(`Sweep: ${timedOut.length} timed out, model ${expected.length}`);
    await compare(model, world, this.toString());
  }
  toString(): string {
    return 'Sweep';
  }
}

const pick = fc.nat({ max: 30 });
const commands: fc.Arbitrary<Command>[] = [
  fc.tuple(fc.constantFrom(...JUNIORS), fc.constantFrom<string | undefined>(...MENTORS, MENTORS[0], undefined)).map(([j, m]) => new Start(j, m)),
  fc.tuple(fc.constantFrom(...JUNIORS), fc.constantFrom(...MENTORS)).map(([j, m]) => new Start(j, m)),
  pick.map((i) => new Operate('pause', i)),
  pick.map((i) => new Operate('resume', i)),
  pick.map((i) => new Operate('cancel', i)),
  pick.map((i) => new Operate('complete', i)),
  pick.map((i) => new Operate('fail', i)),
  fc.constantFrom(30, 120, 300, 1500).map((m) => new AdvanceTime(m)),
  fc.constantFrom(30, 120, 300, 1500).map((m) => new AdvanceTime(m)),
  fc.constant(new Sweep()),
];

describe('model-based: the service on DynamoDB Local agrees with a pure model', () => {
  test(
    `random operation sequences with time moves (${NUM_RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS }), async (cmds) => {
          const world = await freshWorld();
          try {
            await fc.asyncModelRun(() => ({ model: newModel(LIMITS, TIMEOUTS), real: world }), cmds);
          } finally {
            await dropWorld(world);
          }
        }),
        { numRuns: NUM_RUNS, ...(SEED !== undefined && { seed: SEED }), endOnFailure: process.env.MODEL_SHRINK === '0' },
      );
    },
    600_000,
  );
});

