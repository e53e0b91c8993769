import * as z from 'zod';
import { ASSIGNMENT_STRATEGIES } from '../../domain/assignment';
import type { Junior, Mentor, Story } from '../../domain/directory';
import { MENTORSHIP_STATES, type MentorshipState } from '../../domain/mentorship-state';
import { once } from '../../domain/once';
import { SESSION_EVENT_TYPES, type Session, type SessionEvent } from '../../domain/session';
import { DEFAULT_NOTIFICATIONS, ESCALATION_POLICIES, SPEC_DEFAULT_CONFIG } from '../../domain/session-config';
import { SESSION_STATUSES } from '../../domain/status';
import type { IdempotencyRecord } from '../../ports/session-repository';

/**
 * Items read back from the table are checked against these before they reach
 * the domain: a malformed item is an error here, not a surprise later. Each
 * is built on its first use (`once`): a function builds only the ones for
 * the items it reads.
 */
const status = once(() => z.enum(SESSION_STATUSES));
const state = once(() => z.enum(MENTORSHIP_STATES as readonly [MentorshipState, ...MentorshipState[]]));
const text = once(() => z.string());

const notifications = once(() =>
  z.object({
    slackEnabled: z.boolean(),
    emailEnabled: z.boolean(),
    additionalRecipients: z.array(text()),
    notifyOnStateChange: z.boolean(),
    notifyOnBlocker: z.boolean(),
    notifyOnEscalation: z.boolean(),
    notifyOnCompletion: z.boolean(),
  }),
);
/** Sessions written before configs existed read as the spec's defaults. */
const legacyConfig = () => ({ ...SPEC_DEFAULT_CONFIG, notifications: { ...DEFAULT_NOTIFICATIONS, additionalRecipients: [] } });
const config = once(() =>
  z.object({
    maxDurationHours: z.number(),
    checkInIntervalMinutes: z.number(),
    escalationPolicy: z.enum(ESCALATION_POLICIES),
    qualityTierOverride: z.number().optional(),
    notifications: notifications(),
  }),
);
const candidate = once(() =>
  z.object({
    mentorId: text(),
    skillLevel: z.number(),
    load: z.number(),
    capacity: z.number(),
    capacityLeft: z.number(),
    loadRatio: z.number(),
    lastAssignedAt: text().optional(),
    rank: z.number().optional(),
    excluded: z.enum(['unavailable', 'full', 'excluded']).optional(),
  }),
);
export const AssignmentRecord = once(() =>
  z.object({
    mode: z.enum(['manual', 'auto', 'fallback_to_auto']),
    mentorId: text(),
    skillArea: text(),
    strategy: z.enum(ASSIGNMENT_STRATEGIES).optional(),
    requestedMentorId: text().optional(),
    candidates: z.array(candidate()),
    candidateCount: z.number(),
    turn: z.number().optional(),
  }),
);

export const SessionRecord = once(
  () =>
    z.object({
      id: text(),
      storyId: text(),
      juniorId: text(),
      mentorId: text().optional(),
      storyTitle: text(),
      juniorName: text(),
      skillArea: text().default(''),
      status: status(),
      currentState: state().optional(),
      pausedFromState: state().optional(),
      stateChangedAt: text().optional(),
      workflowInstanceId: text().optional(),
      createdAt: text(),
      updatedAt: text(),
      startedAt: text().optional(),
      pausedAt: text().optional(),
      endedAt: text().optional(),
      pauseReason: text().optional(),
      cancelReason: text().optional(),
      error: text().optional(),
      enqueuedAt: text().optional(),
      activeMs: z.number().optional(),
      activeSince: text().optional(),
      timeouts: z.object({ maxDurationMs: z.number(), pauseTimeoutMs: z.number(), queueTimeoutMs: z.number() }).optional(),
      report: z.object({ summary: text(), overallScore: z.number(), metrics: z.record(z.string(), z.number()) }).optional(),
      config: config().default(legacyConfig),
      configTemplateId: text().optional(),
      mentorRequest: z.object({ mentorId: text(), fallbackToAuto: z.boolean() }).optional(),
      assignment: AssignmentRecord().optional(),
      awaitingMentorSince: text().optional(),
      legalHold: z.object({ setBy: text(), setAt: text(), reason: text().optional() }).optional(),
      engineSync: z.object({ reason: z.enum(['engine_call_failed', 'engine_ended']), since: text(), attempts: z.number().int() }).optional(),
      engineCommand: z
        .object({
          target: z.enum(['running', 'suspended', 'stopped']),
          since: text(),
          attempts: z.number().int(),
          dueAt: text(),
          lastError: text().optional(),
          overlaps: z.boolean().optional(),
        })
        .optional(),
      serviceReport: z
        .object({
          timePerStateMs: z.partialRecord(state(), z.number()),
          statusBreakdown: z.object({ queuedMs: z.number(), activeMs: z.number(), pausedMs: z.number(), pauseCount: z.number(), longestPauseMs: z.number() }),
          pauseCount: z.number(),
          blockersDetected: z.number(),
          blockersResolved: z.number(),
          escalations: z.number(),
          checkInsMissed: z.number(),
          stateTransitions: z.number(),
          lateStateReports: z.number(),
          engineScore: z.number().optional(),
        })
        .optional(),
      checkIn: z.object({ nextActiveMs: z.number(), missed: z.number().int() }).optional(),
      version: z.number().int(),
      eventCount: z.number().int(),
    }) satisfies z.ZodType<Session, unknown>,
);

export const EventRecord = once(
  () =>
    z.object({
      sessionId: text(),
      seq: z.number().int(),
      type: z.enum(SESSION_EVENT_TYPES),
      occurredAt: text(),
      recordedAt: text(),
      actor: text(),
      actorRole: z.enum(['coordinator', 'mentor', 'junior', 'service', 'system']),
      fromStatus: status().optional(),
      toStatus: status().optional(),
      fromState: state().optional(),
      toState: state().optional(),
      reason: text().optional(),
      notes: text().optional(),
      externalId: text().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    }) satisfies z.ZodType<SessionEvent>,
);

const skills = once(() => z.array(z.object({ area: text(), level: z.number() })));
export const JuniorRecord = once(() => z.object({ id: text(), name: text(), skills: skills() }) satisfies z.ZodType<Junior>);
export const MentorRecord = once(
  () =>
    z.object({
      id: text(),
      name: text(),
      skills: skills(),
      maxConcurrentSessions: z.number().int().optional(),
      available: z.boolean(),
    }) satisfies z.ZodType<Mentor>,
);
export const StoryRecord = once(() => z.object({ id: text(), title: text(), skillArea: text() }) satisfies z.ZodType<Story>);

export const IdempotencyRecordSchema = once(
  () =>
    z.object({
      scope: text(),
      key: text(),
      requestHash: text(),
      result: z.object({
        success: z.boolean(),
        sessionId: text(),
        workflowInstanceId: text().optional(),
        status: z.enum(['started', 'queued', 'failed']),
        queuePosition: z.number().int().optional(),
        estimatedWaitMinutes: z.number().int().optional(),
        error: text().optional(),
      }),
      expiresAt: text(),
    }) satisfies z.ZodType<IdempotencyRecord>,
);

/** Parses an item with its schema (built on its first use: `once`), naming the item on failure. */
export function parseRecord<T>(schema: () => z.ZodType<T>, item: Record<string, unknown>, what: string): T {
  const result = schema().safeParse(item);
  if (!result.success) {
    throw new Error(`Malformed ${what} item in the table: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  return result.data;
}
