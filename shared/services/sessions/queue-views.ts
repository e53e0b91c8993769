import { type Caller, mayPerform } from '../../domain/access';
import { rotationKey, skillLevel } from '../../domain/assignment';
import { activeTimeMs } from '../../domain/deadlines';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import { type BlockingScope, estimateWaitMs, toMinutes } from '../../domain/estimate';
import { blockingScopes, type SlotScope } from '../../domain/limits';
import type { Session } from '../../domain/model';
import type { UsageSnapshot } from '../../ports/usage-reader';
import { authorizeSession } from '../authorize';
import { decide, readPool } from '../mentor-pool';
import { limitsOf, nowOf, type SessionContext } from './context';
import type { Settle } from './settle';

/** Where a queued session stands. */
export interface QueuePosition {
  readonly sessionId: string;
  readonly status: Session['status'];
  /** 1 for the head of the queue; null when the session is not queued. */
  readonly position: number | null;
  readonly blockedBy: SlotScope[];
  readonly estimatedWaitMinutes: number | null;
}

export interface QueueStatus {
  readonly totalQueued: number;
  readonly activeSessionCount: number;
  readonly maxConcurrentSessions: number;
  /** For a session arriving now. */
  readonly estimatedWaitMinutes: number;
  readonly limits: {
    readonly system: { readonly used: number; readonly max: number };
    readonly queue: { readonly used: number; readonly max: number };
    readonly perJunior: { readonly max: number; readonly atCapacity: number };
    readonly perMentor: { readonly max: number; readonly atCapacity: number };
  };
}

/** The queue as callers see it: its whole state, and one session's place, blockers and estimated wait. */
export class QueueViews {
  constructor(
    private readonly ctx: SessionContext,
    private readonly settle: Settle,
  ) {}

  /** The queue as a whole, and what a session arriving now would wait. */
  async status(caller: Caller): Promise<QueueStatus> {
    const { ctx } = this;
    if (!mayPerform(caller, 'read_queue')) throw new ForbiddenError('A role is required to read the queue.');
    const [usage, open, mean] = await Promise.all([ctx.usage.readUsage({ juniorIds: [] }), ctx.indexes.listOpen(), this.meanActiveMs()]);
    const limits = limitsOf(ctx);
    const now = nowOf(ctx);
    // A new arrival whose junior and mentor are free waits only when the system is full.
    const systemBlocked = usage.system >= limits.system;
    const estimate = systemBlocked
      ? estimateWaitMs({
          meanActiveMs: mean,
          blocking: { system: { capacity: limits.system, ahead: usage.queue, holdersActiveMs: open.map((s) => activeTimeMs(s, now)) } },
        })
      : 0;
    const atCapacity = (ids: (string | undefined)[], max: number) => {
      const counts = new Map<string, number>();
      for (const id of ids) if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      return [...counts.values()].filter((n) => n >= max).length;
    };
    return {
      totalQueued: usage.queue,
      activeSessionCount: usage.system,
      maxConcurrentSessions: limits.system,
      estimatedWaitMinutes: toMinutes(estimate),
      limits: {
        system: { used: usage.system, max: limits.system },
        queue: { used: usage.queue, max: limits.queue },
        perJunior: {
          max: limits.junior,
          atCapacity: atCapacity(
            open.map((s) => s.juniorId),
            limits.junior,
          ),
        },
        perMentor: {
          max: limits.mentor,
          atCapacity: atCapacity(
            open.map((s) => s.mentorId),
            limits.mentor,
          ),
        },
      },
    };
  }

  /** Where a session stands in the queue, which limits hold it, and the estimated wait. */
  async position(id: string, caller: Caller): Promise<QueuePosition> {
    const session = authorizeSession(await this.ctx.sessions.getSession(id), id, caller, 'read');
    await this.settle.settle(session);
    return this.positionOf(id);
  }

  /** A session's place in the queue, as it stands now (no authorization: for the service's own answers). */
  async positionOf(id: string): Promise<QueuePosition> {
    const { ctx } = this;
    const session = await ctx.sessions.getSession(id);
    if (session === undefined) throw new NotFoundError(`Session ${id} not found.`);
    if (session.status !== 'Queued') {
      return { sessionId: id, status: session.status, position: null, blockedBy: [], estimatedWaitMinutes: null };
    }
    const ahead = await this.queuedAhead(session);
    const [usage, open, mean, pool] = await Promise.all([
      ctx.usage.readUsage({ juniorIds: [session.juniorId] }),
      ctx.indexes.listOpen(),
      this.meanActiveMs(),
      readPool(ctx.usage, ctx.settings, session.skillArea, session.mentorRequest),
    ]);
    const limits = limitsOf(ctx);
    const blockedBy = blockingScopes(usageFor(usage, session), limits, false);
    // The mentors it could get: the requested one (no fallback), or every available one covering its area.
    const pinned = session.mentorRequest !== undefined && !session.mentorRequest.fallbackToAuto ? session.mentorRequest.mentorId : undefined;
    const mentors = pool.loads.filter((entry) =>
      pinned !== undefined ? entry.mentor.id === pinned : entry.mentor.available && skillLevel(entry.mentor, session.skillArea) > 0,
    );
    if (decide(ctx.settings, session, pool).outcome === 'none') blockedBy.push('mentor');
    const now = nowOf(ctx);
    const holders = (match: (s: Session) => boolean) => open.filter(match).map((s) => activeTimeMs(s, now));
    const mentorIds = new Set(mentors.map((entry) => entry.mentor.id));
    const blocking: Partial<Record<SlotScope, BlockingScope>> = {};
    for (const scope of blockedBy) {
      if (scope === 'system') blocking.system = { capacity: limits.system, ahead: ahead.length, holdersActiveMs: holders(() => true) };
      if (scope === 'junior') {
        blocking.junior = {
          capacity: limits.junior,
          ahead: ahead.filter((s) => s.juniorId === session.juniorId).length,
          holdersActiveMs: holders((s) => s.juniorId === session.juniorId),
        };
      }
      if (scope === 'mentor') {
        blocking.mentor = {
          // No mentor at all can take it: count one slot, so the estimate stays finite.
          capacity: Math.max(
            1,
            mentors.reduce((sum, entry) => sum + entry.capacity, 0),
          ),
          ahead: ahead.filter((s) => (pinned !== undefined ? s.mentorRequest?.mentorId === pinned : rotationKey(s.skillArea) === rotationKey(session.skillArea))).length,
          holdersActiveMs: holders((s) => s.mentorId !== undefined && mentorIds.has(s.mentorId)),
        };
      }
    }
    return {
      sessionId: id,
      status: 'Queued',
      position: ahead.length + 1,
      blockedBy,
      estimatedWaitMinutes: toMinutes(estimateWaitMs({ meanActiveMs: mean, blocking })),
    };
  }

  /** The queued sessions ahead of this one (the queue is bounded by max_queue_size). */
  private async queuedAhead(session: Session): Promise<Session[]> {
    const ahead: Session[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.ctx.indexes.listQueued({ limit: 100, ...(cursor && { cursor }) });
      for (const s of page.sessions) {
        if (s.id === session.id) return ahead;
        ahead.push(s);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return ahead;
  }

  private async meanActiveMs(): Promise<number> {
    const stats = await this.ctx.usage.getDurationStats();
    // With no completed session yet, assume half the maximum active time.
    return stats?.meanActiveMs ?? this.ctx.settings.timeouts.maxDurationMs / 2;
  }
}

/** A session's junior's slots and the system's, as blockingScopes reads them. */
export function usageFor(usage: UsageSnapshot, session: { juniorId: string }) {
  return { junior: usage.juniors.get(session.juniorId) ?? 0, system: usage.system };
}
