import fc from 'fast-check';
import {
  ASSIGNMENT_STRATEGIES,
  type AssignmentStrategy,
  type CandidateScore,
  chooseMentor,
  decideMentor,
  MAX_EXPLAINED_CANDIDATES,
  type MentorLoad,
  type Rotation,
  skillLevel,
} from '../../shared/domain/assignment';
import type { Skill } from '../../shared/domain/directory';
import { aMentor } from '../support/builders';

const H9 = '2026-01-05T09:00:00.000Z';
const H10 = '2026-01-05T10:00:00.000Z';
const H11 = '2026-01-05T11:00:00.000Z';
const H8 = '2026-01-05T08:00:00.000Z';

interface LoadOptions {
  readonly skills?: readonly Skill[];
  readonly load?: number;
  readonly capacity?: number;
  readonly available?: boolean;
  readonly lastAssignedAt?: string;
}

/** A directory entry with its slots in use; by default a typescript mentor (level 4), idle, 0 of 2 slots used, never assigned. */
function aLoad(id: string, options: LoadOptions = {}): MentorLoad {
  return {
    mentor: aMentor(id, { skills: options.skills ?? [{ area: 'typescript', level: 4 }], available: options.available ?? true }),
    load: options.load ?? 0,
    capacity: options.capacity ?? 2,
    ...(options.lastAssignedAt === undefined ? {} : { lastAssignedAt: options.lastAssignedAt }),
  };
}

const ts = (level: number): Skill[] => [{ area: 'typescript', level }];

/**
 * A fixed directory with known answers for the area `typescript`:
 *  m-a level 3, 1/2 (0.5), last 10:00
 *  m-b level 5, 2/4 (0.5), last 09:00  (ties m-a on ratio, idler)
 *  m-c level 5, 0/1 (0),   last 11:00
 *  m-d level 2 (spelled `TypeScript`), 1/3, never assigned
 *  m-e level 4, unavailable
 *  m-f level 4, 2/2 (full), last 08:00
 *  m-g aws only (does not cover the area)
 */
const DIRECTORY: readonly MentorLoad[] = [
  aLoad('m-a', { skills: ts(3), load: 1, capacity: 2, lastAssignedAt: H10 }),
  aLoad('m-b', { skills: [...ts(5), { area: 'aws', level: 2 }], load: 2, capacity: 4, lastAssignedAt: H9 }),
  aLoad('m-c', { skills: ts(5), load: 0, capacity: 1, lastAssignedAt: H11 }),
  aLoad('m-d', { skills: [{ area: 'TypeScript', level: 2 }], load: 1, capacity: 3 }),
  aLoad('m-e', { skills: ts(4), load: 0, capacity: 2, available: false }),
  aLoad('m-f', { skills: ts(4), load: 2, capacity: 2, lastAssignedAt: H8 }),
  aLoad('m-g', { skills: [{ area: 'aws', level: 5 }], load: 0, capacity: 3 }),
];

const SCORE: Record<string, CandidateScore> = {
  'm-a': { mentorId: 'm-a', skillLevel: 3, load: 1, capacity: 2, capacityLeft: 1, loadRatio: 0.5, lastAssignedAt: H10 },
  'm-b': { mentorId: 'm-b', skillLevel: 5, load: 2, capacity: 4, capacityLeft: 2, loadRatio: 0.5, lastAssignedAt: H9 },
  'm-c': { mentorId: 'm-c', skillLevel: 5, load: 0, capacity: 1, capacityLeft: 1, loadRatio: 0, lastAssignedAt: H11 },
  'm-d': { mentorId: 'm-d', skillLevel: 2, load: 1, capacity: 3, capacityLeft: 2, loadRatio: 1 / 3 },
  'm-e': { mentorId: 'm-e', skillLevel: 4, load: 0, capacity: 2, capacityLeft: 2, loadRatio: 0 },
  'm-f': { mentorId: 'm-f', skillLevel: 4, load: 2, capacity: 2, capacityLeft: 0, loadRatio: 1, lastAssignedAt: H8 },
};

const ranked = (ids: readonly string[]): CandidateScore[] => ids.map((id, index) => ({ ...SCORE[id]!, rank: index + 1 }));
const EXCLUDED_E_F: CandidateScore[] = [
  { ...SCORE['m-e']!, excluded: 'unavailable' },
  { ...SCORE['m-f']!, excluded: 'full' },
];

describe('skillLevel', () => {
  test('is the level of the matching skill area, compared case-insensitively and trimmed', () => {
    // Prepare
    const mentor = aMentor('m-1', {
      skills: [
        { area: 'AWS', level: 3 },
        { area: 'TypeScript', level: 5 },
      ],
    });

    // Act
    const levels = [skillLevel(mentor, 'typescript'), skillLevel(mentor, ' TYPESCRIPT '), skillLevel(mentor, 'aws')];

    // Assess
    expect(levels).toEqual([5, 5, 3]);
  });

  test('is 0 for an area the mentor does not cover', () => {
    // Prepare
    const mentor = aMentor('m-1', { skills: [{ area: 'aws', level: 3 }] });

    // Act
    const level = skillLevel(mentor, 'typescript');

    // Assess
    expect(level).toBe(0);
  });
});

describe('chooseMentor on a fixed directory', () => {
  test('workload_balanced: lowest load ratio wins; ratio ties go to the one idle longest; the explanation ranks every eligible mentor', () => {
    // Act
    const choice = chooseMentor('workload_balanced', 'typescript', DIRECTORY);

    // Assess
    expect(choice).toStrictEqual({
      mentorId: 'm-c',
      candidates: [...ranked(['m-c', 'm-d', 'm-b', 'm-a']), ...EXCLUDED_E_F],
      candidateCount: 6,
    });
  });

  test('skill_matched: best level wins; level ties go to the least loaded', () => {
    // Act
    const choice = chooseMentor('skill_matched', 'typescript', DIRECTORY);

    // Assess
    expect(choice).toStrictEqual({
      mentorId: 'm-c',
      candidates: [...ranked(['m-c', 'm-b', 'm-a', 'm-d']), ...EXCLUDED_E_F],
      candidateCount: 6,
    });
  });

  test('round_robin without a pointer: the first eligible mentor in id order, and the pointer moves to turn 1', () => {
    // Act
    const choice = chooseMentor('round_robin', 'typescript', DIRECTORY);

    // Assess
    expect(choice).toStrictEqual({
      mentorId: 'm-a',
      candidates: [...ranked(['m-a', 'm-b', 'm-c', 'm-d']), ...EXCLUDED_E_F],
      candidateCount: 6,
      rotation: { skillArea: 'typescript', lastMentorId: 'm-a', turn: 1 },
    });
  });

  test('round_robin: the turn goes to the next eligible mentor after the pointer', () => {
    // Prepare
    const rotation: Rotation = { skillArea: 'typescript', lastMentorId: 'm-b', turn: 7 };

    // Act
    const choice = chooseMentor('round_robin', 'typescript', DIRECTORY, { rotation });

    // Assess
    expect(choice.mentorId).toBe('m-c');
    expect(choice.candidates.map((c) => [c.mentorId, c.rank])).toEqual([
      ['m-c', 1],
      ['m-d', 2],
      ['m-a', 3],
      ['m-b', 4],
      ['m-e', undefined],
      ['m-f', undefined],
    ]);
    expect(choice.rotation).toEqual({ skillArea: 'typescript', lastMentorId: 'm-c', turn: 8 });
  });

  test('round_robin: after the last eligible mentor the pointer wraps to the first', () => {
    // Prepare
    const rotation: Rotation = { skillArea: 'typescript', lastMentorId: 'm-d', turn: 4 };

    // Act
    const choice = chooseMentor('round_robin', 'typescript', DIRECTORY, { rotation });

    // Assess
    expect(choice.mentorId).toBe('m-a');
    expect(choice.rotation).toEqual({ skillArea: 'typescript', lastMentorId: 'm-a', turn: 5 });
  });

  test('round_robin: a pointer at a mentor who cannot take a turn skips to the next eligible one (full and unavailable are skipped)', () => {
    // Prepare: eligible are m-a..m-d; m-e (unavailable) and m-f (full) come after m-d in id order.
    const rotation: Rotation = { skillArea: 'typescript', lastMentorId: 'm-e', turn: 2 };

    // Act
    const choice = chooseMentor('round_robin', 'typescript', DIRECTORY, { rotation });

    // Assess
    expect(choice.mentorId).toBe('m-a');
    expect(choice.rotation).toEqual({ skillArea: 'typescript', lastMentorId: 'm-a', turn: 3 });
  });

  test('round_robin: the pointer is kept per skill area in lower case', () => {
    // Act
    const choice = chooseMentor('round_robin', ' TypeScript ', DIRECTORY);

    // Assess
    expect(choice.rotation).toEqual({ skillArea: 'typescript', lastMentorId: 'm-a', turn: 1 });
  });

  test.each(ASSIGNMENT_STRATEGIES)('%s: skill areas match case-insensitively', (strategy) => {
    // Act
    const lower = chooseMentor(strategy, 'typescript', DIRECTORY);
    const upper = chooseMentor(strategy, 'TYPESCRIPT', DIRECTORY);

    // Assess
    expect(upper.mentorId).toBe(lower.mentorId);
    expect(upper.candidates).toEqual(lower.candidates);
    expect(upper.candidateCount).toBe(6);
  });

  test.each(ASSIGNMENT_STRATEGIES)('%s: mentors who do not cover the area are not candidates at all, however free', (strategy) => {
    // Prepare: the aws-only m-g is idle with three free slots.
    const pool = [aLoad('m-g', { skills: [{ area: 'aws', level: 5 }], capacity: 3 }), aLoad('m-z', { skills: ts(1), load: 2, capacity: 3 })];

    // Act
    const choice = chooseMentor(strategy, 'typescript', pool);

    // Assess
    expect(choice.mentorId).toBe('m-z');
    expect(choice.candidates.map((c) => c.mentorId)).toEqual(['m-z']);
    expect(choice.candidateCount).toBe(1);
  });

  test.each(ASSIGNMENT_STRATEGIES)('%s: no eligible mentor gives no winner, and the explanation says why each was excluded', (strategy) => {
    // Prepare
    const pool = [
      aLoad('m-1', { available: false }),
      aLoad('m-2', { load: 2, capacity: 2 }),
      aLoad('m-3', { load: 0, capacity: 0 }),
      aLoad('m-4', { skills: [{ area: 'aws', level: 5 }] }),
    ];

    // Act
    const choice = chooseMentor(strategy, 'typescript', pool);

    // Assess
    expect(choice).toStrictEqual({
      candidates: [
        { mentorId: 'm-1', skillLevel: 4, load: 0, capacity: 2, capacityLeft: 2, loadRatio: 0, excluded: 'unavailable' },
        { mentorId: 'm-2', skillLevel: 4, load: 2, capacity: 2, capacityLeft: 0, loadRatio: 1, excluded: 'full' },
        { mentorId: 'm-3', skillLevel: 4, load: 0, capacity: 0, capacityLeft: 0, loadRatio: 1, excluded: 'full' },
      ],
      candidateCount: 3,
    });
  });

  test.each(ASSIGNMENT_STRATEGIES)('%s: an excluded mentor cannot win and is explained as excluded', (strategy) => {
    // Prepare
    const pool = [aLoad('m-1', { skills: ts(5) }), aLoad('m-2', { skills: ts(3), load: 1 })];

    // Act
    const choice = chooseMentor(strategy, 'typescript', pool, { exclude: ['m-1'] });

    // Assess
    expect(choice.mentorId).toBe('m-2');
    expect(choice.candidates).toStrictEqual([
      { mentorId: 'm-2', skillLevel: 3, load: 1, capacity: 2, capacityLeft: 1, loadRatio: 0.5, rank: 1 },
      { mentorId: 'm-1', skillLevel: 5, load: 0, capacity: 2, capacityLeft: 2, loadRatio: 0, excluded: 'excluded' },
    ]);
  });

  test.each(ASSIGNMENT_STRATEGIES)('%s: at most 20 candidates are kept, while candidateCount counts every mentor covering the area', (strategy) => {
    // Prepare: 22 eligible and 3 full mentors, all alike.
    const id = (n: number) => `m-${String(n).padStart(2, '0')}`;
    const pool = [
      ...Array.from({ length: 22 }, (_, i) => aLoad(id(i + 1))),
      ...Array.from({ length: 3 }, (_, i) => aLoad(id(i + 23), { load: 2 })),
      aLoad('m-aws', { skills: [{ area: 'aws', level: 5 }] }),
    ];

    // Act
    const choice = chooseMentor(strategy, 'typescript', pool);

    // Assess
    expect(MAX_EXPLAINED_CANDIDATES).toBe(20);
    expect(choice.candidates).toHaveLength(20);
    expect(choice.candidates.map((c) => c.mentorId)).toEqual(Array.from({ length: 20 }, (_, i) => id(i + 1)));
    expect(choice.candidates.map((c) => c.rank)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(choice.candidateCount).toBe(25);
  });
});

describe('chooseMentor ties', () => {
  test('workload_balanced compares the load ratio, not the raw load', () => {
    // Prepare: m-1 has more sessions but a lower ratio (2/8 < 1/2).
    const pool = [aLoad('m-1', { load: 2, capacity: 8, lastAssignedAt: H11 }), aLoad('m-2', { load: 1, capacity: 2 })];

    // Act
    const choice = chooseMentor('workload_balanced', 'typescript', pool);

    // Assess
    expect(choice.mentorId).toBe('m-1');
    expect(choice.candidates.map((c) => c.loadRatio)).toEqual([0.25, 0.5]);
  });

  test('workload_balanced: on a ratio tie the earliest lastAssignedAt wins', () => {
    // Prepare: equal ratios 1/2 = 2/4.
    const pool = [aLoad('m-1', { load: 1, capacity: 2, lastAssignedAt: H10 }), aLoad('m-2', { load: 2, capacity: 4, lastAssignedAt: H9 })];

    // Act
    const choice = chooseMentor('workload_balanced', 'typescript', pool);

    // Assess
    expect(choice.mentorId).toBe('m-2');
  });

  test('workload_balanced: on a ratio tie a never-assigned mentor is the idlest', () => {
    // Prepare
    const pool = [aLoad('m-1', { lastAssignedAt: H8 }), aLoad('m-2')];

    // Act
    const choice = chooseMentor('workload_balanced', 'typescript', pool);

    // Assess
    expect(choice.candidates.map((c) => c.mentorId)).toEqual(['m-2', 'm-1']);
  });

  test('workload_balanced: a full tie goes to the lower id', () => {
    // Prepare
    const pool = [aLoad('m-2', { lastAssignedAt: H9 }), aLoad('m-1', { lastAssignedAt: H9 }), aLoad('m-3', { lastAssignedAt: H9 })];

    // Act
    const choice = chooseMentor('workload_balanced', 'typescript', pool);

    // Assess
    expect(choice.candidates.map((c) => c.mentorId)).toEqual(['m-1', 'm-2', 'm-3']);
  });

  test('skill_matched: a higher level beats a lighter load', () => {
    // Prepare
    const pool = [aLoad('m-1', { skills: ts(3), load: 0, capacity: 4 }), aLoad('m-2', { skills: ts(4), load: 3, capacity: 4 })];

    // Act
    const choice = chooseMentor('skill_matched', 'typescript', pool);

    // Assess
    expect(choice.mentorId).toBe('m-2');
  });

  test('skill_matched: on a level tie the least loaded (by ratio) wins', () => {
    // Prepare: m-1 1/4 (0.25) beats m-2 1/2 (0.5), despite the same raw load.
    const pool = [aLoad('m-2', { skills: ts(5), load: 1, capacity: 2 }), aLoad('m-1', { skills: ts(5), load: 1, capacity: 4, lastAssignedAt: H11 })];

    // Act
    const choice = chooseMentor('skill_matched', 'typescript', pool);

    // Assess
    expect(choice.mentorId).toBe('m-1');
  });

  test('skill_matched: on a level and load tie the idlest wins, never-assigned first', () => {
    // Prepare
    const pool = [aLoad('m-1', { skills: ts(5), lastAssignedAt: H10 }), aLoad('m-2', { skills: ts(5), lastAssignedAt: H9 }), aLoad('m-3', { skills: ts(5) })];

    // Act
    const choice = chooseMentor('skill_matched', 'typescript', pool);

    // Assess
    expect(choice.candidates.map((c) => c.mentorId)).toEqual(['m-3', 'm-2', 'm-1']);
  });

  test('skill_matched: a full tie goes to the lower id', () => {
    // Prepare
    const pool = [aLoad('m-b', { skills: ts(5) }), aLoad('m-a', { skills: ts(5) })];

    // Act
    const choice = chooseMentor('skill_matched', 'typescript', pool);

    // Assess
    expect(choice.mentorId).toBe('m-a');
  });
});

describe('decideMentor', () => {
  test('without a request the strategy chooses: mode auto with the explanation', () => {
    // Act
    const decision = decideMentor({ strategy: 'workload_balanced', skillArea: 'typescript', pool: DIRECTORY });

    // Assess
    expect(decision).toStrictEqual({
      outcome: 'assigned',
      assignment: {
        mode: 'auto',
        mentorId: 'm-c',
        skillArea: 'typescript',
        strategy: 'workload_balanced',
        candidates: [...ranked(['m-c', 'm-d', 'm-b', 'm-a']), ...EXCLUDED_E_F],
        candidateCount: 6,
      },
    });
  });

  test('round robin: the assignment records the turn and the decision returns the new pointer', () => {
    // Prepare
    const rotation: Rotation = { skillArea: 'typescript', lastMentorId: 'm-a', turn: 3 };

    // Act
    const decision = decideMentor({ strategy: 'round_robin', skillArea: 'typescript', pool: DIRECTORY, rotation });

    // Assess
    expect(decision.outcome).toBe('assigned');
    if (decision.outcome !== 'assigned') return;
    expect(decision.assignment.mentorId).toBe('m-b');
    expect(decision.assignment.turn).toBe(4);
    expect(decision.rotation).toEqual({ skillArea: 'typescript', lastMentorId: 'm-b', turn: 4 });
  });

  test('without a request and no eligible mentor: none, waiting for an eligible mentor, with the explanation', () => {
    // Prepare
    const pool = [aLoad('m-1', { available: false }), aLoad('m-2', { load: 2, capacity: 2 })];

    // Act
    const decision = decideMentor({ strategy: 'skill_matched', skillArea: 'typescript', pool });

    // Assess
    expect(decision).toStrictEqual({
      outcome: 'none',
      waitingFor: 'eligible_mentor',
      candidates: [
        { mentorId: 'm-1', skillLevel: 4, load: 0, capacity: 2, capacityLeft: 2, loadRatio: 0, excluded: 'unavailable' },
        { mentorId: 'm-2', skillLevel: 4, load: 2, capacity: 2, capacityLeft: 0, loadRatio: 1, excluded: 'full' },
      ],
    });
  });

  test.each([true, false])('a requested mentor who is available with a free slot wins (manual), fallbackToAuto %s', (fallbackToAuto) => {
    // Act
    const decision = decideMentor({
      strategy: 'workload_balanced',
      skillArea: 'typescript',
      pool: DIRECTORY,
      request: { mentorId: 'm-a', fallbackToAuto },
    });

    // Assess
    expect(decision).toStrictEqual({
      outcome: 'assigned',
      assignment: { mode: 'manual', mentorId: 'm-a', skillArea: 'typescript', candidates: [], candidateCount: 0 },
    });
  });

  test('a requested mentor wins even when they do not cover the skill area', () => {
    // Act
    const decision = decideMentor({
      strategy: 'skill_matched',
      skillArea: 'typescript',
      pool: DIRECTORY,
      request: { mentorId: 'm-g', fallbackToAuto: false },
    });

    // Assess
    expect(decision).toStrictEqual({
      outcome: 'assigned',
      assignment: { mode: 'manual', mentorId: 'm-g', skillArea: 'typescript', candidates: [], candidateCount: 0 },
    });
  });

  test.each([
    ['full', 'm-f'],
    ['unavailable', 'm-e'],
  ])('a %s requested mentor with fallbackToAuto: the strategy picks among the others (fallback_to_auto)', (_why, requested) => {
    // Act
    const decision = decideMentor({
      strategy: 'workload_balanced',
      skillArea: 'typescript',
      pool: DIRECTORY,
      request: { mentorId: requested, fallbackToAuto: true },
    });

    // Assess
    const other = requested === 'm-f' ? { ...SCORE['m-e']!, excluded: 'unavailable' as const } : { ...SCORE['m-f']!, excluded: 'full' as const };
    const self = { ...SCORE[requested]!, excluded: 'excluded' as const };
    expect(decision).toStrictEqual({
      outcome: 'assigned',
      assignment: {
        mode: 'fallback_to_auto',
        mentorId: 'm-c',
        skillArea: 'typescript',
        strategy: 'workload_balanced',
        requestedMentorId: requested,
        candidates: [...ranked(['m-c', 'm-d', 'm-b', 'm-a']), ...[self, other].sort((a, b) => a.mentorId.localeCompare(b.mentorId))],
        candidateCount: 6,
      },
    });
  });

  test('a requested mentor who would win the strategy but is full is never chosen by the fallback', () => {
    // Prepare: m-1 is the best skill match but full; m-2 is the only other.
    const pool = [aLoad('m-1', { skills: ts(5), load: 2, capacity: 2 }), aLoad('m-2', { skills: ts(2) })];

    // Act
    const decision = decideMentor({ strategy: 'skill_matched', skillArea: 'typescript', pool, request: { mentorId: 'm-1', fallbackToAuto: true } });

    // Assess
    expect(decision.outcome).toBe('assigned');
    if (decision.outcome !== 'assigned') return;
    expect(decision.assignment.mentorId).toBe('m-2');
    expect(decision.assignment.mode).toBe('fallback_to_auto');
    expect(decision.assignment.requestedMentorId).toBe('m-1');
  });

  test('an unavailable requested mentor who is the only match, with fallbackToAuto: none, waiting for an eligible mentor', () => {
    // Prepare
    const pool = [aLoad('m-1', { available: false })];

    // Act
    const decision = decideMentor({ strategy: 'round_robin', skillArea: 'typescript', pool, request: { mentorId: 'm-1', fallbackToAuto: true } });

    // Assess
    expect(decision).toStrictEqual({
      outcome: 'none',
      waitingFor: 'eligible_mentor',
      candidates: [{ mentorId: 'm-1', skillLevel: 4, load: 0, capacity: 2, capacityLeft: 2, loadRatio: 0, excluded: 'excluded' }],
    });
  });

  test.each([
    ['full', 'm-f'],
    ['unavailable', 'm-e'],
  ])('a %s requested mentor without fallbackToAuto: none, waiting for the requested mentor', (_why, requested) => {
    // Act
    const decision = decideMentor({
      strategy: 'workload_balanced',
      skillArea: 'typescript',
      pool: DIRECTORY,
      request: { mentorId: requested, fallbackToAuto: false },
    });

    // Assess
    expect(decision).toStrictEqual({ outcome: 'none', waitingFor: 'requested_mentor', candidates: [] });
  });
});

// ---------------------------------------------------------------------------
// Properties: an independent statement of each strategy's order.

const AREAS = ['typescript', 'TypeScript', ' typescript '] as const;
const INSTANTS = [H8, H9, H10, H11];

const mentorLoadArb = (id: string): fc.Arbitrary<MentorLoad> =>
  fc
    .record({
      tsLevel: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      spelling: fc.constantFrom(...AREAS),
      awsLevel: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      available: fc.boolean(),
      load: fc.integer({ min: 0, max: 4 }),
      capacity: fc.integer({ min: 0, max: 4 }),
      lastAssignedAt: fc.option(fc.constantFrom(...INSTANTS), { nil: undefined }),
    })
    .map((r) => {
      const skills: Skill[] = [
        ...(r.awsLevel === undefined ? [] : [{ area: 'aws', level: r.awsLevel }]),
        ...(r.tsLevel === undefined ? [] : [{ area: r.spelling, level: r.tsLevel }]),
      ];
      return aLoad(id, {
        skills,
        available: r.available,
        load: r.load,
        capacity: r.capacity,
        ...(r.lastAssignedAt === undefined ? {} : { lastAssignedAt: r.lastAssignedAt }),
      });
    });

const IDS = Array.from({ length: 12 }, (_, i) => `m-${String(i + 1).padStart(2, '0')}`);
const poolArb: fc.Arbitrary<MentorLoad[]> = fc
  .subarray(IDS, { minLength: 0, maxLength: IDS.length })
  .chain((ids) => fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }))
  .chain((ids) => fc.tuple(...ids.map(mentorLoadArb)))
  .map((loads) => [...loads]);

const oracleLevel = (entry: MentorLoad): number => entry.mentor.skills.find((s) => s.area.trim().toLowerCase() === 'typescript')?.level ?? 0;
const oracleEligible = (entry: MentorLoad): boolean => oracleLevel(entry) > 0 && entry.mentor.available && entry.load < entry.capacity;
/** Negative when x's ratio is lower than y's (exact: integers cross-multiplied). */
const ratioCmp = (x: MentorLoad, y: MentorLoad) => x.load * y.capacity - y.load * x.capacity;
const idleKey = (x: MentorLoad) => (x.lastAssignedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(x.lastAssignedAt));
const idleCmp = (x: MentorLoad, y: MentorLoad) => (idleKey(x) === idleKey(y) ? 0 : idleKey(x) < idleKey(y) ? -1 : 1);
const idCmp = (x: MentorLoad, y: MentorLoad) => (x.mentor.id < y.mentor.id ? -1 : x.mentor.id > y.mentor.id ? 1 : 0);

/** True when x ranks strictly better than y by the strategy's order. */
function ranksBetter(strategy: Exclude<AssignmentStrategy, 'round_robin'>, x: MentorLoad, y: MentorLoad): boolean {
  const cmp =
    strategy === 'workload_balanced'
      ? Math.sign(ratioCmp(x, y)) || idleCmp(x, y) || idCmp(x, y)
      : Math.sign(oracleLevel(y) - oracleLevel(x)) || Math.sign(ratioCmp(x, y)) || idleCmp(x, y) || idCmp(x, y);
  return cmp < 0;
}

/** Round robin's expected turn: the first eligible id after the pointer, wrapping. */
function nextInRotation(eligibleIds: readonly string[], pointer: string | undefined): string | undefined {
  const sorted = [...eligibleIds].sort();
  return (pointer === undefined ? undefined : sorted.find((id) => id > pointer)) ?? sorted[0];
}

describe('chooseMentor properties', () => {
  test('the winner is always eligible, and no eligible candidate ranks better by the strategy order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ASSIGNMENT_STRATEGIES),
        fc.constantFrom(...AREAS, 'TYPESCRIPT'),
        poolArb,
        fc.option(fc.constantFrom(...IDS, 'm-00', 'm-99'), { nil: undefined }),
        (strategy, area, pool, pointer) => {
          // Act
          const rotation: Rotation | undefined = pointer === undefined ? undefined : { skillArea: 'typescript', lastMentorId: pointer, turn: 5 };
          const choice = chooseMentor(strategy, area, pool, rotation === undefined ? {} : { rotation });

          // Assess
          const eligible = pool.filter(oracleEligible);
          expect(choice.candidateCount).toBe(pool.filter((e) => oracleLevel(e) > 0).length);
          if (eligible.length === 0) {
            expect(choice.mentorId).toBeUndefined();
            expect(choice.rotation).toBeUndefined();
            return;
          }
          const winner = pool.find((e) => e.mentor.id === choice.mentorId);
          expect(winner).toBeDefined();
          expect(oracleEligible(winner!)).toBe(true);
          expect(choice.candidates[0]).toMatchObject({ mentorId: choice.mentorId, rank: 1 });
          if (strategy === 'round_robin') {
            expect(choice.mentorId).toBe(
              nextInRotation(
                eligible.map((e) => e.mentor.id),
                pointer,
              ),
            );
            expect(choice.rotation).toEqual({ skillArea: 'typescript', lastMentorId: choice.mentorId, turn: (rotation?.turn ?? 0) + 1 });
          } else {
            expect(eligible.filter((e) => ranksBetter(strategy, e, winner!)).map((e) => e.mentor.id)).toEqual([]);
          }
          // Every ranked candidate is eligible and every eligible one is ranked (pools here stay under the cap).
          const rankedIds = choice.candidates.filter((c) => c.rank !== undefined).map((c) => c.mentorId);
          expect([...rankedIds].sort()).toEqual(eligible.map((e) => e.mentor.id).sort());
        },
      ),
      { numRuns: 500 },
    );
  });

  test('round robin over N turns with no load changes visits every eligible mentor once per cycle', () => {
    fc.assert(
      fc.property(poolArb, fc.option(fc.constantFrom(...IDS), { nil: undefined }), fc.integer({ min: 1, max: 3 }), (pool, pointer, cycles) => {
        // Prepare
        const eligibleIds = pool.filter(oracleEligible).map((e) => e.mentor.id);
        fc.pre(eligibleIds.length > 0);
        let rotation: Rotation | undefined = pointer === undefined ? undefined : { skillArea: 'typescript', lastMentorId: pointer, turn: 0 };
        const winners: string[] = [];
        const turns: number[] = [];

        // Act
        for (let i = 0; i < cycles * eligibleIds.length; i += 1) {
          const choice = chooseMentor('round_robin', 'typescript', pool, rotation === undefined ? {} : { rotation });
          winners.push(choice.mentorId!);
          turns.push(choice.rotation!.turn);
          rotation = choice.rotation;
        }

        // Assess
        for (let c = 0; c < cycles; c += 1) {
          const cycle = winners.slice(c * eligibleIds.length, (c + 1) * eligibleIds.length);
          expect([...cycle].sort()).toEqual([...eligibleIds].sort());
        }
        expect(turns).toEqual(winners.map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });
});
