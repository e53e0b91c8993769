import * as z from 'zod';
import { ENGINE_REPORTABLE_STATES, WORKFLOW_PROGRESS_EVENTS } from '../../domain/mentorship-state';
import { CONFIG_BOUNDS, ESCALATION_POLICIES, TEMPLATE_ID_PATTERN } from '../../domain/session-config';
import type { States } from './primitives';
import { directoryId, freeData, freeNumbers, instant, MIN_NUMBER, notes, text, wellFormed } from './primitives';

/** Request schemas: path and query parameters, and the bodies of every write. Strict: unknown fields are refused. */

export const SessionIdParams = z.strictObject({ id: z.uuid() });
export const DirectoryIdParams = z.strictObject({ id: directoryId });
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const flag = z.boolean();
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
export const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/**
 * Some fields of SessionConfig (spec AC3). Types and unknown keys are checked
 * here; the rules between values (README "Session configuration") by the domain.
 */
export const SessionConfigPatchSchema = z.strictObject({
  maxDurationHours: finite.describe(`${CONFIG_BOUNDS.minDurationHours}-${CONFIG_BOUNDS.maxDurationHours} hours of active time, whole minutes`).optional(),
  checkInIntervalMinutes: finite.describe(`${CONFIG_BOUNDS.minCheckInMinutes}-${CONFIG_BOUNDS.maxCheckInMinutes}, shorter than maxDurationHours`).optional(),
  escalationPolicy: z.enum(ESCALATION_POLICIES).optional(),
  qualityTierOverride: finite.nullable().optional().describe(`${CONFIG_BOUNDS.minQualityTier}-${CONFIG_BOUNDS.maxQualityTier}; null clears it`),
  notifications: NotificationPreferencesPatch.optional(),
});
export const templateId = z.string().regex(TEMPLATE_ID_PATTERN, 'must be a template id (lower-case letters, digits, dashes)');

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
  metrics: freeNumbers.default({}),
});
export const CompleteSessionRequest = z.strictObject({ report: SessionReportSchema, notes });
export const FailSessionRequest = z.strictObject({ error: text(4000), notes });

export const eventId = text(128);
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

export const skills = z
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

export type StartSessionRequest = z.input<typeof StartSessionRequest>;
export type SessionReportInput = z.input<typeof SessionReportSchema>;
export type WorkflowEventInput = z.input<typeof WorkflowEventRequest>;
export type JuniorInput = z.input<typeof JuniorInput>;
export type MentorInput = z.input<typeof MentorInput>;
export type StoryInput = z.input<typeof StoryInput>;
export type SessionConfigPatchInput = z.input<typeof SessionConfigPatchSchema>;
export type ReassignMentorInput = z.input<typeof ReassignMentorRequest>;
