import * as z from 'zod';
import { once } from '../../domain/once';
import { ESCALATION_POLICIES } from '../../domain/session-config';
import { actorRole, status } from './primitives';
import { JuniorInput, MentorInput, StoryInput } from './requests';
import { SessionConfigSchema } from './sessions';

/** Juniors, mentors and stories; the queue; mentor changes, history and workload; config templates and views; health. */

export const withId = <Shape extends z.ZodRawShape, Config extends z.core.$ZodObjectConfig>(schema: z.ZodObject<Shape, Config>) => schema.extend({ id: z.string() });
export const JuniorSchema = once(() => withId(JuniorInput()).meta({ id: 'Junior' }));
export const MentorLoadSchema = once(() =>
  z
    .object({
      openSessions: z.number().int(),
      capacity: z.number().int().describe('max_concurrent_sessions_per_mentor, lowered by their own cap'),
      capacityLeft: z.number().int(),
    })
    .meta({ id: 'MentorLoad' }),
);
export const MentorSchema = once(() => withId(MentorInput()).extend({ load: MentorLoadSchema() }).meta({ id: 'Mentor' }));
export const PutMentorResultSchema = once(() =>
  MentorSchema()
    .extend({
      reassignment: z
        .object({ reassigned: z.array(z.uuid()), awaitingMentor: z.array(z.uuid()) })
        .optional()
        .describe('when marked unavailable: where their open sessions went'),
    })
    .meta({ id: 'PutMentorResult' }),
);
export const StorySchema = once(() => withId(StoryInput()).meta({ id: 'Story' }));
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
export const JuniorPage = once(() => pageOf(JuniorSchema()).meta({ id: 'JuniorPage' }));
export const MentorPage = once(() => pageOf(MentorSchema()).meta({ id: 'MentorPage' }));
export const StoryPage = once(() => pageOf(StorySchema()).meta({ id: 'StoryPage' }));

export const usage = once(() => z.object({ used: z.number().int(), max: z.number().int() }));
export const QueueStatusSchema = once(() =>
  z
    .object({
      totalQueued: z.number().int(),
      activeSessionCount: z.number().int(),
      maxConcurrentSessions: z.number().int(),
      estimatedWaitMinutes: z.number().int().describe('for a session arriving now'),
      limits: z.object({
        system: usage(),
        queue: usage(),
        perJunior: z.object({ max: z.number().int(), atCapacity: z.number().int().describe('juniors at their limit') }),
        perMentor: z.object({ max: z.number().int(), atCapacity: z.number().int().describe('mentors at their limit') }),
      }),
    })
    .meta({ id: 'QueueStatus' }),
);
export const QueuePositionSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      status: status(),
      position: z.number().int().nullable().describe('1 = head of the queue; null when not queued'),
      blockedBy: z.array(z.enum(['junior', 'mentor', 'system'])),
      estimatedWaitMinutes: z.number().int().nullable(),
    })
    .meta({ id: 'QueuePosition' }),
);

export const MentorChangeResultSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      status: status(),
      mentorId: z.string(),
      previousMentorId: z.string().optional(),
      changed: z.boolean().describe('false when the session already had this mentor'),
    })
    .meta({ id: 'MentorChangeResult' }),
);
export const MentorHistorySchema = once(() =>
  z
    .object({
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
          actorRole: actorRole(),
        }),
      ),
    })
    .meta({ id: 'MentorHistory' }),
);
export const MentorWorkloadSchema = once(() =>
  z
    .object({
      mentorId: z.string(),
      available: z.boolean(),
      capacity: z.number().int(),
      openSessions: z.number().int(),
      capacityLeft: z.number().int(),
      lastAssignedAt: z.string().optional(),
      sessions: z.array(z.object({ id: z.uuid(), status: status(), juniorId: z.string(), storyId: z.string(), startedAt: z.string().optional() })),
      queued: z.array(z.object({ id: z.uuid(), enqueuedAt: z.string().optional(), fallbackToAuto: z.boolean() })).describe('queued sessions that asked for this mentor'),
    })
    .meta({ id: 'MentorWorkload' }),
);
export const ConfigTemplateSchema = once(() =>
  z
    .object({
      id: z.string(),
      name: z.string(),
      maxDurationHours: z.number(),
      checkInIntervalMinutes: z.number().int(),
      escalationPolicy: z.enum(ESCALATION_POLICIES),
    })
    .meta({ id: 'ConfigTemplate' }),
);
export const ConfigTemplatesSchema = once(() => z.object({ items: z.array(ConfigTemplateSchema()) }).meta({ id: 'ConfigTemplates' }));
export const SessionConfigViewSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      status: status(),
      configTemplateId: z.string().optional(),
      config: SessionConfigSchema(),
      checkIn: z.object({ nextAt: z.string().optional().describe('while Active'), missedInARow: z.number().int() }),
      deadline: z.object({ at: z.string(), kind: z.enum(['max_duration', 'pause_timeout', 'queue_timeout']) }).optional(),
      changes: z
        .array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() }))
        .optional()
        .describe('for a PUT: the diff'),
    })
    .meta({ id: 'SessionConfigView' }),
);

export const HealthSchema = once(() => z.object({ status: z.literal('ok') }).meta({ id: 'Health' }));
export const OpenApiSchema = once(() => z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' }));

export type JuniorDto = z.output<ReturnType<typeof JuniorSchema>>;
export type MentorDto = z.output<ReturnType<typeof MentorSchema>>;
export type StoryDto = z.output<ReturnType<typeof StorySchema>>;
export type QueueStatus = z.output<ReturnType<typeof QueueStatusSchema>>;
export type QueuePosition = z.output<ReturnType<typeof QueuePositionSchema>>;
export type MentorChangeResult = z.output<ReturnType<typeof MentorChangeResultSchema>>;
export type MentorHistory = z.output<ReturnType<typeof MentorHistorySchema>>;
export type MentorWorkload = z.output<ReturnType<typeof MentorWorkloadSchema>>;
export type ConfigTemplates = z.output<ReturnType<typeof ConfigTemplatesSchema>>;
export type SessionConfigView = z.output<ReturnType<typeof SessionConfigViewSchema>>;

// The wire types by the names the OpenAPI document gives them (components.schemas).
export type Junior = JuniorDto;
export type Mentor = MentorDto;
export type Story = StoryDto;
export type PutMentorResult = z.output<ReturnType<typeof PutMentorResultSchema>>;
export type JuniorPage = z.output<ReturnType<typeof JuniorPage>>;
export type MentorPage = z.output<ReturnType<typeof MentorPage>>;
export type StoryPage = z.output<ReturnType<typeof StoryPage>>;
