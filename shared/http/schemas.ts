import { z } from 'zod';
import { DIRECTORY_ID_PATTERN } from '../domain/directory';
import {
  ENGINE_REPORTABLE_STATES,
  MENTORSHIP_STATES,
  WORKFLOW_PROGRESS_EVENTS,
  type MentorshipState,
} from '../domain/mentorship-state';

type States = readonly [MentorshipState, ...MentorshipState[]];
import { SESSION_STATUSES } from '../domain/status';

/**
 * The wire schemas, written once: they validate requests, type the handlers and
 * the client, and generate the OpenAPI document. Requests are strict: unknown
 * fields are refused.
 */

const text = (max: number) => z.string().trim().min(1).max(max);
const directoryId = z.string().regex(DIRECTORY_ID_PATTERN, 'must be 1-128 characters of A-Za-z0-9._-');
const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .describe('ISO 8601 instant');
const notes = text(2000).optional();
const freeData = z.record(z.string().max(128), z.unknown());

export const SessionIdParams = z.strictObject({ id: z.uuid() });
export const DirectoryIdParams = z.strictObject({ id: directoryId });
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const StartSessionRequest = z.strictObject({
  storyId: directoryId,
  juniorId: directoryId,
  mentorId: directoryId.optional(),
});

export const PauseSessionRequest = z.strictObject({ reason: text(500).optional(), notes });
export const ResumeSessionRequest = z.strictObject({ notes });
export const CancelSessionRequest = z.strictObject({ reason: text(500), notes });
export const SessionReportSchema = z.strictObject({
  summary: text(10_000),
  overallScore: z.number().min(0).max(100),
  metrics: z.record(z.string().min(1).max(128), z.number()).default({}),
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
  maxConcurrentSessions: z.number().int().min(1).max(50).default(3),
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

export const SessionStartResultSchema = z.object({
  success: z.boolean(),
  sessionId: z.uuid(),
  workflowInstanceId: z.string().optional(),
  status: z.enum(['started', 'queued', 'failed']),
  queuePosition: z.number().int().optional(),
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

export const SessionDetailsSchema = SessionSummarySchema.extend({
  workflowInstanceId: z.string().optional(),
  pausedFromState: mentorshipState.optional(),
  startedAt: z.string().optional(),
  pausedAt: z.string().optional(),
  updatedAt: z.string(),
  pauseReason: z.string().optional(),
  cancelReason: z.string().optional(),
  error: z.string().optional(),
  report: SessionReportSchema.optional(),
  version: z.number().int(),
  events: z.array(SessionEventSchema),
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
export const MentorSchema = withId(MentorInput);
export const StorySchema = withId(StoryInput);
const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
export const JuniorPage = pageOf(JuniorSchema);
export const MentorPage = pageOf(MentorSchema);
export const StoryPage = pageOf(StorySchema);

export const HealthSchema = z.object({ status: z.literal('ok') });
export const OpenApiSchema = z.record(z.string(), z.unknown());

export type StartSessionRequest = z.input<typeof StartSessionRequest>;
export type SessionStartResult = z.output<typeof SessionStartResultSchema>;
export type SessionResult = z.output<typeof SessionResultSchema>;
export type SessionEventDto = z.output<typeof SessionEventSchema>;
export type SessionSummary = z.output<typeof SessionSummarySchema>;
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
