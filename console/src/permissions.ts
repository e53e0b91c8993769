import type { SessionDetails } from '../../shared/client';

/**
 * What the console offers a role. The API stays the authority (docs/api.md, the role table): this only hides what a
 * role cannot do, so no button invites a certain refusal. Kept beside the API's rules on purpose: a change there
 * without one here shows up as a button the API refuses (and the console shows that refusal in words).
 */
export type ConsoleRole = 'coordinator' | 'mentor' | 'junior';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['coordinator', 'mentor', 'junior'];

export type SessionAction = 'pause' | 'resume' | 'cancel' | 'complete' | 'fail' | 'reassign' | 'hold' | 'editConfig';
type Status = SessionDetails['status'];

/** The transition table's "from" statuses (shared/domain/transitions.ts), plus the mentor change and config rules. */
const FROM: Readonly<Record<SessionAction, readonly Status[]>> = {
  pause: ['Active'],
  resume: ['Paused'],
  cancel: ['Queued', 'Active', 'Paused'],
  complete: ['Active'],
  fail: ['Active'],
  reassign: ['Active', 'Paused'],
  hold: ['Queued', 'Active', 'Paused', 'Completed', 'Failed', 'Cancelled'],
  editConfig: ['Queued', 'Active', 'Paused'],
};

const BY_ROLE: Readonly<Record<ConsoleRole, readonly SessionAction[]>> = {
  coordinator: ['pause', 'resume', 'cancel', 'complete', 'fail', 'reassign', 'hold', 'editConfig'],
  mentor: ['pause', 'resume'],
  junior: [],
};

/** The actions to show for this session: the role may take them and the status allows them now. */
export function sessionActions(role: ConsoleRole, user: string, session: Pick<SessionDetails, 'status' | 'mentorId'>): SessionAction[] {
  if (role === 'mentor' && session.mentorId !== user) return [];
  return BY_ROLE[role].filter((action) => FROM[action].includes(session.status));
}

export type PageId = 'sessions' | 'queue' | 'mentors' | 'compare' | 'exports';

/** The pages each role sees in the navigation (mentors and juniors cannot read the directory or run export jobs). */
export const PAGES_BY_ROLE: Readonly<Record<ConsoleRole, readonly PageId[]>> = {
  coordinator: ['sessions', 'queue', 'mentors', 'compare', 'exports'],
  mentor: ['sessions', 'queue', 'mentors', 'compare'],
  junior: ['sessions', 'queue', 'compare'],
};

export const mayStartSessions = (role: ConsoleRole) => role === 'coordinator';
