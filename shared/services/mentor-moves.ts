import { decideMentor, type MentorAssignment, type Rotation, rotationKey } from '../domain/assignment';
import type { Mentor } from '../domain/directory';
import { mentorCapacity, slotLimits } from '../domain/limits';
import { type Actor, type Session, SYSTEM_ACTOR } from '../domain/model';
import { awaitingReassignment, reassignedSession } from '../domain/reassignment';
import type { SessionWrite } from '../domain/session-write';
import { isOpen } from '../domain/status';
import type { Clock } from '../ports/clock';
import type { SessionIndexes } from '../ports/session-indexes';
import { CommitConflictError, type SessionRepository } from '../ports/session-repository';
import type { UsageReader } from '../ports/usage-reader';
import type { Settings } from '../settings/settings';
import { LoadedPool } from './mentor-pool';

export interface MentorMovesOptions {
  readonly sessions: SessionRepository;
  readonly indexes: SessionIndexes;
  readonly usage: UsageReader;
  readonly clock: Clock;
  readonly settings: Settings;
}

/** What marking a mentor unavailable did to their open sessions. */
export interface AvailabilityOutcome {
  readonly reassigned: string[];
  readonly awaitingMentor: string[];
}

const MAX_ATTEMPTS = 8;
/** Sessions waiting for a mentor served per drain. */
const AWAITING_PAGE = 25;

/**
 * Moving running sessions off a mentor who became unavailable (spec AC4),
 * and the wait list of those no mentor could take: every move takes the new
 * mentor's slot and frees the old one's in the same transaction as its event.
 */
export class MentorMoves {
  constructor(private readonly deps: MentorMovesOptions) {}

  /**
   * After a mentor is marked unavailable: each of their open sessions moves to
   * the mentor the strategy picks (reason `mentor_unavailable`); those no
   * mentor can take now wait for one (the drain moves them).
   */
  async mentorUnavailable(mentorId: string): Promise<AvailabilityOutcome> {
    const outcome: AvailabilityOutcome = { reassigned: [], awaitingMentor: [] };
    const sessions = (await this.deps.indexes.listOpen()).filter((session) => session.mentorId === mentorId);
    const pools = new Map<string, LoadedPool>();
    for (const session of sessions) {
      const result = await this.moveOff(session, pools, { waitIfStuck: true });
      if (result === 'reassigned') outcome.reassigned.push(session.id);
      if (result === 'awaiting') outcome.awaitingMentor.push(session.id);
    }
    return outcome;
  }

  /** Moves running sessions that wait for a mentor to one who can take them, longest waiting first. */
  async serveAwaiting(): Promise<string[]> {
    const moved: string[] = [];
    const pools = new Map<string, LoadedPool>();
    for (const session of await this.deps.indexes.listAwaitingMentor(AWAITING_PAGE)) {
      if ((await this.moveOff(session, pools, { waitIfStuck: false })) === 'reassigned') moved.push(session.id);
    }
    return moved;
  }

  /**
   * Moves one session off its mentor by the strategy (the current mentor
   * excluded). When nobody can take it: it waits (`waitIfStuck`) or stays
   * waiting. When its mentor is available again, it stays with them.
   */
  private async moveOff(first: Session, pools: Map<string, LoadedPool>, options: { waitIfStuck: boolean }): Promise<'reassigned' | 'awaiting' | 'stayed' | 'skipped'> {
    let session: Session | undefined = first;
    for (let attempt = 1; session !== undefined && attempt <= MAX_ATTEMPTS; attempt += 1) {
      if (!isOpen(session.status)) return 'skipped';
      const pool = await this.poolFor(session, pools);
      const current = pool.loads.find((entry) => entry.mentor.id === session!.mentorId);
      const now = this.now();
      const ctx = { actor: SYSTEM_ACTOR as Actor, now };
      let write: SessionWrite | undefined;
      let takes: string | undefined;
      let rotation: Rotation | undefined;
      if (current?.mentor.available === true) {
        // Back again: the wait ends with the mentor it had.
        if (session.awaitingMentorSince === undefined) return 'stayed';
        write = reassignedSession(session, session.assignment ?? manual(current.mentor.id, session.skillArea), 'mentor_available_again', ctx);
      } else {
        const decision = decideMentor({
          strategy: this.deps.settings.assignment.strategy,
          skillArea: session.skillArea,
          pool: pool.loads,
          rotation: pool.rotation,
          ...(session.mentorId !== undefined && { exclude: [session.mentorId] }),
        });
        if (decision.outcome === 'none') {
          if (!options.waitIfStuck) return 'awaiting';
          write = awaitingReassignment(session, 'mentor_unavailable', ctx);
          if (write === undefined) return 'awaiting';
        } else {
          takes = decision.assignment.mentorId;
          rotation = decision.rotation;
          write = reassignedSession(session, decision.assignment, 'mentor_unavailable', ctx);
        }
      }
      try {
        await this.deps.sessions.commit({
          expected: session,
          ...write,
          ...(takes !== undefined && { limits: slotLimits(this.deps.settings.limits, pool.capacityOf(takes)) }),
          ...(rotation !== undefined && { rotation: { next: rotation, expectedTurn: pool.rotation.turn } }),
        });
        if (takes !== undefined) {
          pool.took(takes, now, rotation);
          if (session.mentorId !== undefined) pool.released(session.mentorId);
        }
        return takes !== undefined ? 'reassigned' : write.session.awaitingMentorSince !== undefined ? 'awaiting' : 'stayed';
      } catch (error) {
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'limit_reached' && error.scope === 'mentor' && takes !== undefined) pool.full(takes);
        else pools.delete(poolKey(session));
        session = await this.deps.sessions.getSession(session.id);
      }
    }
    return 'skipped';
  }

  private async poolFor(session: Session, pools: Map<string, LoadedPool>): Promise<LoadedPool> {
    // One view per skill area, kept current as sessions move; read again when it lacks the session's mentor.
    const key = poolKey(session);
    let pool = pools.get(key);
    if (pool === undefined || (session.mentorId !== undefined && !pool.has(session.mentorId))) {
      const loaded = await this.deps.usage.loadMentorPool({
        skillArea: session.skillArea,
        ...(session.mentorId !== undefined && { mentorIds: [session.mentorId] }),
      });
      pool = new LoadedPool(loaded, (mentor) => this.capacity(mentor));
      pools.set(key, pool);
    }
    return pool;
  }

  private capacity(mentor: Mentor): number {
    return mentorCapacity(this.deps.settings.limits, mentor.maxConcurrentSessions);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

const poolKey = (session: Session) => rotationKey(session.skillArea);

function manual(mentorId: string, skillArea: string): MentorAssignment {
  return { mode: 'manual', mentorId, skillArea, candidates: [], candidateCount: 0 };
}
