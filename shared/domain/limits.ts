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

/** How a status change moves the queue's length: entering Queued adds one, leaving it removes one. */
export function queueChange(from: SessionStatus | undefined, to: SessionStatus): 'enter' | 'leave' | 'none' {
  if (from !== 'Queued' && to === 'Queued') return 'enter';
  if (from === 'Queued' && to !== 'Queued') return 'leave';
  return 'none';
}

/** The most sessions each limit lets run at once, for one session's slots. */
export interface SlotLimits {
  readonly junior: number;
  readonly mentor: number;
  readonly system: number;
  readonly queue: number;
}

/** The settings' limits, as counts. */
export interface LimitSettings {
  readonly perJunior: number;
  readonly perMentor: number;
  readonly system: number;
  readonly queueSize: number;
}

/** A mentor's capacity: the per-mentor setting, which their own cap can only lower. */
export function mentorCapacity(settings: LimitSettings, ownCap?: number): number {
  return Math.min(settings.perMentor, ownCap ?? settings.perMentor);
}

/** The limits one session's slots are held to, with its mentor's own cap. */
export function slotLimits(settings: LimitSettings, mentorCap?: number): SlotLimits {
  return { junior: settings.perJunior, mentor: mentorCapacity(settings, mentorCap), system: settings.system, queue: settings.queueSize };
}

/** Slots in use for the limits one session needs. */
export interface SlotUsage {
  readonly junior: number;
  readonly mentor?: number;
  readonly system: number;
}

/** The limits that would refuse a session now: each that is at (or over) its maximum. */
export function blockingScopes(usage: SlotUsage, limits: Pick<SlotLimits, 'junior' | 'mentor' | 'system'>, hasMentor: boolean): SlotScope[] {
  const blocked: SlotScope[] = [];
  if (usage.junior >= limits.junior) blocked.push('junior');
  if (hasMentor && (usage.mentor ?? 0) >= limits.mentor) blocked.push('mentor');
  if (usage.system >= limits.system) blocked.push('system');
  return blocked;
}
