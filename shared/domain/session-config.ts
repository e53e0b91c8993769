import type { FieldIssue } from './errors';

/** How missed check-ins escalate (spec AC3). */
export const ESCALATION_POLICIES = ['progressive', 'immediate', 'relaxed'] as const;
export type EscalationPolicy = (typeof ESCALATION_POLICIES)[number];

/** The spec's NotificationPreferences. */
export interface NotificationPreferences {
  readonly slackEnabled: boolean;
  readonly emailEnabled: boolean;
  readonly additionalRecipients: readonly string[];
  readonly notifyOnStateChange: boolean;
  readonly notifyOnBlocker: boolean;
  readonly notifyOnEscalation: boolean;
  readonly notifyOnCompletion: boolean;
}

/** The spec's SessionConfig, in its TypeScript wire form. */
export interface SessionConfig {
  readonly maxDurationHours: number;
  readonly checkInIntervalMinutes: number;
  readonly escalationPolicy: EscalationPolicy;
  readonly qualityTierOverride?: number;
  readonly notifications: NotificationPreferences;
}

/** A change to some fields of a config; `notifications` changes some of its own fields. */
export type SessionConfigPatch = Partial<Omit<SessionConfig, 'notifications' | 'qualityTierOverride'>> & {
  /** `null` clears the override. */
  readonly qualityTierOverride?: number | null;
  readonly notifications?: Partial<NotificationPreferences>;
};

/** Template ids: lower-case letters, digits and dashes, 1-64 characters. */
export const TEMPLATE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A named starting point for a session's config (settings `config_templates`). */
export interface ConfigTemplate {
  readonly id: string;
  readonly name: string;
  readonly maxDurationHours: number;
  readonly checkInIntervalMinutes: number;
  readonly escalationPolicy: EscalationPolicy;
}

/** The spec's defaults for NotificationPreferences. */
export const DEFAULT_NOTIFICATIONS: NotificationPreferences = {
  slackEnabled: true,
  emailEnabled: false,
  additionalRecipients: [],
  notifyOnStateChange: true,
  notifyOnBlocker: true,
  notifyOnEscalation: true,
  notifyOnCompletion: true,
};

/** The spec's SessionConfig defaults: 8 hours, check-ins every 30 minutes, progressive escalation. */
export const SPEC_DEFAULT_CONFIG: SessionConfig = {
  maxDurationHours: 8,
  checkInIntervalMinutes: 30,
  escalationPolicy: 'progressive',
  notifications: DEFAULT_NOTIFICATIONS,
};

/** Business rules' bounds (README "Session configuration"). */
export const CONFIG_BOUNDS = {
  /** A quarter of an hour to one week of active time. */
  minDurationHours: 0.25,
  maxDurationHours: 168,
  /** Five minutes to one day between check-ins. */
  minCheckInMinutes: 5,
  maxCheckInMinutes: 1440,
  minQualityTier: 1,
  maxQualityTier: 5,
  maxRecipients: 20,
} as const;

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** A Slack channel (`#name`, lower case, as Slack allows) or member id (`U…`/`W…`). */
const SLACK = /^(#[a-z0-9][a-z0-9._-]{0,79}|[UW][A-Z0-9]{8,20})$/;

export type RecipientKind = 'email' | 'slack';

/** What kind of address a recipient is, or undefined when it is neither. */
export function recipientKind(recipient: string): RecipientKind | undefined {
  if (recipient.length <= 254 && EMAIL.test(recipient)) return 'email';
  if (SLACK.test(recipient)) return 'slack';
  return undefined;
}

/**
 * The business rules a complete config must meet (README "Session
 * configuration"), as field issues; empty when it is valid. Types and unknown
 * keys are the wire schema's job; these are the rules between values.
 */
export function configIssues(config: SessionConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const b = CONFIG_BOUNDS;
  const { maxDurationHours: hours, checkInIntervalMinutes: checkIn } = config;
  if (!(hours >= b.minDurationHours && hours <= b.maxDurationHours)) {
    issues.push({ path: 'maxDurationHours', message: `must be between ${b.minDurationHours} and ${b.maxDurationHours} hours` });
  } else if (!Number.isInteger(Math.round(hours * 60 * 1e6) / 1e6)) {
    issues.push({ path: 'maxDurationHours', message: 'must be a whole number of minutes (e.g. 1.5, not 1.01)' });
  }
  if (!Number.isInteger(checkIn) || checkIn < b.minCheckInMinutes || checkIn > b.maxCheckInMinutes) {
    issues.push({ path: 'checkInIntervalMinutes', message: `must be a whole number of minutes from ${b.minCheckInMinutes} to ${b.maxCheckInMinutes}` });
  } else if (checkIn >= hours * 60) {
    issues.push({ path: 'checkInIntervalMinutes', message: `must be shorter than maxDurationHours (${hours * 60} minutes)` });
  }
  if (config.qualityTierOverride !== undefined) {
    const tier = config.qualityTierOverride;
    if (!Number.isInteger(tier) || tier < b.minQualityTier || tier > b.maxQualityTier) {
      issues.push({ path: 'qualityTierOverride', message: `must be a whole number from ${b.minQualityTier} to ${b.maxQualityTier}` });
    }
  }
  const { notifications } = config;
  const recipients = notifications.additionalRecipients;
  if (recipients.length > b.maxRecipients) {
    issues.push({ path: 'notifications.additionalRecipients', message: `must list at most ${b.maxRecipients} recipients` });
  }
  const seen = new Set<string>();
  recipients.forEach((recipient, index) => {
    const path = `notifications.additionalRecipients.${index}`;
    const kind = recipientKind(recipient);
    if (kind === undefined) {
      issues.push({ path, message: 'must be an email address or a Slack channel (#name) or member id' });
    } else if (kind === 'email' && !notifications.emailEnabled) {
      issues.push({ path, message: 'is an email address but emailEnabled is false' });
    } else if (kind === 'slack' && !notifications.slackEnabled) {
      issues.push({ path, message: 'is a Slack recipient but slackEnabled is false' });
    }
    const normalised = recipient.toLowerCase();
    if (seen.has(normalised)) issues.push({ path, message: 'is listed twice' });
    seen.add(normalised);
  });
  return issues;
}

/** The config a session gets: the defaults, then its template, then the request's fields. */
export function resolveConfig(defaults: SessionConfig, template: ConfigTemplate | undefined, patch: SessionConfigPatch = {}): SessionConfig {
  const base: SessionConfig =
    template === undefined
      ? defaults
      : {
          ...defaults,
          maxDurationHours: template.maxDurationHours,
          checkInIntervalMinutes: template.checkInIntervalMinutes,
          escalationPolicy: template.escalationPolicy,
        };
  return applyConfigPatch(base, patch);
}

export function applyConfigPatch(config: SessionConfig, patch: SessionConfigPatch): SessionConfig {
  const { notifications, qualityTierOverride, ...scalars } = patch;
  const defined = Object.fromEntries(Object.entries(scalars).filter(([, value]) => value !== undefined));
  const { qualityTierOverride: _current, ...rest } = config;
  const tier = qualityTierOverride === undefined ? config.qualityTierOverride : (qualityTierOverride ?? undefined);
  return {
    ...rest,
    ...defined,
    ...(tier === undefined ? {} : { qualityTierOverride: tier }),
    notifications: {
      ...config.notifications,
      ...Object.fromEntries(Object.entries(notifications ?? {}).filter(([, value]) => value !== undefined)),
    },
  };
}

/** One changed field, by its path in the wire form. */
export interface ConfigChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** The fields that differ between two configs (arrays compared whole). */
export function diffConfig(before: SessionConfig, after: SessionConfig): ConfigChange[] {
  const flat = (config: SessionConfig): Record<string, unknown> => {
    const { notifications, ...top } = config;
    return {
      ...top,
      qualityTierOverride: config.qualityTierOverride ?? null,
      ...Object.fromEntries(Object.entries(notifications).map(([key, value]) => [`notifications.${key}`, value])),
    };
  };
  const a = flat(before);
  const b = flat(after);
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return fields.filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field])).map((field) => ({ field, from: a[field] ?? null, to: b[field] ?? null }));
}

export const minutesToMs = (minutes: number) => Math.round(minutes * 60_000);
export const hoursToMs = (hours: number) => Math.round(hours * 3_600_000);
