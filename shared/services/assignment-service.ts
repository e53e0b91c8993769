import { mayPerform, type Caller } from '../domain/access';
import { decideMentor, rotationKey, type MentorAssignment, type Rotation } from '../domain/assignment';
import { mentorCapacity, slotLimits } from '../domain/limits';
import type { Mentor } from '../domain/directory';
import {
  ConcurrentUpdateError,
  ForbiddenError,
  MentorCannotTakeError,
  NotFoundError,
  ReferenceNotFoundError,
  SessionNotRunningError,
} from '../domain/errors';
import { awaitingReassignment, reassignedSession, type SessionWrite } from '../domain/lifecycle';
import { SYSTEM_ACTOR, type Actor, type Session, type SessionEvent } from '../domain/session';
import { isOpen } from '../domain/status';
import type { Clock } from '../ports/clock';
import type { DirectoryStore } from '../ports/directory-store';
import { CommitConflictError, type SessionStore } from '../ports/session-store';
import type { Settings } from '../settings/settings';
import { actorOf, authorizeSession } from './authorize';
import { LoadedPool } from './mentor-pool';

export interface AssignmentServiceOptions {
  readonly store: SessionStore;
  readonly directory: DirectoryStore;
  readonly clock: Clock;
  readonly settings: Settings;
  /** Applies an overdue session's timeout first (SessionService.settleDeadline). */
  readonly settle: (session: Session) => Promise<Session>;
  /** Drains the queue (SessionService.drainQueue): a mentor who is back may start waiting sessions. */
  readonly drain: () => Promise<unknown>;
}

export interface MentorChangeResult {
  readonly sessionId: string;
  readonly status: Session['status'];
  readonly mentorId: string;
  readonly previousMentorId?: string;
  /** False when the session already had this mentor (nothing written). */
  readonly changed: boolean;
}

export interface MentorHistoryEntry {
  readonly seq: number;
  readonly at: string;
  readonly type: 'mentor_assigned' | 'mentor_reassigned' | 'mentor_reassignment_queued';
  readonly mentorId?: string;
  readonly previousMentorId?: string;
  readonly mode?: string;
  readonly strategy?: string;
  readonly reason?: string;
  readonly notes?: string;
  readonly actor: string;
  readonly actorRole: string;
}

export interface MentorWorkload {
  readonly mentorId: string;
  readonly available: boolean;
  readonly capacity: number;
  readonly openSessions: number;
  readonly capacityLeft: number;
  readonly lastAssignedAt?: string;
  readonly sessions: readonly { id: string; status: Session['status']; juniorId: string; storyId: string; startedAt?: string }[];
  /** Queued sessions that asked for this mentor. */
  readonly queued: readonly { id: string; enqueuedAt?: string; fallbackToAuto: boolean }[];
}

export interface MentorLoadView {
  readonly openSessions: number;
  readonly capacity: number;
  readonly capacityLeft: number;
}

/** What marking a mentor unavailable did to their open sessions. */
export interface AvailabilityOutcome {
  readonly reassigned: string[];
  readonly awaitingMentor: string[];
}

const MAX_ATTEMPTS = 8;
/** Sessions waiting for a mentor served per drain. */
const AWAITING_PAGE = 25;
const HISTORY_TYPES = new Set(['mentor_assigned', 'mentor_reassigned', 'mentor_reassignment_queued']);

/**
 * Mentor assignment after start (spec AC4): reassignment by a coordinator,
 * moving sessions off a mentor who became unavailable, the reassignment wait
 * list, the history and the workload views. Choices are the domain's
 * (shared/domain/assignment.ts); every mentor change moves the slots in the
 * same transaction as its event.
 */
export class AssignmentService {
  constructor(private readonly deps: AssignmentServiceOptions) {}

  /** PUT /sessions/{id}/mentor: moves an Active or Paused session to the named mentor, atomically. */
  async reassign(id: string, input: { mentorId: string; reason: string; notes?: string }, caller: Caller): Promise<MentorChangeResult> {
    for (let attempt = 1; ; attempt += 1) {
      const read = authorizeSession(await this.deps.store.getSession(id), id, caller, 'reassign');
      const session = await this.deps.settle(read);
      if (!isOpen(session.status)) {
        throw new SessionNotRunningError(`Session is ${session.status}; only Active or Paused sessions change mentor.`, {
          details: { currentStatus: session.status },
        });
      }
      if (session.mentorId === input.mentorId) {
        return { sessionId: id, status: session.status, mentorId: input.mentorId, changed: false };
      }
      const mentor = await this.deps.directory.get('mentor', input.mentorId);
      if (mentor === undefined) throw new ReferenceNotFoundError('mentorId', input.mentorId);
      if (!mentor.available) throw cannotTake(mentor.id, 'unavailable');
      const assignment: MentorAssignment = { mode: 'manual', mentorId: mentor.id, skillArea: session.skillArea, candidates: [], candidateCount: 0 };
      const write = reassignedSession(session, assignment, input.reason, { actor: actorOf(caller, 'reassign', session), now: this.now() }, input.notes);
      try {
        await this.deps.store.commit({ expected: session, ...write, limits: slotLimits(this.deps.settings.limits, mentor.maxConcurrentSessions) });
      } catch (error) {
        if (!(error instanceof CommitConflictError)) throw error;
        if (error.conflict === 'limit_reached' && error.scope === 'mentor') throw cannotTake(mentor.id, 'full');
        if (error.conflict === 'mentor_unavailable') throw cannotTake(mentor.id, 'unavailable');
        if (error.conflict === 'session_changed' && attempt < MAX_ATTEMPTS) continue;
        throw new ConcurrentUpdateError('The session kept changing; try again.');
      }
      return {
        sessionId: id,
        status: session.status,
        mentorId: mentor.id,
        ...(session.mentorId !== undefined && { previousMentorId: session.mentorId }),
        changed: true,
      };
    }
  }

  /** GET /sessions/{id}/mentor-history: every assignment and reassignment, oldest first. */
  async mentorHistory(id: string, caller: Caller): Promise<MentorHistoryEntry[]> {
    const found = await this.deps.store.getSessionWithEvents(id);
    authorizeSession(found?.session, id, caller, 'read');
    return found!.events.filter((event) => HISTORY_TYPES.has(event.type)).sort((a, b) => a.seq - b.seq).map(historyEntry);
  }

  /**
   * After a mentor is marked unavailable: each of their open sessions moves to
   * the mentor the strategy picks (reason `mentor_unavailable`); those no
   * mentor can take now wait for one (the drain moves them).
   */
  async mentorUnavailable(mentorId: string): Promise<AvailabilityOutcome> {
    const outcome: AvailabilityOutcome = { reassigned: [], awaitingMentor: [] };
    const sessions = (await this.deps.store.listOpen()).filter((session) => session.mentorId === mentorId);
    const pools = new Map<string, LoadedPool>();
    for (const session of sessions) {
      const result = await this.moveOff(session, pools, { waitIfStuck: true });
      if (result === 'reassigned') outcome.reassigned.push(session.id);
      if (result === 'awaiting') outcome.awaitingMentor.push(session.id);
    }
    return outcome;
  }

  /**
   * After a mentor entry is written: unavailable moves their open sessions off
   * them; available (perhaps again) lets the queue and the reassignment wait
   * list move. Answers the mentor with their load.
   */
  async mentorSaved(mentor: Mentor): Promise<Mentor & { load: MentorLoadView; reassignment?: AvailabilityOutcome }> {
    const reassignment = mentor.available ? undefined : await this.mentorUnavailable(mentor.id);
    if (mentor.available) await this.deps.drain();
    const [withLoad] = await this.withLoads([mentor]);
    return { ...withLoad!, ...(reassignment && { reassignment }) };
  }

  /** Moves running sessions that wait for a mentor to one who can take them, longest waiting first. */
  async serveAwaiting(): Promise<string[]> {
    const moved: string[] = [];
    const pools = new Map<string, LoadedPool>();
    for (const session of await this.deps.store.listAwaitingMentor(AWAITING_PAGE)) {
      if ((await this.moveOff(session, pools, { waitIfStuck: false })) === 'reassigned') moved.push(session.id);
    }
    return moved;
  }

  /** GET /mentors/{id}/workload (coordinators, the engine, and the mentor themself). */
  async workload(mentorId: string, caller: Caller): Promise<MentorWorkload> {
    const self = caller.id === mentorId && caller.roles.includes('mentor');
    if (!self && !mayPerform(caller, 'read_workload')) throw new ForbiddenError('Your role may not read this workload.');
    const mentor = await this.deps.directory.get('mentor', mentorId);
    if (mentor === undefined) throw new NotFoundError(`mentor ${mentorId} not found.`);
    const [open, usage, queued] = await Promise.all([
      this.deps.store.listOpen(),
      this.deps.store.readMentorUsage([mentorId]),
      this.queuedFor(mentorId),
    ]);
    const mine = open.filter((session) => session.mentorId === mentorId);
    const load = usage.get(mentorId);
    const capacity = this.capacity(mentor);
    const openSessions = load?.load ?? 0;
    return {
      mentorId,
      available: mentor.available,
      capacity,
      openSessions,
      capacityLeft: Math.max(0, capacity - openSessions),
      ...(load?.lastAssignedAt !== undefined && { lastAssignedAt: load.lastAssignedAt }),
      sessions: mine.map((s) => ({ id: s.id, status: s.status, juniorId: s.juniorId, storyId: s.storyId, ...(s.startedAt && { startedAt: s.startedAt }) })),
      queued: queued.map((s) => ({ id: s.id, ...(s.enqueuedAt && { enqueuedAt: s.enqueuedAt }), fallbackToAuto: s.mentorRequest?.fallbackToAuto ?? false })),
    };
  }

  /** The mentors with their load (one BatchGet), for the mentor list and views. */
  async withLoads(mentors: readonly Mentor[]): Promise<(Mentor & { load: MentorLoadView })[]> {
    const usage = await this.deps.store.readMentorUsage(mentors.map((m) => m.id));
    return mentors.map((mentor) => {
      const openSessions = usage.get(mentor.id)?.load ?? 0;
      const capacity = this.capacity(mentor);
      return { ...mentor, load: { openSessions, capacity, capacityLeft: Math.max(0, capacity - openSessions) } };
    });
  }

  /**
   * Moves one session off its mentor by the strategy (the current mentor
   * excluded). When nobody can take it: it waits (`waitIfStuck`) or stays
   * waiting. When its mentor is available again, it stays with them.
   */
  private async moveOff(
    first: Session,
    pools: Map<string, LoadedPool>,
    options: { waitIfStuck: boolean },
  ): Promise<'reassigned' | 'awaiting' | 'stayed' | 'skipped'> {
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
        await this.deps.store.commit({
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
        session = await this.deps.store.getSession(session.id);
      }
    }
    return 'skipped';
  }

  private async poolFor(session: Session, pools: Map<string, LoadedPool>): Promise<LoadedPool> {
    // One view per skill area, kept current as sessions move; read again when it lacks the session's mentor.
    const key = poolKey(session);
    let pool = pools.get(key);
    if (pool === undefined || (session.mentorId !== undefined && !pool.has(session.mentorId))) {
      const loaded = await this.deps.store.loadMentorPool({
        skillArea: session.skillArea,
        ...(session.mentorId !== undefined && { mentorIds: [session.mentorId] }),
      });
      pool = new LoadedPool(loaded, (mentor) => this.capacity(mentor));
      pools.set(key, pool);
    }
    return pool;
  }

  private async queuedFor(mentorId: string): Promise<Session[]> {
    const found: Session[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listQueued({ limit: 100, ...(cursor && { cursor }) });
      found.push(...page.sessions.filter((s) => s.mentorRequest?.mentorId === mentorId));
      cursor = page.cursor;
    } while (cursor !== undefined);
    return found;
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

function cannotTake(mentorId: string, why: 'unavailable' | 'full'): MentorCannotTakeError {
  const message =
    why === 'full' ? `Mentor ${mentorId} has no free slot (max concurrent sessions reached).` : `Mentor ${mentorId} is not available.`;
  return new MentorCannotTakeError(message, { details: { mentorId, reason: why } });
}

function historyEntry(event: SessionEvent): MentorHistoryEntry {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof data[key] === 'string' ? { [key]: data[key] as string } : {});
  return {
    seq: event.seq,
    at: event.occurredAt,
    type: event.type as MentorHistoryEntry['type'],
    ...text('mentorId'),
    ...text('previousMentorId'),
    ...text('mode'),
    ...text('strategy'),
    ...(event.reason !== undefined && { reason: event.reason }),
    ...(event.notes !== undefined && { notes: event.notes }),
    actor: event.actor,
    actorRole: event.actorRole,
  };
}
