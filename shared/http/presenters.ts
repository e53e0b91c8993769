import { type Caller, seesAssignmentCandidates } from '../domain/access';
import type { MentorAssignment } from '../domain/assignment';
import type { ComparedSession, SessionComparison } from '../domain/comparison';
import { elapsedMs, formatDuration } from '../domain/duration';
import { targetOfStatus } from '../domain/engine-command';
import type { Column } from '../domain/export-format';
import type { SessionStartResult as StartResult } from '../domain/results';
import type { Session, SessionEvent } from '../domain/session';
import type { SessionConfig } from '../domain/session-config';
import type { SessionServiceReport } from '../domain/session-report';
import type { SessionTimeline, StatusBreakdown } from '../domain/timeline';
import type { ExportJob } from '../ports/export-jobs';
import type { ExportJobDto, SessionComparisonDto, SessionDetails, SessionEventDto, SessionStartResult, SessionSummary, SessionTimelineDto } from './schemas';

/**
 * What one caller may see of a session beyond its own fields. `candidates`:
 * the mentors an assignment weighed, with their skill levels, loads and
 * capacities, for coordinators and the service only (as `/mentors` is); for
 * the others an assignment lists no candidates and the `mentor_assigned` and
 * `mentor_reassigned` events carry `candidates: []` (docs/assignment-and-config.md).
 * Every presenter that shows an assignment takes one, so none can forget it.
 */
export interface Audience {
  readonly candidates: boolean;
}

export function audienceOf(caller: Caller): Audience {
  return { candidates: seesAssignmentCandidates(caller) };
}

/** The events whose `data` holds an assignment's candidates (shared/domain/start.ts, reassignment.ts). */
const CANDIDATE_EVENTS: ReadonlySet<string> = new Set(['mentor_assigned', 'mentor_reassigned']);

/** The event as the audience may see it: the other candidates left out of an assignment's data. */
export function eventFor(event: SessionEvent, audience: Audience): SessionEvent {
  if (audience.candidates || !CANDIDATE_EVENTS.has(event.type) || event.data === undefined || !('candidates' in event.data)) return event;
  return { ...event, data: { ...event.data, candidates: [] } };
}

/** Session -> the spec's SessionSummary. `now` ends the duration of a session still running. */
export function toSessionSummary(session: Session, now: string): SessionSummary {
  return {
    id: session.id,
    storyId: session.storyId,
    storyTitle: session.storyTitle,
    juniorId: session.juniorId,
    juniorName: session.juniorName,
    ...(session.mentorId !== undefined && { mentorId: session.mentorId }),
    ...(session.currentState !== undefined && { currentState: session.currentState }),
    status: session.status,
    createdAt: session.createdAt,
    ...(session.endedAt !== undefined && { completedAt: session.endedAt }),
    duration: formatDuration(elapsedMs(session.createdAt, session.endedAt ?? now)),
    ...(session.report !== undefined && { overallScore: session.report.overallScore }),
  };
}

export function toEventDto(event: SessionEvent, audience: Audience): SessionEventDto {
  const shown = eventFor(event, audience);
  return { ...shown, ...(shown.data !== undefined && { data: { ...shown.data } }) };
}

/** Session and its events -> the spec's SessionDetails. */
export function toSessionDetails(session: Session, events: readonly SessionEvent[], now: string, audience: Audience): SessionDetails {
  const optional = <K extends keyof Session>(key: K) => (session[key] === undefined ? {} : { [key]: session[key] });
  return {
    ...toSessionSummary(session, now),
    skillArea: session.skillArea,
    config: toConfigDto(session.config),
    ...optional('configTemplateId'),
    ...(session.assignment !== undefined && { assignment: toAssignmentDto(session.assignment, audience) }),
    ...(session.mentorRequest !== undefined && { requestedMentorId: session.mentorRequest.mentorId }),
    ...optional('awaitingMentorSince'),
    ...optional('workflowInstanceId'),
    ...optional('pausedFromState'),
    ...optional('startedAt'),
    ...optional('pausedAt'),
    updatedAt: session.updatedAt,
    ...optional('pauseReason'),
    ...optional('cancelReason'),
    ...optional('error'),
    ...(session.report !== undefined && { report: { ...session.report, metrics: { ...session.report.metrics } } }),
    ...(session.serviceReport !== undefined && { serviceReport: toServiceReportDto(session.serviceReport) }),
    ...(session.legalHold !== undefined && { legalHold: { ...session.legalHold } }),
    ...(audience.candidates && { engine: toEngineSide(session) }),
    version: session.version,
    events: [...events].sort((a, b) => a.seq - b.seq).map((event) => toEventDto(event, audience)),
  };
}

/** The engine side of a session: what it asks of its instance, and whether the engine has confirmed it. */
export function toEngineSide(session: Session): NonNullable<SessionDetails['engine']> {
  const command = session.engineCommand;
  return {
    ...(session.workflowInstanceId !== undefined && { workflowInstanceId: session.workflowInstanceId }),
    desired: command?.target ?? targetOfStatus(session.status) ?? 'none',
    confirmed: command === undefined,
    ...(command !== undefined && { pendingSince: command.since, attempts: command.attempts, nextAttemptAt: command.dueAt }),
    ...(command?.lastError !== undefined && { lastError: command.lastError }),
    ...(session.engineSync !== undefined && { outOfSync: { ...session.engineSync } }),
  };
}

/** Copies out of the readonly domain types into the wire shapes. */
export function toConfigDto(config: SessionConfig): SessionDetails['config'] {
  return { ...config, notifications: { ...config.notifications, additionalRecipients: [...config.notifications.additionalRecipients] } };
}

export function toAssignmentDto(assignment: MentorAssignment, audience: Audience): NonNullable<SessionDetails['assignment']> {
  return { ...assignment, candidates: audience.candidates ? assignment.candidates.map((candidate) => ({ ...candidate })) : [] };
}

/** A start's answer as the audience may see it (see {@link Audience}). */
export function toStartResultDto(result: StartResult, audience: Audience): SessionStartResult {
  const { assignment, ...rest } = result;
  return { ...rest, ...(assignment !== undefined && { assignment: toAssignmentDto(assignment, audience) }) };
}

/** One exported session: its summary plus what a report on past sessions needs. Strings and numbers only. */
export interface SessionExportRow extends SessionSummary {
  readonly skillArea: string;
  readonly configTemplateId?: string;
  readonly startedAt?: string;
  readonly cancelReason?: string;
  readonly error?: string;
  readonly legalHold: boolean;
}

export function toSessionExportRow(session: Session, now: string): SessionExportRow {
  return {
    ...toSessionSummary(session, now),
    skillArea: session.skillArea,
    ...(session.configTemplateId !== undefined && { configTemplateId: session.configTemplateId }),
    ...(session.startedAt !== undefined && { startedAt: session.startedAt }),
    ...(session.cancelReason !== undefined && { cancelReason: session.cancelReason }),
    ...(session.error !== undefined && { error: session.error }),
    legalHold: session.legalHold !== undefined,
  };
}

const column = <T, K extends keyof T & string>(key: K): Column<T> => ({
  header: key,
  value: (row) => row[key] as string | number | boolean | undefined,
});

/** The CSV columns of a session export, in order (the header row). */
export const SESSION_EXPORT_COLUMNS: readonly Column<SessionExportRow>[] = (
  [
    'id',
    'storyId',
    'storyTitle',
    'juniorId',
    'juniorName',
    'mentorId',
    'skillArea',
    'status',
    'currentState',
    'createdAt',
    'startedAt',
    'completedAt',
    'duration',
    'overallScore',
    'configTemplateId',
    'cancelReason',
    'error',
    'legalHold',
  ] as const
).map((key) => column<SessionExportRow, typeof key>(key));

/** The CSV columns of one session's audit log; `data` is its JSON text. */
export const EVENT_EXPORT_COLUMNS: readonly Column<SessionEvent>[] = [
  ...(['seq', 'type', 'occurredAt', 'recordedAt', 'actor', 'actorRole', 'fromStatus', 'toStatus', 'fromState', 'toState', 'reason', 'notes', 'externalId'] as const).map(
    (key) => column<SessionEvent, typeof key>(key),
  ),
  { header: 'data', value: (event) => (event.data === undefined ? undefined : JSON.stringify(event.data)) },
];

const durations = (byKey: Readonly<Record<string, number | undefined>>): Record<string, string> =>
  Object.fromEntries(Object.entries(byKey).flatMap(([key, ms]) => (ms === undefined ? [] : [[key, formatDuration(ms)]])));

function toStatusBreakdownDto(breakdown: StatusBreakdown): SessionTimelineDto['statusBreakdown'] {
  return {
    queued: formatDuration(breakdown.queuedMs),
    active: formatDuration(breakdown.activeMs),
    paused: formatDuration(breakdown.pausedMs),
    pauseCount: breakdown.pauseCount,
    longestPause: formatDuration(breakdown.longestPauseMs),
  };
}

/** The timeline with its durations as ISO 8601 (`PT1H30M`). */
export function toTimelineDto(timeline: SessionTimeline): SessionTimelineDto {
  return {
    sessionId: timeline.sessionId,
    startTime: timeline.startTime,
    ...(timeline.startedAt !== undefined && { startedAt: timeline.startedAt }),
    ...(timeline.endTime !== undefined && { endTime: timeline.endTime }),
    asOf: timeline.asOf,
    totalDuration: formatDuration(timeline.totalDurationMs),
    entries: timeline.entries.map(({ durationInStateMs, ...entry }) => ({ ...entry, durationInState: formatDuration(durationInStateMs) })),
    timePerState: durations(timeline.timePerStateMs),
    statusBreakdown: toStatusBreakdownDto(timeline.statusBreakdown),
  };
}

function toComparedDto(side: ComparedSession): SessionComparisonDto['a'] {
  return {
    sessionId: side.sessionId,
    storyId: side.storyId,
    juniorId: side.juniorId,
    ...(side.mentorId !== undefined && { mentorId: side.mentorId }),
    outcome: { ...side.outcome },
    ...(side.overallScore !== undefined && { overallScore: side.overallScore }),
    durations: {
      total: formatDuration(side.durationsMs.total),
      active: formatDuration(side.durationsMs.active),
      queued: formatDuration(side.durationsMs.queued),
      paused: formatDuration(side.durationsMs.paused),
    },
    timePerState: durations(side.timePerStateMs),
    statusBreakdown: toStatusBreakdownDto(side.statusBreakdown),
    eventCounts: Object.fromEntries(Object.entries(side.eventCounts).filter((entry): entry is [string, number] => entry[1] !== undefined)),
  };
}

/** Two sessions side by side; differences (b minus a) stay signed milliseconds. */
export function toComparisonDto(comparison: SessionComparison): SessionComparisonDto {
  return {
    a: toComparedDto(comparison.a),
    b: toComparedDto(comparison.b),
    configDifferences: comparison.configDifferences.map((difference) => ({ ...difference })),
    durationDifferencesMs: { ...comparison.durationDifferencesMs },
    stateDifferencesMs: Object.fromEntries(Object.entries(comparison.stateDifferencesMs).filter((entry): entry is [string, number] => entry[1] !== undefined)),
  };
}

/** An export job as the API shows it (its filter stays internal). */
/** Where a job's file is downloaded from: the API's route, never the sink's own address (a server path, an S3 URI). */
export const exportDownloadPath = (id: string) => `/api/mentorship/sessions/exports/${encodeURIComponent(id)}/download`;

export function toExportJobDto(job: ExportJob): ExportJobDto {
  const { filter: _filter, order: _order, leaseUntil: _lease, location: _location, ...shown } = job;
  return { ...shown, ...(job.status === 'succeeded' && { location: exportDownloadPath(job.id) }) };
}

function toServiceReportDto(report: SessionServiceReport): NonNullable<SessionDetails['serviceReport']> {
  const { timePerStateMs, statusBreakdown, engineScore, ...counts } = report;
  return {
    timePerState: durations(timePerStateMs),
    queued: formatDuration(statusBreakdown.queuedMs),
    active: formatDuration(statusBreakdown.activeMs),
    paused: formatDuration(statusBreakdown.pausedMs),
    longestPause: formatDuration(statusBreakdown.longestPauseMs),
    ...counts,
    ...(engineScore !== undefined && { engineScore }),
  };
}
