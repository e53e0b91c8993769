import * as z from 'zod';
import { ENGINE_REPORTABLE_STATES, WORKFLOW_PROGRESS_EVENTS } from '../../domain/mentorship-state';
import { once } from '../../domain/once';
import { CONFIG_BOUNDS, ESCALATION_POLICIES, TEMPLATE_ID_PATTERN } from '../../domain/session-config';
import type { States } from './primitives';
import { directoryId, freeData, freeNumbers, instant, MIN_NUMBER, notes, text, wellFormed } from './primitives';

/** Request schemas: path and query parameters, and the bodies of every write. Strict: unknown fields are refused. */

export const SessionIdParams = once(() => z.strictObject({ id: z.uuid() }));
export const DirectoryIdParams = once(() => z.strictObject({ id: directoryId() }));
export const ListQuery = once(() =>
  z.strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(2048).optional(),
  }),
);

export const flag = once(() => z.boolean());
/** Some fields of NotificationPreferences; the rest keep their values. */
export const NotificationPreferencesPatch = once(() =>
  z
    .strictObject({
      slackEnabled: flag().optional(),
      emailEnabled: flag().optional(),
      additionalRecipients: z
        .array(z.string().trim().min(1).max(254).refine(wellFormed, 'must be well-formed Unicode'))
        .max(CONFIG_BOUNDS.maxRecipients * 5)
        // Longer lists are refused by the domain (configIssues) with its own message; the document says the real limit.
        .meta({ maxItems: CONFIG_BOUNDS.maxRecipients })
        .optional()
        .describe(`email addresses and Slack channels (#name) or member ids; at most ${CONFIG_BOUNDS.maxRecipients}`),
      notifyOnStateChange: flag().optional(),
      notifyOnBlocker: flag().optional(),
      notifyOnEscalation: flag().optional(),
      notifyOnCompletion: flag().optional(),
    })
    .meta({ id: 'NotificationPreferencesPatch' }),
);
export const finite = once(() => z.number().refine(Number.isFinite, 'must be a finite number'));
const b = CONFIG_BOUNDS;
/**
 * The bounds of the config numbers as JSON Schema, for the OpenAPI document
 * only: the domain checks them (configIssues, on the resolved config), so a
 * refusal keeps its message and its path (`config.maxDurationHours`).
 */
export const CONFIG_NUMBER_BOUNDS = {
  maxDurationHours: { minimum: b.minDurationHours, maximum: b.maxDurationHours },
  checkInIntervalMinutes: { type: 'integer', minimum: b.minCheckInMinutes, maximum: b.maxCheckInMinutes },
  qualityTierOverride: { type: 'integer', minimum: b.minQualityTier, maximum: b.maxQualityTier },
} as const;
/**
 * Some fields of SessionConfig (spec AC3). Types and unknown keys are checked
 * here; the rules between values (README "Session configuration") by the domain.
 */
export const SessionConfigPatchSchema = once(() =>
  z
    .strictObject({
      maxDurationHours: finite()
        .meta(CONFIG_NUMBER_BOUNDS.maxDurationHours)
        .describe(`${b.minDurationHours}-${b.maxDurationHours} hours of active time, whole minutes`)
        .optional(),
      checkInIntervalMinutes: finite()
        .meta(CONFIG_NUMBER_BOUNDS.checkInIntervalMinutes)
        .describe(`${b.minCheckInMinutes}-${b.maxCheckInMinutes} minutes, shorter than maxDurationHours`)
        .optional(),
      escalationPolicy: z.enum(ESCALATION_POLICIES).optional(),
      qualityTierOverride: finite()
        .meta(CONFIG_NUMBER_BOUNDS.qualityTierOverride)
        .nullable()
        .optional()
        .describe(`${b.minQualityTier}-${b.maxQualityTier}; null clears it`),
      notifications: NotificationPreferencesPatch().optional(),
    })
    .meta({ id: 'SessionConfigPatch' }),
);
export const templateId = once(() => z.string().regex(TEMPLATE_ID_PATTERN, 'must be a template id (lower-case letters, digits, dashes)'));

export const StartSessionRequest = once(() =>
  z
    .strictObject({
      storyId: directoryId(),
      juniorId: directoryId(),
      mentorId: directoryId().optional().describe('manual override: this mentor when available with a free slot'),
      configTemplateId: templateId().optional(),
      config: SessionConfigPatchSchema().optional().describe('fields that override the defaults and the template'),
    })
    .meta({ id: 'StartSessionRequest' }),
);
export const UpdateSessionConfigRequest = once(() =>
  SessionConfigPatchSchema()
    .refine((patch) => Object.values(patch).some((value) => value !== undefined), 'name at least one field to change')
    .meta({ id: 'UpdateSessionConfigRequest' }),
);
export const ReassignMentorRequest = once(() => z.strictObject({ mentorId: directoryId(), reason: text(500), notes: notes() }).meta({ id: 'ReassignMentorRequest' }));

export const PauseSessionRequest = once(() => z.strictObject({ reason: text(500).optional(), notes: notes() }).meta({ id: 'PauseSessionRequest' }));
export const ResumeSessionRequest = once(() => z.strictObject({ notes: notes() }).meta({ id: 'ResumeSessionRequest' }));
export const CancelSessionRequest = once(() => z.strictObject({ reason: text(500), notes: notes() }).meta({ id: 'CancelSessionRequest' }));
export const SessionReportSchema = once(() =>
  z
    .strictObject({
      summary: text(10_000),
      overallScore: z
        .number()
        .min(0)
        .max(100)
        .refine((n) => n === 0 || n >= MIN_NUMBER, { message: `must be 0 or at least ${MIN_NUMBER}` }),
      metrics: freeNumbers().default({}),
    })
    .meta({ id: 'SessionReport' }),
);
export const CompleteSessionRequest = once(() => z.strictObject({ report: SessionReportSchema(), notes: notes() }).meta({ id: 'CompleteSessionRequest' }));
export const FailSessionRequest = once(() => z.strictObject({ error: text(4000), notes: notes() }).meta({ id: 'FailSessionRequest' }));

export const eventId = once(() => text(128));
export const WorkflowEventRequest = once(() =>
  z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('state_changed'),
        toState: z.enum(ENGINE_REPORTABLE_STATES as States),
        eventId: eventId(),
        occurredAt: instant(),
        data: freeData().optional(),
      }),
      z.strictObject({
        type: z.enum(WORKFLOW_PROGRESS_EVENTS),
        eventId: eventId(),
        occurredAt: instant(),
        message: text(4000).optional(),
        data: freeData().optional(),
      }),
    ])
    .meta({ id: 'WorkflowEventRequest' }),
);

export const skills = once(() =>
  z
    .array(z.strictObject({ area: text(64), level: z.number().int().min(1).max(5) }))
    .max(50)
    .refine((list) => new Set(list.map((s) => s.area)).size === list.length, 'skill areas must be unique'),
);
export const JuniorInput = once(() => z.strictObject({ name: text(200), skills: skills().default([]) }).meta({ id: 'JuniorInput' }));
export const MentorInput = once(() =>
  z
    .strictObject({
      name: text(200),
      skills: skills().default([]),
      maxConcurrentSessions: z
        .number()
        .int()
        .min(1)
        .max(100)
        .optional()
        .describe("this mentor's own cap; absent: max_concurrent_sessions_per_mentor (it can only lower that)"),
      available: z.boolean().default(true),
    })
    .meta({ id: 'MentorInput' }),
);
export const StoryInput = once(() => z.strictObject({ title: text(300), skillArea: text(64) }).meta({ id: 'StoryInput' }));

export type StartSessionRequest = z.input<ReturnType<typeof StartSessionRequest>>;
export type SessionReportInput = z.input<ReturnType<typeof SessionReportSchema>>;
export type WorkflowEventInput = z.input<ReturnType<typeof WorkflowEventRequest>>;
export type JuniorInput = z.input<ReturnType<typeof JuniorInput>>;
export type MentorInput = z.input<ReturnType<typeof MentorInput>>;
export type StoryInput = z.input<ReturnType<typeof StoryInput>>;
export type SessionConfigPatchInput = z.input<ReturnType<typeof SessionConfigPatchSchema>>;
export type ReassignMentorInput = z.input<ReturnType<typeof ReassignMentorRequest>>;

// The request bodies by the names the OpenAPI document gives them (components.schemas; SessionReportInput above).
export type PauseSessionRequest = z.input<ReturnType<typeof PauseSessionRequest>>;
export type ResumeSessionRequest = z.input<ReturnType<typeof ResumeSessionRequest>>;
export type CancelSessionRequest = z.input<ReturnType<typeof CancelSessionRequest>>;
export type CompleteSessionRequest = z.input<ReturnType<typeof CompleteSessionRequest>>;
export type FailSessionRequest = z.input<ReturnType<typeof FailSessionRequest>>;
export type ReassignMentorRequest = ReassignMentorInput;
export type UpdateSessionConfigRequest = z.input<ReturnType<typeof UpdateSessionConfigRequest>>;
export type WorkflowEventRequest = WorkflowEventInput;
export type SessionConfigPatch = SessionConfigPatchInput;
