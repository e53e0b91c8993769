import { isOpen, type SessionStatus } from './status';

/** The slots a session holds while open: its junior's, its mentor's (when set) and one system-wide. */
export type SlotScope = 'junior' | 'mentor' | 'system';

/**
 * How a status change moves the session's slots: entering an open status takes
 * them, leaving it releases them, anything else leaves them alone.
 */
export function slotChange(from: SessionStatus | undefined, to: SessionStatus): 'acquire' | 'release' | 'none' {
  const held = from !== undefined && isOpen(from);
  const holds = isOpen(to);
  if (!held && holds) return 'acquire';
  if (held && !holds) return 'release';
  return 'none';
}
