import type { Rotation } from '../domain/assignment';
import type { Junior, Mentor, Story } from '../domain/directory';
import type { IdempotencyRecord } from './session-repository';

/** A mentor with the slots they hold and when they last took one. */
export interface MentorUsage {
  readonly mentor: Mentor;
  readonly load: number;
  readonly lastAssignedAt?: string;
}

/** The mentors that can be considered for a skill area, and the area's round-robin pointer. */
export interface MentorPool {
  readonly mentors: readonly MentorUsage[];
  readonly rotation: Rotation;
}

/** How many slots are taken: one count per junior, the system's, and the queue's length (mentors: `readMentorUsage`). */
export interface UsageSnapshot {
  readonly system: number;
  readonly queue: number;
  readonly juniors: ReadonlyMap<string, number>;
}

/** Observed active durations of completed sessions. */
export interface DurationStats {
  readonly count: number;
  readonly meanActiveMs: number;
}

/** Everything a start reads before it decides, at once. */
export interface StartContext {
  readonly story?: Story;
  readonly junior?: Junior;
  readonly mentor?: Mentor;
  readonly idempotency?: IdempotencyRecord;
  readonly usage: UsageSnapshot;
  /** With `withMentorPool`, once the story is found: the mentors for its skill area (and the named mentor). */
  readonly mentorPool?: MentorPool;
}

export interface StartContextQuery {
  readonly storyId: string;
  readonly juniorId: string;
  readonly mentorId?: string;
  readonly idempotency?: { readonly scope: string; readonly key: string };
  readonly withMentorPool?: boolean;
}

/** What the limits, the queue and assignment read: slots in use, the mentor pool, what a start needs. */
export interface UsageReader {
  loadStartContext(query: StartContextQuery): Promise<StartContext>;
  readUsage(query: { juniorIds: readonly string[] }): Promise<UsageSnapshot>;
  /** Slot counts of these mentors (absent: no slot held). */
  readMentorUsage(mentorIds: readonly string[]): Promise<ReadonlyMap<string, { load: number; lastAssignedAt?: string }>>;
  /** The mentors who cover a skill area (case-insensitive) plus any named in `mentorIds`, with their loads, and the area's pointer. */
  loadMentorPool(query: { skillArea: string; mentorIds?: readonly string[] }): Promise<MentorPool>;
  getDurationStats(): Promise<DurationStats | undefined>;
}
