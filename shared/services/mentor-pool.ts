import type { AssignmentDecision, MentorLoad, Rotation } from '../domain/assignment';
import type { Mentor } from '../domain/directory';
import type { MentorPool, SessionChange } from '../ports/session-store';

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
