import { rotationKey } from '../../domain/assignment';
import { isOverdue } from '../../domain/deadlines';
import { commanded } from '../../domain/engine-command';
import type { SlotScope } from '../../domain/limits';
import type { Session } from '../../domain/model';
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
const DRAIN_PAGE = 25;

/**
 * Starts queued sessions while slots allow, oldest first. A session whose
 * junior or mentor is busy is skipped, not waited on; a full system stops the
 * drain. Safe to run concurrently: activation is conditioned on the session
 * still being Queued at the version read, so no session starts twice.
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
    const started: string[] = [];
    const failed: string[] = [];
    const pools = new Map<string, LoadedPool>();
    // One view of the mentors per skill area for the whole drain, kept current as it assigns;
    // read again (with the requested mentor) when a session asks for one it does not hold.
    const poolFor = async (candidate: Session) => {
      const key = rotationKey(candidate.skillArea);
      let pool = pools.get(key);
      const requested = candidate.mentorRequest?.mentorId;
      if (pool === undefined || (requested !== undefined && !pool.has(requested))) {
        pool = await readPool(ctx.usage, ctx.settings, candidate.skillArea, candidate.mentorRequest);
        pools.set(key, pool);
      }
      return pool;
    };
    let cursor: string | undefined;
    do {
      const page = await ctx.indexes.listQueued({ limit: DRAIN_PAGE, ...(cursor && { cursor }) });
      cursor = page.cursor;
      if (page.sessions.length === 0) break;
      const usage = await ctx.usage.readUsage({ juniorIds: page.sessions.map((s) => s.juniorId) });
      const juniors = new Map(usage.juniors);
      let system = usage.system;
      const limits = limitsOf(ctx);
      for (const candidate of page.sessions) {
        if (system >= limits.system) return { started, failed };
        if ((juniors.get(candidate.juniorId) ?? 0) >= limits.junior) continue;
        if (isOverdue(candidate, nowOf(ctx))) {
          await this.timeouts.apply(candidate);
          continue;
        }
        const outcome = await this.activate(candidate, poolFor, (key) => pools.delete(key));
        if (outcome === 'started' || outcome === 'failed') {
          (outcome === 'started' ? started : failed).push(candidate.id);
          system += 1;
          juniors.set(candidate.juniorId, (juniors.get(candidate.juniorId) ?? 0) + 1);
        } else if (outcome === 'system_full') {
          return { started, failed };
        } else if (outcome === 'junior_full') {
          juniors.set(candidate.juniorId, limits.junior);
        }
      }
    } while (cursor !== undefined);
    return { started, failed };
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
   * Moves one queued session to Active with a mentor (taking its slots under
   * their limits), then starts its engine instance. No mentor for it: skipped.
   * An engine failure fails the session and releases the slots again.
   */
  private async activate(
    candidate: Session,
    poolFor: (candidate: Session) => Promise<LoadedPool>,
    forget: (key: string) => void,
  ): Promise<'started' | 'failed' | 'skipped' | `${SlotScope}_full`> {
    const { ctx } = this;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const pool = await poolFor(candidate);
      const decision = decide(ctx.settings, candidate, pool);
      if (decision.outcome === 'none') return 'skipped';
      const now = nowOf(ctx);
      const write = commanded(dequeuedSession(candidate, decision.assignment, now), 'running', now, ctx.settings.engine.commandLeaseMs);
      const mentorId = decision.assignment.mentorId;
      try {
        await ctx.sessions.commit({
          expected: candidate,
          ...write,
          limits: limitsOf(ctx, pool.capacityOf(mentorId)),
          ...rotationChange(decision, pool),
        });
      } catch (error) {
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
      pool.took(mentorId, now, decision.outcome === 'assigned' ? decision.rotation : undefined);
      const started = await this.engine.startWorkflow(write.session);
      return started.released ? 'failed' : 'started';
    }
    return 'skipped';
  }
}
