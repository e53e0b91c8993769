import { type Caller, mayPerform } from '../domain/access';
import type { MentorAssignment } from '../domain/assignment';
import type { Mentor } from '../domain/directory';
import { ConcurrentUpdateError, ForbiddenError, MentorCannotTakeError, NotFoundError, ReferenceNotFoundError, SessionNotRunningError } from '../domain/errors';
import { mentorCapacity, slotLimits } from '../domain/limits';
import type { Session, SessionEvent } from '../domain/model';
import { reassignedSession } from '../domain/reassignment';
import { isOpen } from '../domain/status';
import type { Clock } from '../ports/clock';
import type { DirectoryStore } from '../ports/directory-store';
import type { SessionIndexes } from '../ports/session-indexes';
import { CommitConflictError, type SessionRepository } from '../ports/session-repository';
import type { UsageReader } from '../ports/usage-reader';
import type { Settings } from '../settings/settings';
import { actorOf, authorizeSession } from './authorize';
import type { AvailabilityOutcome, MentorMoves } from './mentor-moves';

export type { AvailabilityOutcome } from './mentor-moves';

export interface AssignmentServiceOptions {
  readonly sessions: SessionRepository;
  readonly indexes: SessionIndexes;
  readonly usage: UsageReader;
  readonly moves: MentorMoves;
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

const MAX_ATTEMPTS = 8;
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
      const read = authorizeSession(await this.deps.sessions.getSession(id), id, caller, 'reassign');
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
        await this.deps.sessions.commit({ expected: session, ...write, limits: slotLimits(this.deps.settings.limits, mentor.maxConcurrentSessions) });
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
    const found = await this.deps.sessions.getSessionWithEvents(id);
    authorizeSession(found?.session, id, caller, 'read');
    return found!.events
      .filter((event) => HISTORY_TYPES.has(event.type))
      .sort((a, b) => a.seq - b.seq)
      .map(historyEntry);
  }

  /**
   * After a mentor entry is written: unavailable moves their open sessions off
   * them; available (perhaps again) lets the queue and the reassignment wait
   * list move. Answers the mentor with their load.
   */
  async mentorSaved(mentor: Mentor): Promise<Mentor & { load: MentorLoadView; reassignment?: AvailabilityOutcome }> {
    const reassignment = mentor.available ? undefined : await this.deps.moves.mentorUnavailable(mentor.id);
    if (mentor.available) await this.deps.drain();
    const [withLoad] = await this.withLoads([mentor]);
    return { ...withLoad!, ...(reassignment && { reassignment }) };
  }

  /** GET /mentors/{id}/workload (coordinators, the engine, and the mentor themself). */
  async workload(mentorId: string, caller: Caller): Promise<MentorWorkload> {
    const self = caller.id === mentorId && caller.roles.includes('mentor');
    if (!self && !mayPerform(caller, 'read_workload')) throw new ForbiddenError('Your role may not read this workload.');
    const mentor = await this.deps.directory.get('mentor', mentorId);
    if (mentor === undefined) throw new NotFoundError(`mentor ${mentorId} not found.`);
    const [open, usage, queued] = await Promise.all([this.deps.indexes.listOpen(), this.deps.usage.readMentorUsage([mentorId]), this.queuedFor(mentorId)]);
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
    const usage = await this.deps.usage.readMentorUsage(mentors.map((m) => m.id));
    return mentors.map((mentor) => {
      const openSessions = usage.get(mentor.id)?.load ?? 0;
      const capacity = this.capacity(mentor);
      return { ...mentor, load: { openSessions, capacity, capacityLeft: Math.max(0, capacity - openSessions) } };
    });
  }

  private async queuedFor(mentorId: string): Promise<Session[]> {
    const found: Session[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.indexes.listQueued({ limit: 100, ...(cursor && { cursor }) });
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

function cannotTake(mentorId: string, why: 'unavailable' | 'full'): MentorCannotTakeError {
  const message = why === 'full' ? `Mentor ${mentorId} has no free slot (max concurrent sessions reached).` : `Mentor ${mentorId} is not available.`;
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
