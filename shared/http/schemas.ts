import * as z from 'zod';
import { DIRECTORY_ID_PATTERN } from '../domain/directory';
import {
  ENGINE_REPORTABLE_STATES,
  MENTORSHIP_STATES,
  WORKFLOW_PROGRESS_EVENTS,
  type MentorshipState,
} from '../domain/mentorship-state';

type States = readonly [MentorshipState, ...MentorshipState[]];
import { SESSION_STATUSES } from '../domain/status';
import { ASSIGNMENT_STRATEGIES } from '../domain/assignment';
import { CONFIG_BOUNDS, ESCALATION_POLICIES, TEMPLATE_ID_PATTERN } from '../domain/session-config';
import { EXPORT_FORMATS } from '../domain/export-format';
import { DEFAULT_PAGE_SIZE, LIST_SORTS, MAX_PAGE_OFFSET, MAX_PAGE_SIZE, SORT_DIRECTIONS } from '../domain/session-list';

/**
 * The wire schemas, written once: they validate requests, type the handlers and
 * the client, and generate the OpenAPI document. Requests are strict: unknown
 * fields are refused.
 */

/** Text must be well-formed UTF-16: a lone surrogate cannot be stored or echoed safely. */
const wellFormed = (value: string) => value.isWellFormed();
const text = (max: number) => z.string().trim().min(1).max(max).refine(wellFormed, 'must be well-formed Unicode');
const directoryId = z.string().regex(DIRECTORY_ID_PATTERN, 'must be 1-128 characters of A-Za-z0-9._-');
const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .describe('ISO 8601 instant');
const notes = text(2000).optional();
/** Largest magnitude kept exactly (the SDK refuses larger); smallest non-zero magnitude DynamoDB stores safely. */
const MAX_NUMBER = Number.MAX_SAFE_INTEGER;
const MIN_NUMBER = 1e-100;
const storableNumber = z
  .number()
  .refine((n) => Number.isFinite(n) && Math.abs(n) <= MAX_NUMBER && (n === 0 || Math.abs(n) >= MIN_NUMBER), {
    message: `must be 0 or between ${MIN_NUMBER} and ${MAX_NUMBER} in magnitude`,
  });
const MAX_DATA_DEPTH = 8;

/** Why a free-form JSON value cannot be stored as a DynamoDB map, or undefined when it can. */
function unstorable(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DATA_DEPTH) return `is nested deeper than ${MAX_DATA_DEPTH} levels`;
  if (typeof value === 'number') return storableNumber.safeParse(value).success ? undefined : `has a number out of range (${value})`;
  if (typeof value === 'string') return value.isWellFormed() ? undefined : 'has text that is not well-formed Unicode';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unstorable(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.length === 0 || key.length > 128 || !key.isWellFormed()) return 'has an empty, over-long or ill-formed key';
      const problem = unstorable(item, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

const freeData = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = unstorable(value, 1);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const SessionIdParams = z.strictObject({ id: z.uuid() });
export const DirectoryIdParams = z.strictObject({ id: directoryId });
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

const flag = z.boolean();
/** Some fields of NotificationPreferences; the rest keep their values. */
export const NotificationPreferencesPatch = z.strictObject({
  slackEnabled: flag.optional(),
  emailEnabled: flag.optional(),
  additionalRecipients: z
    .array(z.string().trim().min(1).max(254).refine(wellFormed, 'must be well-formed Unicode'))
    .max(CONFIG_BOUNDS.maxRecipients * 5)
    .optional()
    .describe(`email addresses and Slack channels (#name) or member ids; at most ${CONFIG_BOUNDS.maxRecipients}`),
  notifyOnStateChange: flag.optional(),
  notifyOnBlocker: flag.optional(),
  notifyOnEscalation: flag.optional(),
  notifyOnCompletion: flag.optional(),
});
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/**
 * Some fields of SessionConfig (spec AC3). Types and unknown keys are checked
 * here; the rules between values (README "Session configuration") by the domain.
 */
export const SessionConfigPatchSchema = z.strictObject({
  maxDurationHours: finite.describe(`${CONFIG_BOUNDS.minDurationHours}-${CONFIG_BOUNDS.maxDurationHours} hours of active time, whole minutes`).optional(),
  checkInIntervalMinutes: finite.describe(`${CONFIG_BOUNDS.minCheckInMinutes}-${CONFIG_BOUNDS.maxCheckInMinutes}, shorter than maxDurationHours`).optional(),
  escalationPolicy: z.enum(ESCALATION_POLICIES).optional(),
  qualityTierOverride: finite
    .nullable()
    .optional()
    .describe(`${CONFIG_BOUNDS.minQualityTier}-${CONFIG_BOUNDS.maxQualityTier}; null clears it`),
  notifications: NotificationPreferencesPatch.optional(),
});
const templateId = z.string().regex(TEMPLATE_ID_PATTERN, 'must be a template id (lower-case letters, digits, dashes)');

export const StartSessionRequest = z.strictObject({
  storyId: directoryId,
  juniorId: directoryId,
  mentorId: directoryId.optional().describe('manual override: this mentor when available with a free slot'),
  configTemplateId: templateId.optional(),
  config: SessionConfigPatchSchema.optional().describe('fields that override the defaults and the template'),
});
export const UpdateSessionConfigRequest = SessionConfigPatchSchema.refine(
  (patch) => Object.values(patch).some((value) => value !== undefined),
  'name at least one field to change',
);
export const ReassignMentorRequest = z.strictObject({ mentorId: directoryId, reason: text(500), notes });

export const PauseSessionRequest = z.strictObject({ reason: text(500).optional(), notes });
export const ResumeSessionRequest = z.strictObject({ notes });
export const CancelSessionRequest = z.strictObject({ reason: text(500), notes });
export const SessionReportSchema = z.strictObject({
  summary: text(10_000),
  overallScore: z
    .number()
    .min(0)
    .max(100)
    .refine((n) => n === 0 || n >= MIN_NUMBER, { message: `must be 0 or at least ${MIN_NUMBER}` }),
  metrics: z.record(text(128), storableNumber).default({}),
});
export const CompleteSessionRequest = z.strictObject({ report: SessionReportSchema, notes });
export const FailSessionRequest = z.strictObject({ error: text(4000), notes });

const eventId = text(128);
export const WorkflowEventRequest = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('state_changed'),
    toState: z.enum(ENGINE_REPORTABLE_STATES as States),
    eventId,
    occurredAt: instant,
    data: freeData.optional(),
  }),
  z.strictObject({
    type: z.enum(WORKFLOW_PROGRESS_EVENTS),
    eventId,
    occurredAt: instant,
    message: text(4000).optional(),
    data: freeData.optional(),
  }),
]);

const skills = z
  .array(z.strictObject({ area: text(64), level: z.number().int().min(1).max(5) }))
  .max(50)
  .refine((list) => new Set(list.map((s) => s.area)).size === list.length, 'skill areas must be unique');
export const JuniorInput = z.strictObject({ name: text(200), skills: skills.default([]) });
export const MentorInput = z.strictObject({
  name: text(200),
  skills: skills.default([]),
  maxConcurrentSessions: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe("this mentor's own cap; absent: max_concurrent_sessions_per_mentor (it can only lower that)"),
  available: z.boolean().default(true),
});
export const StoryInput = z.strictObject({ title: text(300), skillArea: text(64) });

// Responses

const status = z.enum(SESSION_STATUSES);
const mentorshipState = z.enum(MENTORSHIP_STATES as States);

export const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

const candidateScore = z.object({
  mentorId: z.string(),
  skillLevel: z.number(),
  load: z.number().int(),
  capacity: z.number().int(),
  capacityLeft: z.number().int(),
  loadRatio: z.number(),
  lastAssignedAt: z.string().optional(),
  rank: z.number().int().optional().describe('1 = the winner; absent for mentors that could not be chosen'),
  excluded: z.enum(['unavailable', 'full', 'excluded']).optional(),
});
export const MentorAssignmentSchema = z.object({
  mode: z.enum(['manual', 'auto', 'fallback_to_auto']),
  mentorId: z.string(),
  skillArea: z.string(),
  strategy: z.enum(ASSIGNMENT_STRATEGIES).optional(),
  requestedMentorId: z.string().optional(),
  candidates: z.array(candidateScore).describe('best first, at most 20'),
  candidateCount: z.number().int().describe('mentors covering the skill area'),
  turn: z.number().int().optional().describe('round robin: the turn this choice took'),
});

export const SessionStartResultSchema = z.object({
  success: z.boolean(),
  sessionId: z.uuid(),
  workflowInstanceId: z.string().optional(),
  mentorId: z.string().optional(),
  assignment: MentorAssignmentSchema.optional(),
  status: z.enum(['started', 'queued', 'failed']),
  queuePosition: z.number().int().optional(),
  estimatedWaitMinutes: z.number().int().optional(),
  error: z.string().optional(),
});

export const SessionResultSchema = z.object({
  success: z.boolean(),
  sessionId: z.uuid(),
  status,
  error: z.string().optional(),
});

export const SessionEventSchema = z.object({
  sessionId: z.uuid(),
  seq: z.number().int(),
  type: z.string(),
  occurredAt: z.string(),
  recordedAt: z.string(),
  actor: z.string(),
  actorRole: z.string(),
  fromStatus: status.optional(),
  toStatus: status.optional(),
  fromState: mentorshipState.optional(),
  toState: mentorshipState.optional(),
  reason: z.string().optional(),
  notes: z.string().optional(),
  externalId: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const LegalHoldSchema = z.object({ setBy: z.string(), setAt: z.string(), reason: z.string().optional() });

export const SessionSummarySchema = z.object({
  id: z.uuid(),
  storyId: z.string(),
  storyTitle: z.string(),
  juniorId: z.string(),
  juniorName: z.string(),
  mentorId: z.string().optional(),
  currentState: mentorshipState.optional(),
  status,
  createdAt: z.string(),
  completedAt: z.string().optional(),
  duration: z.string().describe('ISO 8601 duration from creation to end (or now)'),
  overallScore: z.number().optional(),
});

/** Times are kept to the millisecond: a finer bound would be rounded, and compare wrongly within that millisecond. */
const listInstant = z.iso
  .datetime({ offset: true })
  .refine((value) => !/\.\d{4,}/.test(value), 'must not be finer than a millisecond')
  .transform((value) => new Date(value).toISOString())
  .describe('ISO 8601 instant');
/** The spec's SessionFilter, sort and direction, as query parameters; `from`/`to` bound createdAt as [from, to). */
const listFilter = {
  juniorId: directoryId.optional(),
  mentorId: directoryId.optional(),
  storyId: directoryId.optional(),
  status: status.optional(),
  from: listInstant.optional().describe('createdAt >= from (ISO 8601 instant, at most millisecond precision)'),
  to: listInstant.optional().describe('createdAt < to (ISO 8601 instant, at most millisecond precision)'),
  sortBy: z.enum(LIST_SORTS).default('createdAt'),
  sortDirection: z.enum(SORT_DIRECTIONS).default('desc'),
};
const rangeInOrder = <T extends { from?: string | undefined; to?: string | undefined }>(query: T) => query.from === undefined || query.to === undefined || query.from <= query.to;
const RANGE_ISSUE = { message: 'must not be before from', path: ['to'] };

export const SessionListQuery = z
  .strictObject({
    ...listFilter,
    pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    page: z.coerce.number().int().min(1).optional().describe(`page number (offset paging, the first ${MAX_PAGE_OFFSET} sessions); prefer cursor`),
    cursor: z.string().min(1).max(4096).optional().describe('nextCursor of the previous page, with the same filters, order and pageSize'),
  })
  .refine(rangeInOrder, RANGE_ISSUE);

export const SessionExportQuery = z
  .strictObject({ ...listFilter, format: z.enum(EXPORT_FORMATS).optional().describe('default: settings audit.export_format') })
  .refine(rangeInOrder, RANGE_ISSUE);
export const ExportJobRequest = z
  .strictObject({ ...listFilter, format: z.enum(EXPORT_FORMATS).optional() })
  .refine(rangeInOrder, RANGE_ISSUE);
export const SessionEventsQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });
export const HoldRequest = z.strictObject({
  hold: z.boolean().describe('true sets the hold, false clears it'),
  reason: text(500).optional(),
});
export const RetentionQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(3650).default(30) });
export const ExportJobParams = z.strictObject({ id: z.uuid() });

export const NotificationPreferencesSchema = z.object({
  slackEnabled: z.boolean(),
  emailEnabled: z.boolean(),
  additionalRecipients: z.array(z.string()),
  notifyOnStateChange: z.boolean(),
  notifyOnBlocker: z.boolean(),
  notifyOnEscalation: z.boolean(),
  notifyOnCompletion: z.boolean(),
});
export const SessionConfigSchema = z.object({
  maxDurationHours: z.number(),
  checkInIntervalMinutes: z.number().int(),
  escalationPolicy: z.enum(ESCALATION_POLICIES),
  qualityTierOverride: z.number().int().optional(),
  notifications: NotificationPreferencesSchema,
});

/** What the service counted at completion (stored with the engine's report). */
export const ServiceReportSchema = z.object({
  timePerState: z.record(z.string(), z.string()).describe('ISO 8601 durations by MentorshipState'),
  queued: z.string(),
  active: z.string(),
  paused: z.string(),
  pauseCount: z.number().int(),
  longestPause: z.string(),
  blockersDetected: z.number().int(),
  blockersResolved: z.number().int(),
  escalations: z.number().int(),
  checkInsMissed: z.number().int(),
  stateTransitions: z.number().int(),
  lateStateReports: z.number().int(),
  engineScore: z.number().optional(),
});

export const SessionDetailsSchema = SessionSummarySchema.extend({
  skillArea: z.string(),
  config: SessionConfigSchema,
  configTemplateId: z.string().optional(),
  assignment: MentorAssignmentSchema.optional().describe('how the current mentor was chosen'),
  requestedMentorId: z.string().optional().describe('while queued: the mentor the start named'),
  awaitingMentorSince: z.string().optional().describe('its mentor became unavailable and it waits for another'),
  workflowInstanceId: z.string().optional(),
  pausedFromState: mentorshipState.optional(),
  startedAt: z.string().optional(),
  pausedAt: z.string().optional(),
  updatedAt: z.string(),
  pauseReason: z.string().optional(),
  cancelReason: z.string().optional(),
  error: z.string().optional(),
  report: SessionReportSchema.optional(),
  serviceReport: ServiceReportSchema.optional(),
  legalHold: LegalHoldSchema.optional(),
  expiresAt: z.string().optional().describe('when its data expires (retention); absent while it runs or is held'),
  version: z.number().int(),
  events: z.array(SessionEventSchema),
});

/** The spec's PagedResult<SessionSummary>, plus the cursor of the next page. */
export const SessionPageSchema = z.object({
  items: z.array(SessionSummarySchema),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
  nextCursor: z.string().optional().describe('absent on the last page'),
});

export const HoldViewSchema = z.object({
  sessionId: z.uuid(),
  status,
  legalHold: LegalHoldSchema.optional(),
  expiresAt: z.string().optional().describe('when DynamoDB TTL may remove its data; absent while it runs or is held'),
});
export const RetentionReportSchema = z.object({
  retentionDays: z.number().int(),
  from: z.string(),
  to: z.string(),
  expiring: z.number().int().describe('sessions whose data expires in [from, to]'),
  pastExpiry: z.number().int().describe('expired, waiting for DynamoDB TTL (it removes items within days)'),
});
export const ExportJobSchema = z.object({
  id: z.uuid(),
  status: z.enum(['pending', 'running', 'succeeded', 'failed']),
  format: z.enum(EXPORT_FORMATS),
  createdAt: z.string(),
  updatedAt: z.string(),
  location: z.string().optional().describe('where the file is (a file path locally, an S3 URI in AWS)'),
  rows: z.number().int().optional(),
  bytes: z.number().int().optional(),
  error: z.string().optional(),
});

/** One exported session (format=json/ndjson; the CSV has these columns in this order). */
export const SessionExportRowSchema = SessionSummarySchema.extend({
  skillArea: z.string(),
  configTemplateId: z.string().optional(),
  startedAt: z.string().optional(),
  cancelReason: z.string().optional(),
  error: z.string().optional(),
  legalHold: z.boolean(),
});
export const SessionExportSchema = z.array(SessionExportRowSchema);

const isoDuration = z.string().describe('ISO 8601 duration, e.g. PT1H30M');
const byState = z.record(z.string(), isoDuration).describe('by MentorshipState');
const StatusBreakdownSchema = z.object({
  queued: isoDuration,
  active: isoDuration,
  paused: isoDuration,
  pauseCount: z.number().int(),
  longestPause: isoDuration,
});
/** The spec's SessionTimeline, plus the status breakdown. */
export const SessionTimelineSchema = z.object({
  sessionId: z.uuid(),
  startTime: z.string().describe('createdAt: the timeline includes time in the queue'),
  startedAt: z.string().optional(),
  endTime: z.string().optional(),
  asOf: z.string().describe('endTime, or now for a session still open'),
  totalDuration: isoDuration,
  entries: z.array(
    z.object({
      seq: z.number().int(),
      timestamp: z.string(),
      eventType: z.string(),
      fromStatus: status.optional(),
      toStatus: status.optional(),
      fromState: mentorshipState.optional(),
      toState: mentorshipState.optional(),
      actor: z.string(),
      actorRole: z.string(),
      description: z.string(),
      durationInState: isoDuration,
    }),
  ),
  timePerState: byState,
  statusBreakdown: StatusBreakdownSchema,
});

const ComparedSessionSchema = z.object({
  sessionId: z.uuid(),
  storyId: z.string(),
  juniorId: z.string(),
  mentorId: z.string().optional(),
  outcome: z.object({ status, cancelReason: z.string().optional(), error: z.string().optional() }),
  overallScore: z.number().optional(),
  durations: z.object({ total: isoDuration, active: isoDuration, queued: isoDuration, paused: isoDuration }),
  timePerState: byState,
  statusBreakdown: StatusBreakdownSchema,
  eventCounts: z.record(z.string(), z.number().int()),
});
const signedMs = z.number().int().describe('b minus a, in milliseconds');
export const SessionComparisonSchema = z.object({
  a: ComparedSessionSchema,
  b: ComparedSessionSchema,
  configDifferences: z.array(z.object({ field: z.string(), a: z.unknown(), b: z.unknown() })),
  durationDifferencesMs: z.object({ total: signedMs, active: signedMs, queued: signedMs, paused: signedMs }),
  stateDifferencesMs: z.record(z.string(), signedMs),
});
export const CompareQuery = z.strictObject({
  ids: z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.tuple([z.uuid(), z.uuid()]))
    .refine(([a, b]) => a !== b, 'must name two different sessions')
    .describe('two session ids, comma-separated'),
});

export const SessionEventsSchema = z.object({ sessionId: z.uuid(), items: z.array(SessionEventSchema) });

export const WorkflowEventResultSchema = z.object({
  sessionId: z.uuid(),
  recorded: z.boolean(),
  duplicate: z.boolean(),
  stateApplied: z.boolean(),
  currentState: z.string().optional(),
});

const withId = <T extends z.ZodObject>(schema: T) => schema.extend({ id: z.string() });
export const JuniorSchema = withId(JuniorInput);
export const MentorLoadSchema = z.object({
  openSessions: z.number().int(),
  capacity: z.number().int().describe('max_concurrent_sessions_per_mentor, lowered by their own cap'),
  capacityLeft: z.number().int(),
});
export const MentorSchema = withId(MentorInput).extend({ load: MentorLoadSchema });
export const PutMentorResultSchema = MentorSchema.extend({
  reassignment: z
    .object({ reassigned: z.array(z.uuid()), awaitingMentor: z.array(z.uuid()) })
    .optional()
    .describe('when marked unavailable: where their open sessions went'),
});
export const StorySchema = withId(StoryInput);
const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
export const JuniorPage = pageOf(JuniorSchema);
export const MentorPage = pageOf(MentorSchema);
export const StoryPage = pageOf(StorySchema);

const usage = z.object({ used: z.number().int(), max: z.number().int() });
export const QueueStatusSchema = z.object({
  totalQueued: z.number().int(),
  activeSessionCount: z.number().int(),
  maxConcurrentSessions: z.number().int(),
  estimatedWaitMinutes: z.number().int().describe('for a session arriving now'),
  limits: z.object({
    system: usage,
    queue: usage,
    perJunior: z.object({ max: z.number().int(), atCapacity: z.number().int().describe('juniors at their limit') }),
    perMentor: z.object({ max: z.number().int(), atCapacity: z.number().int().describe('mentors at their limit') }),
  }),
});
export const QueuePositionSchema = z.object({
  sessionId: z.uuid(),
  status,
  position: z.number().int().nullable().describe('1 = head of the queue; null when not queued'),
  blockedBy: z.array(z.enum(['junior', 'mentor', 'system'])),
  estimatedWaitMinutes: z.number().int().nullable(),
});

export const MentorChangeResultSchema = z.object({
  sessionId: z.uuid(),
  status,
  mentorId: z.string(),
  previousMentorId: z.string().optional(),
  changed: z.boolean().describe('false when the session already had this mentor'),
});
export const MentorHistorySchema = z.object({
  sessionId: z.uuid(),
  items: z.array(
    z.object({
      seq: z.number().int(),
      at: z.string(),
      type: z.enum(['mentor_assigned', 'mentor_reassigned', 'mentor_reassignment_queued']),
      mentorId: z.string().optional(),
      previousMentorId: z.string().optional(),
      mode: z.string().optional(),
      strategy: z.string().optional(),
      reason: z.string().optional(),
      notes: z.string().optional(),
      actor: z.string(),
      actorRole: z.string(),
    }),
  ),
});
export const MentorWorkloadSchema = z.object({
  mentorId: z.string(),
  available: z.boolean(),
  capacity: z.number().int(),
  openSessions: z.number().int(),
  capacityLeft: z.number().int(),
  lastAssignedAt: z.string().optional(),
  sessions: z.array(
    z.object({ id: z.uuid(), status, juniorId: z.string(), storyId: z.string(), startedAt: z.string().optional() }),
  ),
  queued: z.array(z.object({ id: z.uuid(), enqueuedAt: z.string().optional(), fallbackToAuto: z.boolean() })).describe('queued sessions that asked for this mentor'),
});
export const ConfigTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  maxDurationHours: z.number(),
  checkInIntervalMinutes: z.number().int(),
  escalationPolicy: z.enum(ESCALATION_POLICIES),
});
export const ConfigTemplatesSchema = z.object({ items: z.array(ConfigTemplateSchema) });
export const SessionConfigViewSchema = z.object({
  sessionId: z.uuid(),
  status,
  configTemplateId: z.string().optional(),
  config: SessionConfigSchema,
  checkIn: z.object({ nextAt: z.string().optional().describe('while Active'), missedInARow: z.number().int() }),
  deadline: z.object({ at: z.string(), kind: z.enum(['max_duration', 'pause_timeout', 'queue_timeout']) }).optional(),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })).optional().describe('for a PUT: the diff'),
});

export const HealthSchema = z.object({ status: z.literal('ok') });
export const OpenApiSchema = z.record(z.string(), z.unknown());

export type StartSessionRequest = z.input<typeof StartSessionRequest>;
export type SessionStartResult = z.output<typeof SessionStartResultSchema>;
export type SessionResult = z.output<typeof SessionResultSchema>;
export type SessionEventDto = z.output<typeof SessionEventSchema>;
export type SessionSummary = z.output<typeof SessionSummarySchema>;
export type ExportJobDto = z.output<typeof ExportJobSchema>;
export type HoldViewDto = z.output<typeof HoldViewSchema>;
export type RetentionReportDto = z.output<typeof RetentionReportSchema>;
export type SessionExportRowDto = z.output<typeof SessionExportRowSchema>;
export type SessionPageDto = z.output<typeof SessionPageSchema>;
/** The list's query parameters as a client sends them (all optional). */
export type SessionListQueryInput = Partial<Record<'juniorId' | 'mentorId' | 'storyId' | 'status' | 'from' | 'to' | 'sortBy' | 'sortDirection' | 'cursor', string>> & {
  pageSize?: number;
  page?: number;
};
export type SessionTimelineDto = z.output<typeof SessionTimelineSchema>;
export type SessionComparisonDto = z.output<typeof SessionComparisonSchema>;

export type SessionDetails = z.output<typeof SessionDetailsSchema>;
export type SessionReportInput = z.input<typeof SessionReportSchema>;
export type WorkflowEventInput = z.input<typeof WorkflowEventRequest>;
export type WorkflowEventResult = z.output<typeof WorkflowEventResultSchema>;
export type JuniorDto = z.output<typeof JuniorSchema>;
export type MentorDto = z.output<typeof MentorSchema>;
export type StoryDto = z.output<typeof StorySchema>;
export type JuniorInput = z.input<typeof JuniorInput>;
export type MentorInput = z.input<typeof MentorInput>;
export type StoryInput = z.input<typeof StoryInput>;
export type ErrorResponse = z.output<typeof ErrorResponse>;
export type QueueStatus = z.output<typeof QueueStatusSchema>;
export type QueuePosition = z.output<typeof QueuePositionSchema>;
export type SessionConfigPatchInput = z.input<typeof SessionConfigPatchSchema>;
export type ReassignMentorInput = z.input<typeof ReassignMentorRequest>;
export type MentorChangeResult = z.output<typeof MentorChangeResultSchema>;
export type MentorHistory = z.output<typeof MentorHistorySchema>;
export type MentorWorkload = z.output<typeof MentorWorkloadSchema>;
export type ConfigTemplates = z.output<typeof ConfigTemplatesSchema>;
export type SessionConfigView = z.output<typeof SessionConfigViewSchema>;
