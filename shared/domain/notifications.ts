import type { Session, SessionEvent, SessionEventType } from './model';
import { type NotificationPreferences, recipientKind } from './session-config';

/** Where a notification goes. */
export type NotificationChannel = 'slack' | 'email';

/** What a notification is about (one per audit event that warrants one). */
export const NOTIFICATION_KINDS = [
  'queued',
  'started',
  'started_from_queue',
  'paused',
  'resumed',
  'cancelled',
  'timed_out',
  'failed',
  'completed',
  'blocker',
  'escalation',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** One message for one channel, built from one audit event. Carries no secrets. */
export interface Notification {
  /** Stable per event and channel: `<sessionId>/<eventSeq>/<channel>`; a channel may use it to drop repeats. */
  readonly id: string;
  readonly channel: NotificationChannel;
  readonly kind: NotificationKind;
  readonly sessionId: string;
  readonly eventSeq: number;
  readonly eventType: string;
  readonly occurredAt: string;
  /** One readable line, e.g. `Session for "Fix login" (Ada) is paused by mentor m-1: lunch.` */
  readonly summary: string;
  readonly storyTitle: string;
  readonly juniorName?: string;
  readonly mentorId?: string;
  /** Link to the session in the coordinators' tool. */
  readonly sessionUrl: string;
  /** Queued notifications: the estimated wait, in minutes. */
  readonly estimatedWaitMinutes?: number;
  /** Email only: who gets it (the session's additionalRecipients plus the configured default). */
  readonly recipients: readonly string[];
}

type PreferenceFlag = keyof Pick<NotificationPreferences, 'notifyOnStateChange' | 'notifyOnBlocker' | 'notifyOnEscalation' | 'notifyOnCompletion'>;

/**
 * The events that warrant a notification, what kind each is and which
 * preference lets it through. Every other event (state transitions, mentor
 * and config changes, missed check-ins on their own...) sends nothing.
 */
export const NOTIFYING_EVENTS: Readonly<Partial<Record<SessionEventType, { readonly kind: NotificationKind; readonly when: PreferenceFlag }>>> = {
  session_queued: { kind: 'queued', when: 'notifyOnStateChange' },
  session_started: { kind: 'started', when: 'notifyOnStateChange' },
  session_dequeued: { kind: 'started_from_queue', when: 'notifyOnStateChange' },
  session_paused: { kind: 'paused', when: 'notifyOnStateChange' },
  session_resumed: { kind: 'resumed', when: 'notifyOnStateChange' },
  session_cancelled: { kind: 'cancelled', when: 'notifyOnStateChange' },
  session_timed_out: { kind: 'timed_out', when: 'notifyOnStateChange' },
  session_failed: { kind: 'failed', when: 'notifyOnStateChange' },
  blocker_detected: { kind: 'blocker', when: 'notifyOnBlocker' },
  // The engine's, and the check-in ladder's (actor `system`, see check-ins.ts).
  escalation_triggered: { kind: 'escalation', when: 'notifyOnEscalation' },
  escalated_to_senior: { kind: 'escalation', when: 'notifyOnEscalation' },
  session_completed: { kind: 'completed', when: 'notifyOnCompletion' },
};

/** The kind of notification an event type may send, whatever the preferences; undefined when it never sends one. */
export function notificationKindOf(type: SessionEventType): NotificationKind | undefined {
  return NOTIFYING_EVENTS[type]?.kind;
}

export interface NotificationOptions {
  readonly sessionUrl: (sessionId: string) => string;
  /** Email addresses that get every email notification (settings), besides the session's own. */
  readonly defaultRecipients: readonly string[];
  /** For a queued session: how long it is expected to wait. */
  readonly estimatedWaitMinutes?: number;
}

/**
 * The notifications one audit event sends under the session's preferences:
 * one per enabled channel when the event warrants one and its preference is
 * on, none otherwise. Slack needs `slackEnabled`; email needs `emailEnabled`
 * and at least one email address (the session's, then the defaults).
 */
export function notificationsFor(event: SessionEvent, session: Session, options: NotificationOptions): Notification[] {
  const rule = NOTIFYING_EVENTS[event.type];
  const preferences = session.config.notifications;
  if (rule === undefined || !preferences[rule.when]) return [];
  const recipients = emailRecipients(preferences, options.defaultRecipients);
  const channels: NotificationChannel[] = [
    ...(preferences.slackEnabled ? (['slack'] as const) : []),
    ...(preferences.emailEnabled && recipients.length > 0 ? (['email'] as const) : []),
  ];
  const mentorId = text(event.data?.mentorId) ?? session.mentorId;
  const waitMinutes = rule.kind === 'queued' ? options.estimatedWaitMinutes : undefined;
  const base = {
    kind: rule.kind,
    sessionId: event.sessionId,
    eventSeq: event.seq,
    eventType: event.type,
    occurredAt: event.occurredAt,
    summary: summaryOf(rule.kind, event, session, mentorId, waitMinutes),
    storyTitle: session.storyTitle,
    juniorName: session.juniorName,
    ...(mentorId !== undefined && { mentorId }),
    sessionUrl: options.sessionUrl(event.sessionId),
    ...(waitMinutes !== undefined && { estimatedWaitMinutes: waitMinutes }),
  };
  return channels.map((channel) => ({
    ...base,
    id: `${event.sessionId}/${event.seq}/${channel}`,
    channel,
    recipients: channel === 'email' ? recipients : [],
  }));
}

/** The session's email addresses (Slack recipients are not emailed), then the defaults; each once, case-insensitively. */
function emailRecipients(preferences: NotificationPreferences, defaults: readonly string[]): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const address of [...preferences.additionalRecipients.filter((r) => recipientKind(r) === 'email'), ...defaults]) {
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(address);
  }
  return unique;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;

const LIMITS: Readonly<Record<string, string>> = {
  max_duration: 'maximum duration reached',
  pause_timeout: 'paused too long',
  queue_timeout: 'queued too long',
};

/** One readable line, naming the story and the junior, who did it (unless the system) and why. */
function summaryOf(kind: NotificationKind, event: SessionEvent, session: Session, mentorId: string | undefined, waitMinutes: number | undefined): string {
  const subject = `Session for "${session.storyTitle}" (${session.juniorName})`;
  const by = event.actorRole === 'system' ? '' : ` by ${event.actorRole} ${event.actor}`;
  const because = event.reason === undefined ? '' : `: ${event.reason}`;
  const mentor = mentorId === undefined ? '' : ` with mentor ${mentorId}`;
  switch (kind) {
    case 'queued':
      return `${subject} is queued${waitMinutes === undefined ? '' : `; estimated wait ${minutes(waitMinutes)}`}.`;
    case 'started':
      return `${subject} started${mentor}.`;
    case 'started_from_queue': {
      const waited = number(event.data?.waitedMs);
      return `${subject} left the queue and started${mentor}${waited === undefined ? '' : ` after ${minutes(Math.round(waited / 60_000))}`}.`;
    }
    case 'paused':
      return `${subject} is paused${by}${because}.`;
    case 'resumed':
      return `${subject} resumed${by}.`;
    case 'cancelled':
      return `${subject} was cancelled${by}${because}.`;
    case 'timed_out': {
      const limit = text(event.data?.limit);
      return `${subject} timed out${limit === undefined ? '' : ` (${LIMITS[limit] ?? limit})`}.`;
    }
    case 'failed': {
      const error = text(event.data?.error) ?? event.reason;
      return `${subject} failed${error === undefined ? '' : `: ${error}`}.`;
    }
    case 'completed': {
      const report = event.data?.report;
      const score = typeof report === 'object' && report !== null ? number((report as Record<string, unknown>).overallScore) : undefined;
      return `${subject} is completed${score === undefined ? '' : ` with a score of ${score}`}.`;
    }
    case 'blocker': {
      const state = session.currentState === undefined ? '' : ` at ${session.currentState}`;
      return `${subject} hit a blocker${state}${because}.`;
    }
    case 'escalation': {
      if (event.type === 'escalated_to_senior') return `${subject} was escalated to a senior${because}.`;
      const audience = text(event.data?.audience);
      const level = number(event.data?.level);
      const missed = event.reason === 'check_in_missed' && level !== undefined ? ` after ${level} missed check-in${level === 1 ? '' : 's'}` : because;
      return `${subject} was escalated${audience === undefined ? '' : ` to the ${audience}`}${missed}.`;
    }
  }
}
