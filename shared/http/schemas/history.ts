import * as z from 'zod';
import { EXPORT_FORMATS } from '../../domain/export-format';
import { once } from '../../domain/once';
import { DEFAULT_PAGE_SIZE, LIST_SORTS, MAX_PAGE_OFFSET, MAX_PAGE_SIZE, SORT_DIRECTIONS } from '../../domain/session-list';
import { actorRole, byMentorshipState, directoryId, mentorshipState, sessionEventType, status, text } from './primitives';
import { LegalHoldSchema, SessionSummarySchema } from './sessions';

/** The history: list and export queries, pages, holds, retention, export jobs, timelines and comparisons. */

/** Times are kept to the millisecond: a finer bound would be rounded, and compare wrongly within that millisecond. */
export const listInstant = once(() =>
  z.iso
    .datetime({ offset: true })
    .refine((value) => !/\.\d{4,}/.test(value), 'must not be finer than a millisecond')
    .transform((value) => new Date(value).toISOString())
    .describe('ISO 8601 instant'),
);
/** The spec's SessionFilter, sort and direction, as query parameters; `from`/`to` bound createdAt as [from, to). */
export const listFilter = once(() => ({
  juniorId: directoryId().optional(),
  mentorId: directoryId().optional(),
  storyId: directoryId().optional(),
  status: status().optional(),
  from: listInstant().optional().describe('createdAt >= from (ISO 8601 instant, at most millisecond precision)'),
  to: listInstant().optional().describe('createdAt < to (ISO 8601 instant, at most millisecond precision)'),
  sortBy: z.enum(LIST_SORTS).default('createdAt'),
  sortDirection: z.enum(SORT_DIRECTIONS).default('desc'),
}));
export const rangeInOrder = <T extends { from?: string | undefined; to?: string | undefined }>(query: T) =>
  query.from === undefined || query.to === undefined || query.from <= query.to;
export const RANGE_ISSUE = { message: 'must not be before from', path: ['to'] };

export const SessionListQuery = once(() =>
  z
    .strictObject({
      ...listFilter(),
      pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
      page: z.coerce.number().int().min(1).optional().describe(`page number (offset paging, the first ${MAX_PAGE_OFFSET} sessions); prefer cursor`),
      cursor: z.string().min(1).max(4096).optional().describe('nextCursor of the previous page, with the same filters, order and pageSize'),
    })
    .refine(rangeInOrder, RANGE_ISSUE),
);

export const SessionExportQuery = once(() =>
  z.strictObject({ ...listFilter(), format: z.enum(EXPORT_FORMATS).optional().describe('default: settings audit.export_format') }).refine(rangeInOrder, RANGE_ISSUE),
);
export const ExportJobRequest = once(() =>
  z
    .strictObject({ ...listFilter(), format: z.enum(EXPORT_FORMATS).optional() })
    .refine(rangeInOrder, RANGE_ISSUE)
    .meta({ id: 'ExportJobRequest' }),
);
export const SessionEventsQuery = once(() => z.strictObject({ format: z.enum(['json', 'csv']).default('json') }));
export const HoldRequest = once(() =>
  z
    .strictObject({
      hold: z.boolean().describe('true sets the hold, false clears it'),
      reason: text(500).optional(),
    })
    .meta({ id: 'HoldRequest' }),
);
export const RetentionQuery = once(() => z.strictObject({ days: z.coerce.number().int().min(1).max(3650).default(30) }));
export const ExportJobParams = once(() => z.strictObject({ id: z.uuid() }));

/** The spec's PagedResult<SessionSummary>, plus the cursor of the next page. */
export const SessionPageSchema = once(() =>
  z
    .object({
      items: z.array(SessionSummarySchema()),
      totalCount: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
      totalPages: z.number().int(),
      nextCursor: z.string().optional().describe('absent on the last page'),
    })
    .meta({ id: 'SessionPage' }),
);

export const HoldViewSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      status: status(),
      legalHold: LegalHoldSchema().optional(),
      expiresAt: z.string().optional().describe('when DynamoDB TTL may remove its data; absent while it runs or is held'),
    })
    .meta({ id: 'HoldView' }),
);
export const RetentionReportSchema = once(() =>
  z
    .object({
      retentionDays: z.number().int(),
      from: z.string(),
      to: z.string(),
      expiring: z.number().int().describe('sessions whose data expires in [from, to]'),
      pastExpiry: z.number().int().describe('expired, waiting for DynamoDB TTL (it removes items within days)'),
    })
    .meta({ id: 'RetentionReport' }),
);
export const ExportJobSchema = once(() =>
  z
    .object({
      id: z.uuid(),
      status: z.enum(['pending', 'running', 'succeeded', 'failed']),
      format: z.enum(EXPORT_FORMATS),
      createdAt: z.string(),
      updatedAt: z.string(),
      requestedBy: z.string().describe('the user id of the caller who asked for the job'),
      location: z.string().optional().describe('once succeeded: the path to download the file from (GET .../exports/{id}/download)'),
      rows: z.number().int().optional().describe('rows written so far while running (updated every few rows); all of them once succeeded'),
      bytes: z.number().int().optional(),
      error: z.string().optional().describe('why it failed (retry it with POST .../exports/{id}/retry)'),
      retryOf: z.uuid().optional().describe('a retry: the failed job it runs again'),
      retriedAs: z.uuid().optional().describe('a failed job that was retried: the job that runs it again'),
    })
    .meta({ id: 'ExportJob' }),
);

/** One exported session (format=json/ndjson; the CSV has these columns in this order). */
export const SessionExportRowSchema = once(() =>
  SessionSummarySchema()
    .extend({
      skillArea: z.string(),
      configTemplateId: z.string().optional(),
      startedAt: z.string().optional(),
      cancelReason: z.string().optional(),
      error: z.string().optional(),
      legalHold: z.boolean(),
    })
    .meta({ id: 'SessionExportRow' }),
);
export const SessionExportSchema = once(() => z.array(SessionExportRowSchema()).meta({ id: 'SessionExport' }));

export const isoDuration = once(() => z.string().describe('ISO 8601 duration, e.g. PT1H30M'));
export const byState = once(() => byMentorshipState(isoDuration()).describe('by MentorshipState'));
export const StatusBreakdownSchema = once(() =>
  z
    .object({
      queued: isoDuration(),
      active: isoDuration(),
      paused: isoDuration(),
      pauseCount: z.number().int(),
      longestPause: isoDuration(),
    })
    .meta({ id: 'StatusBreakdown' }),
);
/** The spec's SessionTimeline, plus the status breakdown. */
export const SessionTimelineSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      startTime: z.string().describe('createdAt: the timeline includes time in the queue'),
      startedAt: z.string().optional(),
      endTime: z.string().optional(),
      asOf: z.string().describe('endTime, or now for a session still open'),
      totalDuration: isoDuration(),
      entries: z.array(
        z.object({
          seq: z.number().int(),
          timestamp: z.string(),
          eventType: sessionEventType(),
          fromStatus: status().optional(),
          toStatus: status().optional(),
          fromState: mentorshipState().optional(),
          toState: mentorshipState().optional(),
          actor: z.string(),
          actorRole: actorRole(),
          description: z.string(),
          durationInState: isoDuration(),
        }),
      ),
      timePerState: byState(),
      statusBreakdown: StatusBreakdownSchema(),
    })
    .meta({ id: 'SessionTimeline' }),
);

export const ComparedSessionSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      storyId: z.string(),
      juniorId: z.string(),
      mentorId: z.string().optional(),
      outcome: z.object({ status: status(), cancelReason: z.string().optional(), error: z.string().optional() }),
      overallScore: z.number().optional(),
      durations: z.object({ total: isoDuration(), active: isoDuration(), queued: isoDuration(), paused: isoDuration() }),
      timePerState: byState(),
      statusBreakdown: StatusBreakdownSchema(),
      eventCounts: z.partialRecord(sessionEventType(), z.number().int()),
    })
    .meta({ id: 'ComparedSession' }),
);
export const signedMs = once(() => z.number().int().describe('b minus a, in milliseconds'));
export const SessionComparisonSchema = once(() =>
  z
    .object({
      a: ComparedSessionSchema(),
      b: ComparedSessionSchema(),
      configDifferences: z.array(z.object({ field: z.string(), a: z.unknown(), b: z.unknown() })),
      durationDifferencesMs: z.object({ total: signedMs(), active: signedMs(), queued: signedMs(), paused: signedMs() }),
      stateDifferencesMs: byMentorshipState(signedMs()),
    })
    .meta({ id: 'SessionComparison' }),
);
export const CompareQuery = once(() =>
  z.strictObject({
    ids: z
      .string()
      .transform((value) => value.split(','))
      .pipe(z.tuple([z.uuid(), z.uuid()]))
      .refine(([a, b]) => a !== b, 'must name two different sessions')
      .describe('two session ids, comma-separated'),
  }),
);

export type ExportJobDto = z.output<ReturnType<typeof ExportJobSchema>>;
export type HoldViewDto = z.output<ReturnType<typeof HoldViewSchema>>;
export type RetentionReportDto = z.output<ReturnType<typeof RetentionReportSchema>>;
export type SessionExportRowDto = z.output<ReturnType<typeof SessionExportRowSchema>>;
export type SessionPageDto = z.output<ReturnType<typeof SessionPageSchema>>;
/** The list's query parameters as a client sends them (all optional). */
export type SessionListQueryInput = Partial<Record<'juniorId' | 'mentorId' | 'storyId' | 'status' | 'from' | 'to' | 'sortBy' | 'sortDirection' | 'cursor', string>> & {
  pageSize?: number;
  page?: number;
};
export type SessionTimelineDto = z.output<ReturnType<typeof SessionTimelineSchema>>;
export type SessionComparisonDto = z.output<ReturnType<typeof SessionComparisonSchema>>;

// The wire types by the names the OpenAPI document gives them (components.schemas).
export type ExportJob = ExportJobDto;
export type HoldView = HoldViewDto;
export type RetentionReport = RetentionReportDto;
export type SessionExportRow = SessionExportRowDto;
export type SessionPage = SessionPageDto;
export type SessionTimeline = SessionTimelineDto;
export type SessionComparison = SessionComparisonDto;
export type HoldRequest = z.input<ReturnType<typeof HoldRequest>>;
export type ExportJobRequest = z.input<ReturnType<typeof ExportJobRequest>>;
