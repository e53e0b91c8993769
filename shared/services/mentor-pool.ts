import { type AssignmentDecision, decideMentor, type MentorLoad, type MentorRequest, type Rotation } from '../domain/assignment';
import type { Mentor } from '../domain/directory';
import { mentorCapacity } from '../domain/limits';
import type { SessionChange } from '../ports/session-repository';
import type { MentorPool, UsageReader } from '../ports/usage-reader';
import type { Settings } from '../settings/settings';

/**
 * The mentors one decision (or one drain) considers, with their loads and
 * capacities. A drain that assigns several sessions keeps it current: each
 * assignment adds to the mentor's load and moves the pointer.
 */
export class LoadedPool {
  private readonly entries: Map<string, MentorLoad>;
  private pointer: Rotation;

  constructor(pool: MentorPool, capacity: (mentor: Mentor) => number) {
    this.entries = new Map(
      pool.mentors.map(({ mentor, load, lastAssignedAt }) => [
        mentor.id,
        { mentor, load, capacity: capacity(mentor), ...(lastAssignedAt !== undefined && { lastAssignedAt }) },
      ]),
    );
    this.pointer = pool.rotation;
  }

  get loads(): MentorLoad[] {
    return [...this.entries.values()];
  }

  get rotation(): Rotation {
    return this.pointer;
  }

  capacityOf(mentorId: string): number | undefined {
    return this.entries.get(mentorId)?.capacity;
  }

  /** Records an assignment this pool's holder committed. */
  took(mentorId: string, at: string, rotation?: Rotation): void {
    const entry = this.entries.get(mentorId);
    if (entry !== undefined) this.entries.set(mentorId, { ...entry, load: entry.load + 1, lastAssignedAt: at });
    if (rotation !== undefined) this.pointer = rotation;
  }

  has(mentorId: string): boolean {
    return this.entries.has(mentorId);
  }

  /** Records a slot this pool's holder released (a session moved off the mentor). */
  released(mentorId: string): void {
    const entry = this.entries.get(mentorId);
    if (entry !== undefined) this.entries.set(mentorId, { ...entry, load: Math.max(0, entry.load - 1) });
  }

  /** Records that the mentor turned out to be full (a commit was refused on their slot). */
  full(mentorId: string): void {
    const entry = this.entries.get(mentorId);
    if (entry !== undefined) this.entries.set(mentorId, { ...entry, load: Math.max(entry.load, entry.capacity) });
  }
}

/** The rotation part of a commit: the pointer moves only if nobody moved it since the pool was read. */
export function rotationChange(decision: AssignmentDecision, pool: LoadedPool): Pick<SessionChange, 'rotation'> {
  if (decision.outcome !== 'assigned' || decision.rotation === undefined) return {};
  return { rotation: { next: decision.rotation, expectedTurn: pool.rotation.turn } };
}

/** A pool as read, with each mentor's capacity from the settings and their own maximum. */
export function loadedPool(pool: MentorPool, settings: Settings): LoadedPool {
  return new LoadedPool(pool, (mentor) => mentorCapacity(settings.limits, mentor.maxConcurrentSessions));
}

/** The mentors a session of this skill area can get (plus the requested one), with their loads and capacities. */
export async function readPool(usage: UsageReader, settings: Settings, skillArea: string, request?: MentorRequest): Promise<LoadedPool> {
  return loadedPool(await usage.loadMentorPool({ skillArea, ...(request && { mentorIds: [request.mentorId] }) }), settings);
}

/** The settings' strategy's choice of mentor for a session (its request first), from a pool. */
export function decide(settings: Settings, session: { skillArea: string; mentorRequest?: MentorRequest }, pool: LoadedPool): AssignmentDecision {
  return decideMentor({
    strategy: settings.assignment.strategy,
    skillArea: session.skillArea,
    pool: pool.loads,
    rotation: pool.rotation,
    ...(session.mentorRequest && { request: session.mentorRequest }),
  });
}
