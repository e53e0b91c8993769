import type { Caller } from '../../shared/domain/access';
import type { MentorAssignment } from '../../shared/domain/assignment';
import type { Junior, Mentor, Story } from '../../shared/domain/directory';
import type { Session } from '../../shared/domain/session';
import { type SessionConfig, SPEC_DEFAULT_CONFIG } from '../../shared/domain/session-config';

export const coordinator: Caller = { id: 'coord-1', roles: ['coordinator'] };
export const engineCaller: Caller = { id: 'engine', roles: ['service'] };
export const mentorCaller = (id: string): Caller => ({ id, roles: ['mentor'] });
export const juniorCaller = (id: string): Caller => ({ id, roles: ['junior'] });

export const aJunior = (id: string, overrides: Partial<Junior> = {}): Junior => ({ id, name: `Junior ${id}`, skills: [{ area: 'typescript', level: 2 }], ...overrides });
export const aMentor = (id: string, overrides: Partial<Mentor> = {}): Mentor => ({
  id,
  name: `Mentor ${id}`,
  skills: [{ area: 'typescript', level: 4 }],
  available: true,
  ...overrides,
});
export const aStory = (id: string, overrides: Partial<Story> = {}): Story => ({ id, title: `Story ${id}`, skillArea: 'typescript', ...overrides });

/** The spec's default SessionConfig (8 hours, check-ins every 30 minutes, progressive). */
export const aConfig = (overrides: Partial<SessionConfig> = {}): SessionConfig => ({ ...SPEC_DEFAULT_CONFIG, ...overrides });

/** A manual assignment of the mentor, as a start that named them records it. */
export const anAssignment = (mentorId: string, overrides: Partial<MentorAssignment> = {}): MentorAssignment => ({
  mode: 'manual',
  mentorId,
  skillArea: 'typescript',
  candidates: [],
  candidateCount: 0,
  ...overrides,
});

/** A session in any status, for pure domain tests. */
export function aSession(overrides: Partial<Session> = {}): Session {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    storyId: 'story-1',
    juniorId: 'junior-1',
    mentorId: 'mentor-1',
    storyTitle: 'Story one',
    juniorName: 'Junior one',
    skillArea: 'typescript',
    config: aConfig(),
    status: 'Active',
    currentState: 'PLAN_DECOMPOSITION',
    stateChangedAt: '2026-01-05T09:00:00.000Z',
    workflowInstanceId: 'wf-1',
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
    startedAt: '2026-01-05T09:00:00.000Z',
    version: 1,
    eventCount: 1,
    ...overrides,
  };
}
