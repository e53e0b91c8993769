import { MENTORSHIP_STATES, type MentorshipState } from './mentorship-state';
import type { Session, SessionEvent, SessionEventType } from './model';
import { diffConfig } from './session-config';
import type { SessionStatus } from './status';
import { buildTimeline, type StatusBreakdown } from './timeline';

/** A session and its audit log. */
export interface SessionWithEvents {
  readonly session: Session;
  readonly events: readonly SessionEvent[];
}

/** How a session ended, or where it stands. */
export interface SessionOutcome {
  readonly status: SessionStatus;
  readonly cancelReason?: string;
  readonly error?: string;
}

/** One session's column in a comparison. */
export interface ComparedSession {
  readonly sessionId: string;
  readonly storyId: string;
  readonly juniorId: string;
  readonly mentorId?: string;
  readonly outcome: SessionOutcome;
  /** The engine's score from the session's report; absent until it completed. */
  readonly overallScore?: number;
  /** Durations as `buildTimeline` defines them (from creation to end, or to `now`). */
  readonly durationsMs: { readonly total: number; readonly active: number; readonly queued: number; readonly paused: number };
  readonly timePerStateMs: Partial<Record<MentorshipState, number>>;
  readonly statusBreakdown: StatusBreakdown;
  /** How many events of each type its log holds (types it has none of are left out). */
  readonly eventCounts: Partial<Record<SessionEventType, number>>;
}

/** A config field whose value differs, by its dotted wire path (`notifications.slackEnabled`). */
export interface ConfigDifference {
  readonly field: string;
  readonly a: unknown;
  readonly b: unknown;
}

export interface SessionComparison {
  readonly a: ComparedSession;
  readonly b: ComparedSession;
  /** The config fields that differ; an unset `qualityTierOverride` reads as null, arrays compare whole. */
  readonly configDifferences: readonly ConfigDifference[];
  /** b minus a, for every duration. */
  readonly durationDifferencesMs: ComparedSession['durationsMs'];
  /** b minus a, for every MentorshipState either session spent time in (absent counts as 0), in vocabulary order. */
  readonly stateDifferencesMs: Partial<Record<MentorshipState, number>>;
}

/**
 * Two sessions side by side (pure; `now` ends the timeline of an open session).
 * Each column holds the session's outcome, mentor, engine score, event counts
 * and the durations and time per state of its timeline (see `buildTimeline`);
 * the comparison adds the config fields that differ and, for durations and
 * time per state, b minus a.
 */
export function compareSessions(a: SessionWithEvents, b: SessionWithEvents, now: string): SessionComparison {
  const left = compared(a, now);
  const right = compared(b, now);
  const states = MENTORSHIP_STATES.filter((state) => left.timePerStateMs[state] !== undefined || right.timePerStateMs[state] !== undefined);
  return {
    a: left,
    b: right,
    configDifferences: diffConfig(a.session.config, b.session.config).map(({ field, from, to }) => ({ field, a: from, b: to })),
    durationDifferencesMs: {
      total: right.durationsMs.total - left.durationsMs.total,
      active: right.durationsMs.active - left.durationsMs.active,
      queued: right.durationsMs.queued - left.durationsMs.queued,
      paused: right.durationsMs.paused - left.durationsMs.paused,
    },
    stateDifferencesMs: Object.fromEntries(states.map((state) => [state, (right.timePerStateMs[state] ?? 0) - (left.timePerStateMs[state] ?? 0)])),
  };
}

function compared({ session, events }: SessionWithEvents, now: string): ComparedSession {
  const timeline = buildTimeline(session, events, now);
  const breakdown = timeline.statusBreakdown;
  const eventCounts: Partial<Record<SessionEventType, number>> = {};
  for (const event of events) eventCounts[event.type] = (eventCounts[event.type] ?? 0) + 1;
  return {
    sessionId: session.id,
    storyId: session.storyId,
    juniorId: session.juniorId,
    ...(session.mentorId === undefined ? {} : { mentorId: session.mentorId }),
    outcome: {
      status: session.status,
      ...(session.cancelReason === undefined ? {} : { cancelReason: session.cancelReason }),
      ...(session.error === undefined ? {} : { error: session.error }),
    },
    ...(session.report === undefined ? {} : { overallScore: session.report.overallScore }),
    durationsMs: { total: timeline.totalDurationMs, active: breakdown.activeMs, queued: breakdown.queuedMs, paused: breakdown.pausedMs },
    timePerStateMs: timeline.timePerStateMs,
    statusBreakdown: breakdown,
    eventCounts,
  };
}
