import type { Mentor } from './directory';

/** Settings `mentor_assignment.strategy`. */
export const ASSIGNMENT_STRATEGIES = ['workload_balanced', 'skill_matched', 'round_robin'] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

/** A mentor as assignment sees them: the directory entry, the slots in use, and when they were last given a session. */
export interface MentorLoad {
  readonly mentor: Mentor;
  /** Open sessions holding this mentor's slot. */
  readonly load: number;
  /** This mentor's cap: the per-mentor setting, lowered by their own maxConcurrentSessions. */
  readonly capacity: number;
  /** When a session last took this mentor's slot; absent: never. */
  readonly lastAssignedAt?: string;
}

/** The round-robin pointer of one skill area: the last mentor it handed a turn to, and how many turns it has handed out. */
export interface Rotation {
  readonly skillArea: string;
  readonly lastMentorId?: string;
  readonly turn: number;
}

/** One candidate's score parts, as the explanation shows them. */
export interface CandidateScore {
  readonly mentorId: string;
  /** The mentor's level (1-5) in the story's skill area. */
  readonly skillLevel: number;
  readonly load: number;
  readonly capacity: number;
  readonly capacityLeft: number;
  /** load / capacity. */
  readonly loadRatio: number;
  readonly lastAssignedAt?: string;
  /** 1 = the winner; absent for mentors that could not be chosen. */
  readonly rank?: number;
  /** Why this mentor could not be chosen. */
  readonly excluded?: 'unavailable' | 'full' | 'excluded';
}

export type AssignmentMode = 'manual' | 'auto' | 'fallback_to_auto';

/** How a mentor was chosen: stored on the session and in its `mentor_assigned` event. */
export interface MentorAssignment {
  readonly mode: AssignmentMode;
  readonly mentorId: string;
  readonly skillArea: string;
  /** For automatic choices. */
  readonly strategy?: AssignmentStrategy;
  /** For a fallback: the mentor the request named, who had no free slot. */
  readonly requestedMentorId?: string;
  /** Best first; at most MAX_EXPLAINED_CANDIDATES. Empty for a manual choice. */
  readonly candidates: readonly CandidateScore[];
  /** How many mentors cover the skill area (the list may be cut). */
  readonly candidateCount: number;
  /** The round-robin turn this choice took. */
  readonly turn?: number;
}

/** Candidates kept in an explanation: enough to see why, small enough for one item. */
export const MAX_EXPLAINED_CANDIDATES = 20;

/** A mentor's level in a skill area (case-insensitive), 0 when they do not cover it. */
export function skillLevel(mentor: Mentor, area: string): number {
  const wanted = area.trim().toLowerCase();
  return mentor.skills.find((skill) => skill.area.trim().toLowerCase() === wanted)?.level ?? 0;
}

export function capacityLeft(entry: MentorLoad): number {
  return Math.max(0, entry.capacity - entry.load);
}

/** True when the mentor can take a session now: available and with a free slot. */
export function canTake(entry: MentorLoad): boolean {
  return entry.mentor.available && capacityLeft(entry) > 0;
}

function score(entry: MentorLoad, area: string): CandidateScore {
  return {
    mentorId: entry.mentor.id,
    skillLevel: skillLevel(entry.mentor, area),
    load: entry.load,
    capacity: entry.capacity,
    capacityLeft: capacityLeft(entry),
    loadRatio: entry.capacity === 0 ? 1 : entry.load / entry.capacity,
    ...(entry.lastAssignedAt === undefined ? {} : { lastAssignedAt: entry.lastAssignedAt }),
  };
}

/** Earlier "last assigned" is idler; never assigned is idlest. */
const idleOrder = (a: CandidateScore, b: CandidateScore) => (a.lastAssignedAt ?? '').localeCompare(b.lastAssignedAt ?? '');
const byId = (a: CandidateScore, b: CandidateScore) => (a.mentorId < b.mentorId ? -1 : a.mentorId > b.mentorId ? 1 : 0);

const ORDER: Record<Exclude<AssignmentStrategy, 'round_robin'>, (a: CandidateScore, b: CandidateScore) => number> = {
  // Lowest load ratio; ties to the one idle longest; then by id, so the answer is deterministic.
  workload_balanced: (a, b) => a.loadRatio - b.loadRatio || idleOrder(a, b) || byId(a, b),
  // Best level in the area; ties to the least loaded, then the idlest, then by id.
  skill_matched: (a, b) => b.skillLevel - a.skillLevel || a.loadRatio - b.loadRatio || idleOrder(a, b) || byId(a, b),
};

/** Round robin: mentors in id order; the turn goes to the first eligible one after the pointer, wrapping. */
function rotationOrder(eligible: CandidateScore[], lastMentorId: string | undefined): CandidateScore[] {
  const sorted = [...eligible].sort(byId);
  if (lastMentorId === undefined) return sorted;
  const next = sorted.findIndex((candidate) => candidate.mentorId > lastMentorId);
  return next <= 0 ? sorted : [...sorted.slice(next), ...sorted.slice(0, next)];
}

export interface AutoChoice {
  /** The winner, or undefined when no mentor can take the session (it queues). */
  readonly mentorId?: string;
  readonly candidates: CandidateScore[];
  readonly candidateCount: number;
  /** For round robin: the pointer after this choice. */
  readonly rotation?: Rotation;
}

/**
 * Chooses a mentor for a story's skill area by the strategy. Only mentors who
 * cover the area are candidates; of those, only available ones with a free slot
 * (and not excluded) can win. Pure and deterministic: ties are broken by the
 * rule of the strategy, then by mentor id.
 */
export function chooseMentor(
  strategy: AssignmentStrategy,
  skillArea: string,
  pool: readonly MentorLoad[],
  options: { rotation?: Rotation; exclude?: readonly string[] } = {},
): AutoChoice {
  const exclude = new Set(options.exclude ?? []);
  const covering = pool.filter((entry) => skillLevel(entry.mentor, skillArea) > 0);
  const scored = covering.map((entry) => {
    const base = score(entry, skillArea);
    if (exclude.has(entry.mentor.id)) return { ...base, excluded: 'excluded' as const };
    if (!entry.mentor.available) return { ...base, excluded: 'unavailable' as const };
    if (capacityLeft(entry) === 0) return { ...base, excluded: 'full' as const };
    return base;
  });
  const eligible = scored.filter((candidate) => candidate.excluded === undefined);
  const ranked = strategy === 'round_robin' ? rotationOrder(eligible, options.rotation?.lastMentorId) : [...eligible].sort(ORDER[strategy]);
  const candidates = [
    ...ranked.map((candidate, index) => ({ ...candidate, rank: index + 1 })),
    ...scored.filter((candidate) => candidate.excluded !== undefined).sort(byId),
  ].slice(0, MAX_EXPLAINED_CANDIDATES);
  const winner = ranked[0]?.mentorId;
  const rotation =
    strategy === 'round_robin' && winner !== undefined ? { skillArea: rotationKey(skillArea), lastMentorId: winner, turn: (options.rotation?.turn ?? 0) + 1 } : undefined;
  return {
    ...(winner === undefined ? {} : { mentorId: winner }),
    candidates,
    candidateCount: covering.length,
    ...(rotation === undefined ? {} : { rotation }),
  };
}

/** The pointer's key: skill areas compare case-insensitively. */
export function rotationKey(skillArea: string): string {
  return skillArea.trim().toLowerCase();
}

/** What the start request (or a queued session) asked for. */
export interface MentorRequest {
  readonly mentorId: string;
  readonly fallbackToAuto: boolean;
}

export type AssignmentDecision =
  | { readonly outcome: 'assigned'; readonly assignment: MentorAssignment; readonly rotation?: Rotation }
  /** No mentor can take it now: it waits (for the requested mentor, or any eligible one). */
  | { readonly outcome: 'none'; readonly waitingFor: 'requested_mentor' | 'eligible_mentor'; readonly candidates: CandidateScore[] };

/**
 * The mentor a session gets when it is about to run: the requested one when
 * they are available with a free slot; otherwise, when the request allows a
 * fallback (or named nobody), the strategy's choice; otherwise none.
 */
export function decideMentor(input: {
  readonly strategy: AssignmentStrategy;
  readonly skillArea: string;
  readonly pool: readonly MentorLoad[];
  readonly request?: MentorRequest;
  readonly rotation?: Rotation;
  /** Mentors that may not win (a reassignment excludes the current one). */
  readonly exclude?: readonly string[];
}): AssignmentDecision {
  const { request, skillArea, strategy } = input;
  if (request !== undefined) {
    const requested = input.pool.find((entry) => entry.mentor.id === request.mentorId);
    if (requested !== undefined && canTake(requested)) {
      return {
        outcome: 'assigned',
        assignment: { mode: 'manual', mentorId: request.mentorId, skillArea, candidates: [], candidateCount: 0 },
      };
    }
    if (!request.fallbackToAuto) return { outcome: 'none', waitingFor: 'requested_mentor', candidates: [] };
  }
  const exclude = [...(input.exclude ?? []), ...(request ? [request.mentorId] : [])];
  const choice = chooseMentor(strategy, skillArea, input.pool, {
    ...(input.rotation && { rotation: input.rotation }),
    ...(exclude.length > 0 && { exclude }),
  });
  if (choice.mentorId === undefined) return { outcome: 'none', waitingFor: 'eligible_mentor', candidates: choice.candidates };
  return {
    outcome: 'assigned',
    assignment: {
      mode: request === undefined ? 'auto' : 'fallback_to_auto',
      mentorId: choice.mentorId,
      skillArea,
      strategy,
      ...(request && { requestedMentorId: request.mentorId }),
      candidates: choice.candidates,
      candidateCount: choice.candidateCount,
      ...(choice.rotation && { turn: choice.rotation.turn }),
    },
    ...(choice.rotation && { rotation: choice.rotation }),
  };
}
