/**
 * Session status: this service's lifecycle (spec AC2, plus `Queued`).
 * Distinct from MentorshipState, the engine's fine-grained step (see mentorship-state.ts).
 */
export const SESSION_STATUSES = ['Queued', 'Active', 'Paused', 'Completed', 'Failed', 'Cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Open sessions hold their junior, mentor and system slots. */
export const OPEN_STATUSES = ['Active', 'Paused'] as const satisfies readonly SessionStatus[];
export const TERMINAL_STATUSES = ['Completed', 'Failed', 'Cancelled'] as const satisfies readonly SessionStatus[];

export function isOpen(status: SessionStatus): boolean {
  return (OPEN_STATUSES as readonly SessionStatus[]).includes(status);
}

export function isTerminal(status: SessionStatus): boolean {
  return (TERMINAL_STATUSES as readonly SessionStatus[]).includes(status);
}
