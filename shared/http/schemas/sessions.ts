import * as z from 'zod';
import { ASSIGNMENT_STRATEGIES } from '../../domain/assignment';
import { once } from '../../domain/once';
import { CONFIG_BOUNDS, ESCALATION_POLICIES } from '../../domain/session-config';
import { actorRole, byMentorshipState, mentorshipState, sessionEventType, status } from './primitives';
import { CONFIG_NUMBER_BOUNDS, SessionReportSchema } from './requests';

/** A session on the wire: start and change results, events, summaries, config and details. */

export const candidateScore = once(() =>
  z
    .object({
      mentorId: z.string(),
      skillLevel: z.number(),
      load: z.number().int(),
      capacity: z.number().int(),
      capacityLeft: z.number().int(),
      loadRatio: z.number(),
      lastAssignedAt: z.string().optional(),
      rank: z.number().int().optional().describe('1 = the winner; absent for mentors that could not be chosen'),
      excluded: z.enum(['unavailable', 'full', 'excluded']).optional(),
    })
    .meta({ id: 'CandidateScore' }),
);
export const MentorAssignmentSchema = once(() =>
  z
    .object({
      mode: z.enum(['manual', 'auto', 'fallback_to_auto']),
      mentorId: z.string(),
      skillArea: z.string(),
      strategy: z.enum(ASSIGNMENT_STRATEGIES).optional(),
      requestedMentorId: z.string().optional(),
      candidates: z.array(candidateScore()).describe('best first, at most 20'),
      candidateCount: z.number().int().describe('mentors covering the skill area'),
      turn: z.number().int().optional().describe('round robin: the turn this choice took'),
    })
    .meta({ id: 'MentorAssignment' }),
);

export const SessionStartResultSchema = once(() =>
  z
    .object({
      success: z.boolean(),
      sessionId: z.uuid(),
      workflowInstanceId: z.string().optional(),
      mentorId: z.string().optional(),
      assignment: MentorAssignmentSchema().optional(),
      status: z.enum(['started', 'queued', 'failed']),
      queuePosition: z.number().int().optional(),
      estimatedWaitMinutes: z.number().int().optional(),
      error: z.string().optional(),
      enginePending: z
        .boolean()
        .optional()
        .describe('started, but the engine has not confirmed its instance yet; the service keeps trying (see `engine` on the session)'),
    })
    .meta({ id: 'SessionStartResult' }),
);

export const SessionResultSchema = once(() =>
  z
    .object({
      success: z.boolean(),
      sessionId: z.uuid(),
      status: status(),
      error: z.string().optional(),
      enginePending: z
        .boolean()
        .optional()
        .describe('the change stands, but the engine has not confirmed it yet; the service keeps trying (see `engine` on the session)'),
    })
    .meta({ id: 'SessionResult' }),
);

export const SessionEventSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      seq: z.number().int(),
      type: sessionEventType(),
      occurredAt: z.string(),
      recordedAt: z.string(),
      actor: z.string(),
      actorRole: actorRole(),
      fromStatus: status().optional(),
      toStatus: status().optional(),
      fromState: mentorshipState().optional(),
      toState: mentorshipState().optional(),
      reason: z.string().optional(),
      notes: z.string().optional(),
      externalId: z.string().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    })
    .meta({ id: 'SessionEvent' }),
);

export const LegalHoldSchema = once(() => z.object({ setBy: z.string(), setAt: z.string(), reason: z.string().optional() }).meta({ id: 'LegalHold' }));

export const EngineSideSchema = once(() =>
  z
    .object({
      workflowInstanceId: z.string().optional(),
      desired: z.enum(['running', 'suspended', 'stopped', 'none']).describe('the state the session asks of its instance (`none`: queued, nothing runs yet)'),
      confirmed: z.boolean().describe('true when the engine has confirmed `desired`; false while an engine command is pending'),
      pendingSince: z.string().optional().describe('when the pending command was first asked for'),
      attempts: z.number().int().optional().describe('engine calls tried for the pending command'),
      nextAttemptAt: z.string().optional().describe('when the worker tries it again (unless re-driven sooner)'),
      lastError: z.string().optional().describe('what the last try met (a timeout, a network error, a 5xx)'),
      outOfSync: z
        .object({ reason: z.enum(['engine_call_failed', 'engine_ended']), since: z.string(), attempts: z.number().int() })
        .optional()
        .describe('reconciliation found the instance disagreeing and checks it every pass'),
    })
    .meta({ id: 'EngineSide' }),
);

export const SessionSummarySchema = once(() =>
  z
    .object({
      id: z.uuid(),
      storyId: z.string(),
      storyTitle: z.string(),
      juniorId: z.string(),
      juniorName: z.string(),
      mentorId: z.string().optional(),
      currentState: mentorshipState().optional(),
      status: status(),
      createdAt: z.string(),
      completedAt: z.string().optional(),
      duration: z.string().describe('ISO 8601 duration from creation to end (or now)'),
      overallScore: z.number().optional(),
    })
    .meta({ id: 'SessionSummary' }),
);

export const NotificationPreferencesSchema = once(() =>
  z
    .object({
      slackEnabled: z.boolean(),
      emailEnabled: z.boolean(),
      additionalRecipients: z.array(z.string()).meta({ maxItems: CONFIG_BOUNDS.maxRecipients }),
      notifyOnStateChange: z.boolean(),
      notifyOnBlocker: z.boolean(),
      notifyOnEscalation: z.boolean(),
      notifyOnCompletion: z.boolean(),
    })
    .meta({ id: 'NotificationPreferences' }),
);
export const SessionConfigSchema = once(() =>
  z
    .object({
      maxDurationHours: z.number().meta(CONFIG_NUMBER_BOUNDS.maxDurationHours),
      checkInIntervalMinutes: z.number().int().meta(CONFIG_NUMBER_BOUNDS.checkInIntervalMinutes),
      escalationPolicy: z.enum(ESCALATION_POLICIES),
      qualityTierOverride: z.number().int().meta(CONFIG_NUMBER_BOUNDS.qualityTierOverride).optional(),
      notifications: NotificationPreferencesSchema(),
    })
    .meta({ id: 'SessionConfig' }),
);

/** What the service counted at completion (stored with the engine's report). */
export const ServiceReportSchema = once(() =>
  z
    .object({
      timePerState: byMentorshipState(z.string()).describe('ISO 8601 durations by MentorshipState'),
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
    })
    .meta({ id: 'ServiceReport' }),
);

export const SessionDetailsSchema = once(() =>
  SessionSummarySchema()
    .extend({
      skillArea: z.string(),
      config: SessionConfigSchema(),
      configTemplateId: z.string().optional(),
      assignment: MentorAssignmentSchema().optional().describe('how the current mentor was chosen'),
      requestedMentorId: z.string().optional().describe('while queued: the mentor the start named'),
      awaitingMentorSince: z.string().optional().describe('its mentor became unavailable and it waits for another'),
      workflowInstanceId: z.string().optional(),
      pausedFromState: mentorshipState().optional(),
      startedAt: z.string().optional(),
      pausedAt: z.string().optional(),
      updatedAt: z.string(),
      pauseReason: z.string().optional(),
      cancelReason: z.string().optional(),
      error: z.string().optional(),
      report: SessionReportSchema().optional(),
      serviceReport: ServiceReportSchema().optional(),
      legalHold: LegalHoldSchema().optional(),
      engine: EngineSideSchema().optional().describe('coordinators only: the workflow engine side of the session'),
      expiresAt: z.string().optional().describe('when its data expires (retention); absent while it runs or is held'),
      version: z.number().int(),
      events: z.array(SessionEventSchema()),
    })
    .meta({ id: 'SessionDetails' }),
);

export const SessionEventsSchema = once(() => z.object({ sessionId: z.uuid(), items: z.array(SessionEventSchema()) }).meta({ id: 'SessionEvents' }));

export const WorkflowEventResultSchema = once(() =>
  z
    .object({
      sessionId: z.uuid(),
      recorded: z.boolean(),
      duplicate: z.boolean(),
      stateApplied: z.boolean(),
      currentState: z.string().optional(),
    })
    .meta({ id: 'WorkflowEventResult' }),
);

export type SessionStartResult = z.output<ReturnType<typeof SessionStartResultSchema>>;
export type SessionResult = z.output<ReturnType<typeof SessionResultSchema>>;
export type SessionEventDto = z.output<ReturnType<typeof SessionEventSchema>>;
export type SessionSummary = z.output<ReturnType<typeof SessionSummarySchema>>;
export type SessionDetails = z.output<ReturnType<typeof SessionDetailsSchema>>;
export type EngineSide = z.output<ReturnType<typeof EngineSideSchema>>;
export type WorkflowEventResult = z.output<ReturnType<typeof WorkflowEventResultSchema>>;

// The wire types by the names the OpenAPI document gives them (components.schemas).
export type SessionEvent = SessionEventDto;
export type SessionEvents = z.output<ReturnType<typeof SessionEventsSchema>>;
export type SessionConfig = z.output<ReturnType<typeof SessionConfigSchema>>;
export type MentorAssignment = z.output<ReturnType<typeof MentorAssignmentSchema>>;
