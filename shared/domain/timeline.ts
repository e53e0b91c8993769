import type { MentorshipState } from './mentorship-state';
import type { ActorRole, Session, SessionEvent, SessionEventType, StatusBreakdown } from './model';

export type { StatusBreakdown } from './model';

import type { SessionStatus } from './status';

/** One audit-log event on the timeline, with how long the session then stayed as it left it. */
export interface TimelineEntry {
  readonly seq: number;
  /** The event's `occurredAt`, as written (engine reports carry the engine's clock). */
  readonly timestamp: string;
  readonly eventType: SessionEventType;
  readonly fromStatus?: SessionStatus;
  readonly toStatus?: SessionStatus;
  readonly fromState?: MentorshipState;
  readonly toState?: MentorshipState;
  readonly actor: string;
  readonly actorRole: ActorRole;
  /** A short sentence for people; never the event's raw `data`. */
  readonly description: string;
  /**
   * From this entry until the next entry that changed the session's status or
   * its MentorshipState, or until the end of the timeline (`asOf`). Never negative.
   */
  readonly durationInStateMs: number;
}

/** The spec's SessionTimeline, durations in milliseconds (the HTTP layer formats them). */
export interface SessionTimeline {
  readonly sessionId: string;
  /** When the session was created (queued or started): the timeline starts here. */
  readonly startTime: string;
  /** When it first became Active; absent while it has never run. */
  readonly startedAt?: string;
  /** When it reached a terminal status. */
  readonly endTime?: string;
  /** The instant durations count up to: `endTime`, or `now` while the session is not ended. */
  readonly asOf: string;
  /** `asOf` minus `startTime`, at least 0. */
  readonly totalDurationMs: number;
  /** In `seq` order. */
  readonly entries: readonly TimelineEntry[];
  /** Active time per MentorshipState; Paused time under `PAUSED`; Queued time under no state. */
  readonly timePerStateMs: Partial<Record<MentorshipState, number>>;
  readonly statusBreakdown: StatusBreakdown;
}

/** Where the replay of the log stands after an event. */
interface Position {
  readonly status?: SessionStatus;
  /** The session's MentorshipState (`PAUSED` while paused). */
  readonly state?: MentorshipState;
  /** While paused: the step resume returns to. */
  readonly pausedFrom?: MentorshipState;
}

interface PauseStretch {
  ms: number;
  counted: boolean;
}

/**
 * The timeline of a session from its audit log (spec "SessionTimeline"). Pure:
 * `now` (ISO 8601) ends the timeline of a session that has not ended.
 *
 * Definitions:
 * - The timeline runs from `createdAt` (so queue time is part of it) to
 *   `endedAt`, or to `now` while the session is open or queued.
 * - Events are taken in `seq` order whatever order they are passed in. Each
 *   takes effect at its `occurredAt`, but never before the event ahead of it
 *   nor outside the timeline: a clock-skewed instant is clamped, so every
 *   duration is at least 0 and the pieces add up to `totalDurationMs`.
 * - Replaying the log: `toStatus` sets the status, `toState` the MentorshipState.
 *   A `state_transition` marked `data.late` moves nothing; one that arrives
 *   while Paused moves the step resume returns to, not the state (still `PAUSED`).
 * - `timePerStateMs`: time spent Active, per MentorshipState; time spent Paused
 *   counts under `PAUSED`; Queued and ended time count under no state.
 * - `durationInStateMs` of an entry: from it to the next entry that changed
 *   the status or the MentorshipState (a progress event, a late report or a
 *   report while paused changes neither), or to the end of the timeline.
 * - `statusBreakdown`: time spent Queued, Active and Paused. For a session
 *   whose log starts with its first status (every stored log does) and ends
 *   with its terminal event, queued + active + paused equals `totalDurationMs`.
 *   `pauseCount` counts pauses that took effect: a pause the engine refused
 *   (reverted by `workflow_sync_failed`) does not count, and a refused resume
 *   continues the pause it interrupted (`longestPauseMs` sees one pause).
 * - A log without any status-changing event is read as the session's current
 *   status and state since `createdAt`.
 */
export function buildTimeline(session: Session, events: readonly SessionEvent[], now: string): SessionTimeline {
  const log = [...events].sort((a, b) => a.seq - b.seq);
  const startMs = Date.parse(session.createdAt);
  const asOf = session.endedAt ?? now;
  const endMs = Math.max(startMs, Date.parse(asOf));

  // When each event takes effect: its own instant, kept in order and within the timeline.
  const at: number[] = [];
  let previous = startMs;
  for (const event of log) {
    const instant = Date.parse(event.occurredAt);
    previous = Math.min(endMs, Number.isNaN(instant) ? previous : Math.max(previous, instant));
    at.push(previous);
  }

  const positions: Position[] = [];
  let position = seedPosition(session, log);
  const seed = position;
  for (const event of log) {
    position = applyEvent(position, event);
    positions.push(position);
  }

  const totals: Record<'Queued' | 'Active' | 'Paused', number> = { Queued: 0, Active: 0, Paused: 0 };
  const timePerStateMs: Partial<Record<MentorshipState, number>> = {};
  const stretches: PauseStretch[] = seed.status === 'Paused' ? [{ ms: 0, counted: true }] : [];
  let openStretch: PauseStretch | undefined = stretches[0];
  let lastCloser: SessionEventType | undefined;

  const spend = (where: Position, ms: number) => {
    if (where.status === 'Queued' || where.status === 'Active' || where.status === 'Paused') totals[where.status] += ms;
    const state = where.status === 'Paused' ? 'PAUSED' : where.status === 'Active' ? where.state : undefined;
    if (state !== undefined) timePerStateMs[state] = (timePerStateMs[state] ?? 0) + ms;
    if (where.status === 'Paused' && openStretch !== undefined) openStretch.ms += ms;
  };

  spend(seed, (at[0] ?? endMs) - startMs);
  log.forEach((event, i) => {
    const before = i === 0 ? seed : positions[i - 1]!;
    const after = positions[i]!;
    if (before.status === 'Paused' && after.status !== 'Paused') {
      // A refused pause did not happen for the people involved.
      if (event.type === 'workflow_sync_failed' && openStretch !== undefined) openStretch.counted = false;
      openStretch = undefined;
      lastCloser = event.type;
    } else if (after.status === 'Paused' && before.status !== 'Paused') {
      const last = stretches[stretches.length - 1];
      // A refused resume continues the pause it interrupted.
      const resumed = event.type === 'workflow_sync_failed' && lastCloser === 'session_resumed' && last !== undefined;
      openStretch = resumed ? last : { ms: 0, counted: true };
      if (!resumed) stretches.push(openStretch);
    }
    spend(after, (at[i + 1] ?? endMs) - at[i]!);
  });

  // Where each entry's stay ends: the instant of the next entry that changed the status or the state.
  const stayEnds: number[] = new Array<number>(log.length);
  let nextChange = endMs;
  for (let i = log.length - 1; i >= 0; i -= 1) {
    stayEnds[i] = nextChange;
    const before = i === 0 ? seed : positions[i - 1]!;
    const after = positions[i]!;
    if (after.status !== before.status || after.state !== before.state) nextChange = at[i]!;
  }
  const entries = log.map((event, i): TimelineEntry => {
    return {
      seq: event.seq,
      timestamp: event.occurredAt,
      eventType: event.type,
      ...(event.fromStatus === undefined ? {} : { fromStatus: event.fromStatus }),
      ...(event.toStatus === undefined ? {} : { toStatus: event.toStatus }),
      ...(event.fromState === undefined ? {} : { fromState: event.fromState }),
      ...(event.toState === undefined ? {} : { toState: event.toState }),
      actor: event.actor,
      actorRole: event.actorRole,
      description: describeEvent(event),
      durationInStateMs: stayEnds[i]! - at[i]!,
    };
  });

  const pauses = stretches.filter((stretch) => stretch.counted);
  return {
    sessionId: session.id,
    startTime: session.createdAt,
    ...(session.startedAt === undefined ? {} : { startedAt: session.startedAt }),
    ...(session.endedAt === undefined ? {} : { endTime: session.endedAt }),
    asOf,
    totalDurationMs: endMs - startMs,
    entries,
    timePerStateMs,
    statusBreakdown: {
      queuedMs: totals.Queued,
      activeMs: totals.Active,
      pausedMs: totals.Paused,
      pauseCount: pauses.length,
      longestPauseMs: pauses.reduce((longest, stretch) => Math.max(longest, stretch.ms), 0),
    },
  };
}

/** Before the first event: the status the log starts from, or the session's own when the log has none. */
function seedPosition(session: Session, log: readonly SessionEvent[]): Position {
  const first = log.find((event) => event.toStatus !== undefined);
  if (first === undefined) {
    return {
      status: session.status,
      ...(session.currentState === undefined ? {} : { state: session.currentState }),
      ...(session.pausedFromState === undefined ? {} : { pausedFrom: session.pausedFromState }),
    };
  }
  const status = first.fromStatus ?? first.toStatus;
  return { ...(status === undefined ? {} : { status }), ...(first.fromState === undefined ? {} : { state: first.fromState }) };
}

/** Replays one event (see buildTimeline for the rules). */
function applyEvent(position: Position, event: SessionEvent): Position {
  if (event.type === 'state_transition') {
    if (event.data?.['late'] === true || event.toState === undefined) return position;
    return position.status === 'Paused' ? { ...position, pausedFrom: event.toState } : { ...position, state: event.toState };
  }
  let { status, state, pausedFrom } = position;
  if (event.toStatus !== undefined && event.toStatus !== status) {
    if (event.toStatus === 'Paused') {
      const interrupted = event.fromState !== undefined && event.fromState !== 'PAUSED' ? event.fromState : state;
      pausedFrom = interrupted === 'PAUSED' ? pausedFrom : interrupted;
    } else if (status === 'Paused' && event.toState === undefined) {
      state = pausedFrom;
    }
    status = event.toStatus;
  }
  if (event.toState !== undefined) state = event.toState;
  return {
    ...(status === undefined ? {} : { status }),
    ...(state === undefined ? {} : { state }),
    ...(pausedFrom === undefined ? {} : { pausedFrom }),
  };
}

const text = (event: SessionEvent, key: string): string | undefined => {
  const value = event.data?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};
const suffix = (value: string | undefined, separator = ': '): string => (value === undefined ? '' : `${separator}${value}`);

/**
 * A short sentence for an event, built from its named fields and a few known
 * string fields of its data (ids, reasons, messages); never the raw `data`.
 */
export function describeEvent(event: SessionEvent): string {
  const by = event.actor;
  const reason = event.reason;
  switch (event.type) {
    case 'session_started':
      return `Started by ${by}${suffix(event.toState, ' at ')}`;
    case 'session_queued':
      return `Queued by ${by}${suffix(blockedBy(event), ', waiting for a free slot: ')}`;
    case 'session_dequeued':
      return `Left the queue${suffix(event.toState, ', started at ')}`;
    case 'session_paused':
      return `Paused by ${by}${suffix(reason)}`;
    case 'session_resumed':
      return `Resumed by ${by}${suffix(event.toState, ' at ')}`;
    case 'session_completed':
      return `Completed by ${by}${suffix(score(event), ', score ')}`;
    case 'session_failed':
      return `Failed by ${by}${suffix(text(event, 'error') ?? reason)}`;
    case 'session_cancelled':
      return `Cancelled by ${by}${suffix(reason)}`;
    case 'session_timed_out':
      return `Timed out${suffix(text(event, 'limit')?.replaceAll('_', ' '), ': ')}${suffix(event.fromStatus, ' while ')}`;
    case 'state_transition':
      return describeStateReport(event);
    case 'workflow_sync_failed': {
      const operation = text(event, 'operation') ?? 'a change';
      return event.data?.['reverted'] === true
        ? `Engine did not follow ${operation}; reverted${suffix(event.toStatus, ' to ')}`
        : `Engine did not follow ${operation}; it will be retried`;
    }
    case 'workflow_sync_resolved':
      return 'Engine and session agree again';
    case 'mentor_assigned':
      return `Mentor ${text(event, 'mentorId') ?? 'unknown'} assigned (${text(event, 'strategy') ?? reason ?? 'manual'})`;
    case 'mentor_reassigned':
      return `Mentor reassigned${suffix(text(event, 'previousMentorId'), ' from ')} to ${text(event, 'mentorId') ?? 'unknown'}${suffix(reason)}`;
    case 'mentor_reassignment_queued':
      return `Waiting for another mentor${suffix(reason)}`;
    case 'config_updated':
      return `Config updated by ${by}${suffix(changedFields(event))}`;
    case 'check_in_missed': {
      const missed = count(event, 'missed');
      return missed === undefined ? 'Check-in missed' : `Check-in missed (${missed} in a row)`;
    }
    case 'escalation_triggered':
      return `Escalation triggered${suffix(text(event, 'audience'), ' to ')}${suffix(reason ?? text(event, 'message'))}`;
    default:
      return `${sentenceCase(event.type)}${suffix(text(event, 'message') ?? reason)}`;
  }
}

function describeStateReport(event: SessionEvent): string {
  if (event.data?.['late'] === true) {
    return `Late report ignored${suffix(text(event, 'reportedState'), ': ')} (state unchanged)`;
  }
  const move = `State ${event.fromState ?? 'none'} -> ${event.toState ?? 'none'}`;
  return event.data?.['whilePaused'] === true ? `${move} while paused (resume returns there)` : move;
}

function blockedBy(event: SessionEvent): string | undefined {
  const scopes = event.data?.['blockedBy'];
  if (!Array.isArray(scopes)) return undefined;
  const names = scopes.filter((scope): scope is string => typeof scope === 'string');
  return names.length === 0 ? undefined : names.join(', ');
}

function score(event: SessionEvent): string | undefined {
  const report = event.data?.['report'];
  if (typeof report !== 'object' || report === null || !('overallScore' in report)) return undefined;
  const value = report.overallScore;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

function count(event: SessionEvent, key: string): string | undefined {
  const value = event.data?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

function changedFields(event: SessionEvent): string | undefined {
  const changes = event.data?.['changes'];
  if (!Array.isArray(changes)) return undefined;
  const fields = changes
    .map((change: unknown) => (typeof change === 'object' && change !== null && 'field' in change ? change.field : undefined))
    .filter((field): field is string => typeof field === 'string');
  return fields.length === 0 ? undefined : fields.join(', ');
}

const sentenceCase = (type: string): string => {
  const words = type.replaceAll('_', ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
};
