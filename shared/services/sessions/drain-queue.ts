import { rotationKey } from '../../domain/assignment';
import { isOverdue } from '../../domain/deadlines';
import { commanded } from '../../domain/engine-command';
import type { SlotScope } from '../../domain/limits';
import type { Session } from '../../domain/model';
import type { SessionWrite } from '../../domain/session-write';
import { dequeuedSession } from '../../domain/start';
import { CommitConflictError } from '../../ports/session-repository';
import { decide, type LoadedPool, readPool, rotationChange } from '../mentor-pool';
import { bestEffort, limitsOf, nowOf, type SessionContext } from './context';
import type { EngineFollowUp } from './engine-follow-up';
import type { Timeouts } from './timeouts';

export interface DrainResult {
  readonly started: string[];
  readonly failed: string[];
}

/** Queue entries examined per page while draining. */
const DRAIN_PAGE = 50;

type Outcome = 'started' | 'failed' | 'skipped' | `${SlotScope}_full`;

/**
 * Starts queued sessions while slots allow, oldest first. A session whose
 * junior or mentor is busy is skipped, not waited on; a full system stops the
 * drain. Up to `queue_drain_parallelism` sessions are started at once: each
 * is decided in queue order against the slots the drain has counted so far
 * (its own starts in flight included), so what a sequential drain would start
 * is what starts, and the results list them in queue order. Under the
 * round_robin strategy sessions of one skill area start one after another
 * (each moves the area's pointer). Safe to run concurrently with anything:
 * activation is conditioned on the session still being Queued at the version
 * read and on every slot's limit, so no session starts twice and no limit is
 * exceeded.
 */
export class DrainQueue {
  constructor(
    private readonly ctx: SessionContext,
    private readonly engine: EngineFollowUp,
    private readonly timeouts: Timeouts,
    /** Runs before each drain: running sessions waiting for a new mentor go before new starts. */
    private readonly beforeDrain?: () => Promise<unknown>,
  ) {}

  async drain(): Promise<DrainResult> {
    const { ctx } = this;
    if (this.beforeDrain) await bestEffort(ctx, 'serve sessions waiting for a mentor', this.beforeDrain);
    const order: string[] = [];
    const outcomes = new Map<string, Outcome>();
    // One view of the mentors per skill area for the whole drain, kept current as it assigns (every start in
    // flight shares it); read again (with the requested mentor) when a session asks for one it does not hold.
    const pools = new Map<string, Promise<LoadedPool>>();
    const poolFor = async (candidate: Session) => {
      const key = rotationKey(candidate.skillArea);
      const requested = candidate.mentorRequest?.mentorId;
      let pool = pools.get(key);
      if (pool === undefined || (requested !== undefined && !(await pool).has(requested))) {
        pool = readPool(ctx.usage, ctx.settings, candidate.skillArea, candidate.mentorRequest);
        pools.set(key, pool);
        pool.catch(() => pools.delete(key));
      }
      return pool;
    };
    const running = new Starts(ctx.settings.drainParallelism, ctx.settings.assignment.strategy === 'round_robin');
    const limits = limitsOf(ctx);
    let systemFull = false;
    let cursor: string | undefined;
    try {
      do {
        const page = await ctx.indexes.listQueued({ limit: DRAIN_PAGE, ...(cursor && { cursor }) });
        cursor = page.cursor;
        if (page.sessions.length === 0) break;
        const usage = await ctx.usage.readUsage({ juniorIds: page.sessions.map((s) => s.juniorId) });
        // Slots as read, plus those this drain's starts in flight hold; a start that did not happen gives its back.
        const juniors = new Map(usage.juniors);
        const slots = { system: usage.system };
        const take = (juniorId: string, delta: number) => {
          slots.system += delta;
          juniors.set(juniorId, (juniors.get(juniorId) ?? 0) + delta);
        };
        for (const candidate of page.sessions) {
          if (slots.system >= limits.system) await running.settled();
          if (systemFull || running.failed || slots.system >= limits.system) break;
          if ((juniors.get(candidate.juniorId) ?? 0) >= limits.junior) continue;
          if (isOverdue(candidate, nowOf(ctx))) {
            await this.timeouts.apply(candidate);
            continue;
          }
          // Decided here, in queue order, against the pool as the starts before it left it; committed in flight.
          const decided = this.decideOn(candidate, await poolFor(candidate));
          if (decided === undefined) continue;
          order.push(candidate.id);
          take(candidate.juniorId, 1);
          await running.add(rotationKey(candidate.skillArea), async () => {
            const outcome = await this.activate(candidate, decided, poolFor, (key) => pools.delete(key));
            outcomes.set(candidate.id, outcome);
            if (outcome === 'started' || outcome === 'failed') return;
            take(candidate.juniorId, -1);
            if (outcome === 'system_full') systemFull = true;
            else if (outcome === 'junior_full') juniors.set(candidate.juniorId, limits.junior);
          });
        }
        await running.settled();
      } while (cursor !== undefined && !systemFull && !running.failed);
    } finally {
      // A read or timeout that throws mid-page still waits for the starts already set going.
      await running.settled();
    }
    running.rethrow();
    return {
      started: order.filter((id) => outcomes.get(id) === 'started'),
      failed: order.filter((id) => outcomes.get(id) === 'failed'),
    };
  }

  /** How long the session at the head of the queue has waited, in ms (0 when none waits): what the drain schedule reports. */
  async oldestQueuedWaitMs(): Promise<number> {
    const {
      sessions: [head],
    } = await this.ctx.indexes.listQueued({ limit: 1 });
    if (head?.enqueuedAt === undefined) return 0;
    return Math.max(0, this.ctx.clock.now().getTime() - Date.parse(head.enqueuedAt));
  }

  /**
   * The mentor for a queued session by the pool as it stands, counted in the
   * pool at once (so the next decision sees the slot taken, whether or not
   * this one has committed yet); undefined when no mentor can take it.
   */
  private decideOn(candidate: Session, pool: LoadedPool): Decided | undefined {
    const { ctx } = this;
    const decision = decide(ctx.settings, candidate, pool);
    if (decision.outcome === 'none') return undefined;
    const now = nowOf(ctx);
    const mentorId = decision.assignment.mentorId;
    const rotation = rotationChange(decision, pool);
    pool.took(mentorId, now, decision.outcome === 'assigned' ? decision.rotation : undefined);
    return { pool, mentorId, rotation, write: commanded(dequeuedSession(candidate, decision.assignment, now), 'running', now, ctx.settings.engine.commandLeaseMs) };
  }

  /**
   * Moves one queued session to Active with the mentor decided (taking its
   * slots under their limits), then starts its engine instance. A mentor
   * found full or gone is decided again, up to three times; no mentor left:
   * skipped. An engine failure fails the session and releases the slots again.
   */
  private async activate(candidate: Session, first: Decided, poolFor: (candidate: Session) => Promise<LoadedPool>, forget: (key: string) => void): Promise<Outcome> {
    const { ctx } = this;
    let decided: Decided | undefined = first;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      if (attempt > 1) decided = this.decideOn(candidate, await poolFor(candidate));
      if (decided === undefined) return 'skipped';
      const { pool, mentorId, rotation, write } = decided;
      try {
        await ctx.sessions.commit({ expected: candidate, ...write, limits: limitsOf(ctx, pool.capacityOf(mentorId)), ...rotation });
      } catch (error) {
        pool.released(mentorId);
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'limit_reached' && error.scope === 'mentor') {
          pool.full(mentorId);
          continue;
        }
        if (error.conflict === 'rotation_moved' || error.conflict === 'mentor_unavailable') {
          // Someone else moved the pointer or the mentor left: read the pool again.
          forget(rotationKey(candidate.skillArea));
          continue;
        }
        if (error.conflict === 'limit_reached' && error.scope !== undefined && error.scope !== 'queue') return `${error.scope}_full`;
        // Started, cancelled or timed out by someone else since the index was read.
        return 'skipped';
      }
      const started = await this.engine.startWorkflow(write.session);
      return started.released ? 'failed' : 'started';
    }
    return 'skipped';
  }
}

/** A queued session's mentor, decided and counted in the pool, with the write that starts it. */
interface Decided {
  readonly pool: LoadedPool;
  readonly mentorId: string;
  readonly rotation: ReturnType<typeof rotationChange>;
  readonly write: SessionWrite;
}

/**
 * The drain's starts in flight: at most `parallelism` at once, and one at a
 * time per skill area when `serialPerArea` (round robin). The first error
 * stops new starts; `rethrow` raises it once all have settled.
 */
class Starts {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly areas = new Map<string, Promise<void>>();
  private error: { readonly cause: unknown } | undefined;

  constructor(
    private readonly parallelism: number,
    private readonly serialPerArea: boolean,
  ) {}

  get failed(): boolean {
    return this.error !== undefined;
  }

  /** Starts `work` once a place is free (after the area's previous start, when serial per area). */
  async add(area: string, work: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= this.parallelism) await Promise.race(this.inFlight);
    if (this.error !== undefined) return;
    const before = this.serialPerArea ? this.areas.get(area) : undefined;
    const task = (before ?? Promise.resolve())
      .then(work)
      .catch((cause: unknown) => {
        this.error ??= { cause };
      })
      .finally(() => {
        this.inFlight.delete(task);
        if (this.areas.get(area) === task) this.areas.delete(area);
      });
    this.inFlight.add(task);
    if (this.serialPerArea) this.areas.set(area, task);
  }

  /** Waits for every start in flight. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  rethrow(): void {
    if (this.error !== undefined) throw this.error.cause;
  }
}
