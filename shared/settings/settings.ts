import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Yaml from 'yaml';
import * as z from 'zod';
import { ASSIGNMENT_STRATEGIES, type AssignmentStrategy } from '../domain/assignment';
import type { LimitSettings } from '../domain/limits';
import { once } from '../domain/once';
import { type ConfigTemplate, configIssues, DEFAULT_NOTIFICATIONS, ESCALATION_POLICIES, type SessionConfig, TEMPLATE_ID_PATTERN } from '../domain/session-config';

/**
 * Settings: the spec's `session_management` block, in one YAML file
 * (config/settings.yaml), with single values overridden by environment
 * variables. Loaded once at start-up; a bad value stops it with a message
 * naming the key. The schemas are built on first use (`once`): a Lambda
 * function builds them when it composes, at its first invocation, not when
 * its module loads.
 */
const hours = (max: number) => z.coerce.number().positive().max(max);
const policy = once(() => z.enum(ESCALATION_POLICIES));
const bool = once(() => z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]));

const Template = once(() =>
  z.strictObject({
    id: z.string().regex(TEMPLATE_ID_PATTERN, 'must be lower-case letters, digits and dashes'),
    name: z.string().min(1).max(100),
    max_duration_hours: hours(168),
    check_in_interval_minutes: z.coerce.number().int().min(1).max(1440),
    escalation_policy: policy(),
  }),
);

/** Unset when absent or empty, so `NOTIFICATIONS__SLACK_WEBHOOK_URL=` turns Slack off. */
const optionalText = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
/** A YAML list, or one comma-separated string (an environment variable). */
const emailList = once(() =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== '')
        : value,
    z.array(z.email()),
  ),
);

const DEFAULT_SESSION_URL = 'http://localhost:3000/api/mentorship/sessions/{id}';

const Notifications = once(() =>
  z.strictObject({
    // A secret: set it from the environment (NOTIFICATIONS__SLACK_WEBHOOK_URL), not in the file.
    slack_webhook_url: optionalText(z.url({ protocol: /^https?$/ })),
    email_from: optionalText(z.email()),
    default_recipients: emailList().default([]),
    session_url_template: z.string().includes('{id}', { message: 'must contain {id}' }).default(DEFAULT_SESSION_URL),
    max_attempts: z.coerce.number().int().min(1).max(10).default(3),
    // In AWS: the SQS queue that keeps undeliverable notifications (absent: the table keeps them).
    dead_letter_queue_url: optionalText(z.url({ protocol: /^https?$/ })),
  }),
);

const IntegrationEvents = once(() =>
  z.strictObject({
    // none: no bus; log: one log line per event (npm start); eventbridge: the bus named below (AWS).
    bus: z.enum(['none', 'log', 'eventbridge']).default('none'),
    bus_name: optionalText(z.string().regex(/^[A-Za-z0-9._/-]{1,256}$/, 'must be an EventBridge bus name')),
    max_attempts: z.coerce.number().int().min(1).max(10).default(3),
    // In AWS: the SQS queue that keeps events the bus refused every time (absent: the table keeps them).
    dead_letter_queue_url: optionalText(z.url({ protocol: /^https?$/ })),
    webhook_max_attempts: z.coerce.number().int().min(1).max(10).default(4),
    webhook_timeout_ms: z.coerce.number().int().min(100).max(30_000).default(5000),
    // strict (AWS): https only, public addresses only. local (npm start): plain http to localhost/127.0.0.1 too.
    webhook_url_policy: z.enum(['strict', 'local']).default('strict'),
  }),
);
const INTEGRATION_DEFAULTS = once(() => IntegrationEvents().parse({}));

const eventName = once(() => z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes, colons or underscores'));

const WorkflowEngine = once(() =>
  z
    .strictObject({
      type: z.enum(['embedded', 'elsa', 'stepfunctions']).default('embedded'),
      // Elsa 3: the base URL (no prefix), the API prefix, the definition each session runs, the cooperative event names.
      elsa_base_url: optionalText(z.url({ protocol: /^https?$/ })),
      elsa_prefix: z
        .string()
        .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must start with /')
        .default('/elsa/api'),
      elsa_definition_id: z.string().min(1).max(200).default('mentorship-session'),
      // A secret: set it from the environment (WORKFLOW_ENGINE__ELSA_API_KEY) or a secret store, not in the file.
      elsa_api_key: optionalText(z.string().max(500)),
      elsa_pause_event: eventName().default('mentorship.pause'),
      elsa_resume_event: eventName().default('mentorship.resume'),
      elsa_config_event: eventName().default('mentorship.config'),
      elsa_timeout_ms: z.coerce.number().int().min(100).max(60_000).default(5_000),
      elsa_retry_attempts: z.coerce.number().int().min(1).max(10).default(3),
      // Step Functions: the mentorship state machine (CDK output).
      state_machine_arn: optionalText(z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/, 'must be a state machine ARN')),
      // Reconciliation: open sessions checked against their engine instance per run.
      reconcile_batch_size: z.coerce.number().int().min(1).max(1000).default(25),
      // Engine commands (docs/engines.md "Durable engine commands"): how long a request keeps its own
      // command before a worker may take it over, how often a start is tried before the session fails,
      // and after how long a pending command counts as overdue (metric and alarm).
      command_lease_seconds: z.coerce.number().int().min(5).max(900).default(30),
      max_start_attempts: z.coerce.number().int().min(1).max(50).default(6),
      command_overdue_minutes: z.coerce.number().int().min(1).max(1440).default(10),
    })
    .superRefine((engine, ctx) => {
      if (engine.type === 'elsa' && engine.elsa_base_url === undefined)
        ctx.addIssue({ code: 'custom', path: ['elsa_base_url'], message: 'is required when type is elsa' });
      if (engine.type === 'elsa' && engine.elsa_api_key === undefined)
        ctx.addIssue({ code: 'custom', path: ['elsa_api_key'], message: 'is required when type is elsa (WORKFLOW_ENGINE__ELSA_API_KEY)' });
      if (engine.type === 'stepfunctions' && engine.state_machine_arn === undefined)
        ctx.addIssue({ code: 'custom', path: ['state_machine_arn'], message: 'is required when type is stepfunctions' });
    }),
);

const SPEC_TEMPLATES = [
  { id: 'quick-fix', name: 'Quick Fix', max_duration_hours: 2, check_in_interval_minutes: 15, escalation_policy: 'immediate' as const },
  { id: 'standard', name: 'Standard Session', max_duration_hours: 8, check_in_interval_minutes: 30, escalation_policy: 'progressive' as const },
  { id: 'complex-feature', name: 'Complex Feature', max_duration_hours: 16, check_in_interval_minutes: 60, escalation_policy: 'relaxed' as const },
];

export const SessionManagementSchema = once(() =>
  z.strictObject({
    max_concurrent_sessions_per_junior: z.coerce.number().int().min(1).max(1000).default(1),
    max_concurrent_sessions_per_mentor: z.coerce.number().int().min(1).max(1000).default(3),
    max_concurrent_sessions_system: z.coerce.number().int().min(1).max(100_000).default(50),
    max_queue_size: z.coerce.number().int().min(0).max(100_000).default(100),
    // How many queued sessions one drain starts at once (independent juniors and mentors; docs/limits-and-queue.md).
    queue_drain_parallelism: z.coerce.number().int().min(1).max(64).default(8),
    max_session_duration_hours: hours(168).default(8),
    pause_timeout_hours: hours(720).default(24),
    queue_timeout_hours: hours(720).default(4),
    default_check_in_interval_minutes: z.coerce.number().int().min(1).max(1440).default(30),
    default_escalation_policy: policy().default('progressive'),
    // Absent: the spec's three templates.
    config_templates: z
      .array(Template())
      .default(SPEC_TEMPLATES)
      .refine((list) => new Set(list.map((t) => t.id)).size === list.length, 'template ids must be unique'),
    mentor_assignment: z
      .strictObject({
        strategy: z.enum(ASSIGNMENT_STRATEGIES).default('workload_balanced'),
        fallback_to_auto: bool().default(true),
        // How long a process may reuse the mentor directory it read (0: read it every time). Availability and
        // capacity are checked again by each start's transaction; see docs/assignment-and-config.md.
        directory_cache_seconds: z.coerce.number().int().min(0).max(300).default(5),
      })
      .default({ strategy: 'workload_balanced', fallback_to_auto: true, directory_cache_seconds: 5 }),
    audit: z
      .strictObject({
        retention_days: z.coerce.number().int().min(1).max(36_500).default(365),
        export_format: z.enum(['json', 'csv']).default('json'),
      })
      .default({ retention_days: 365, export_format: 'json' }),
    workflow_engine: WorkflowEngine().default(WorkflowEngine().parse({})),
    notifications: Notifications().default({ default_recipients: [], session_url_template: DEFAULT_SESSION_URL, max_attempts: 3 }),
    integration_events: IntegrationEvents().default(INTEGRATION_DEFAULTS()),
  }),
);

export type SessionManagementSettings = z.output<ReturnType<typeof SessionManagementSchema>>;

const HOUR = 3_600_000;

/** The settings the code reads: limits as counts, times in milliseconds. */
export interface Settings {
  readonly limits: LimitSettings;
  readonly timeouts: { readonly maxDurationMs: number; readonly pauseTimeoutMs: number; readonly queueTimeoutMs: number };
  /** The config of a session that names no template and overrides nothing. */
  readonly defaultConfig: SessionConfig;
  /** Config templates by id, in the file's order. */
  readonly templates: readonly ConfigTemplate[];
  readonly assignment: {
    readonly strategy: AssignmentStrategy;
    readonly fallbackToAuto: boolean;
    /** How long a process may reuse the mentor directory it read. */
    readonly directoryCacheMs: number;
  };
  /** How many queued sessions one drain starts at once. */
  readonly drainParallelism: number;
  /** Days a terminal session's data is kept (then DynamoDB TTL removes it); the export format when none is asked for. */
  readonly audit: { readonly retentionDays: number; readonly exportFormat: 'json' | 'csv' };
  /** Which workflow engine runs sessions, and how it is reached. */
  readonly engine: EngineSettings;
  /** Channels are on when configured: Slack with a webhook URL, email with a sender. */
  readonly notifications: NotificationSettings;
  /** Integration events out: the bus, and how webhooks are delivered. */
  readonly integrationEvents: IntegrationEventSettings;
  readonly raw: SessionManagementSettings;
}

export interface EngineSettings {
  readonly type: 'embedded' | 'elsa' | 'stepfunctions';
  /** Set when type is elsa. */
  readonly elsa?: {
    readonly baseUrl: string;
    readonly prefix: string;
    readonly definitionId: string;
    /** A secret: never log it. */
    readonly apiKey: string;
    readonly events: { readonly pause: string; readonly resume: string; readonly config: string };
    readonly timeoutMs: number;
    readonly retryAttempts: number;
  };
  /** Set when type is stepfunctions. */
  readonly stateMachineArn?: string;
  readonly reconcileBatchSize: number;
  readonly commandLeaseMs: number;
  readonly maxStartAttempts: number;
  readonly commandOverdueMs: number;
}

export interface NotificationSettings {
  /** A secret: never log it. */
  readonly slackWebhookUrl?: string;
  readonly emailFrom?: string;
  readonly defaultRecipients: readonly string[];
  /** The link in every notification; `{id}` is the session id. */
  readonly sessionUrlTemplate: string;
  readonly maxAttempts: number;
  /** Where undeliverable notifications go: this SQS queue, or (absent) the table. */
  readonly deadLetterQueueUrl?: string;
}

export interface IntegrationEventSettings {
  readonly bus: 'none' | 'log' | 'eventbridge';
  /** Set when bus is eventbridge. */
  readonly busName?: string;
  readonly maxAttempts: number;
  readonly deadLetterQueueUrl?: string;
  readonly webhookMaxAttempts: number;
  readonly webhookTimeoutMs: number;
  readonly webhookUrlPolicy: 'strict' | 'local';
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** The repository's settings file; SETTINGS_FILE overrides it. */
export const DEFAULT_SETTINGS_FILE = join(__dirname, '..', '..', 'config', 'settings.yaml');

/**
 * config/settings.yaml as parsed data, put in by the Lambda bundler
 * (infra/bundling.ts `define`): a bundle has no settings file next to it and
 * no YAML parser in it. Undefined outside a bundle (local server, tests).
 */
declare const __BUNDLED_SETTINGS__: unknown;

/**
 * The YAML parser, required only when text is parsed: Lambda bundles keep
 * `yaml` external and never reach this (they read the bundled document).
 */
function parseYaml(text: string): unknown {
  return (require('yaml') as typeof Yaml).parse(text);
}

/** Upper-case key path, nested keys joined by `__`: MAX_QUEUE_SIZE, MENTOR_ASSIGNMENT__STRATEGY. */
function applyEnvOverrides(block: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(block);
  const shape = SessionManagementSchema().shape as Record<string, z.ZodType>;
  for (const key of Object.keys(shape)) {
    if (key === 'config_templates') continue;
    const direct = env[key.toUpperCase()];
    if (direct !== undefined) result[key] = direct;
    for (const [name, value] of Object.entries(env)) {
      const prefix = `${key.toUpperCase()}__`;
      if (value === undefined || !name.startsWith(prefix)) continue;
      const nested = (typeof result[key] === 'object' && result[key] !== null ? result[key] : {}) as Record<string, unknown>;
      nested[name.slice(prefix.length).toLowerCase()] = value;
      result[key] = nested;
    }
  }
  return result;
}

export function parseSettings(yamlText: string, env: NodeJS.ProcessEnv = {}, source = 'settings'): Settings {
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (error) {
    throw new SettingsError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  return settingsFromDocument(document, env, source);
}

/** The settings of a parsed settings document (`{session_management: {...}}`) with the environment's overrides. */
export function settingsFromDocument(document: unknown, env: NodeJS.ProcessEnv = {}, source = 'settings'): Settings {
  const block = (document as { session_management?: unknown } | null)?.session_management ?? {};
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    throw new SettingsError(`${source}: session_management must be a mapping`);
  }
  const parsed = SessionManagementSchema().safeParse(applyEnvOverrides(block as Record<string, unknown>, env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  session_management.${issue.path.join('.')}: ${issue.message}`);
    throw new SettingsError(`Invalid settings in ${source} (or its environment overrides):\n${lines.join('\n')}`);
  }
  const raw = parsed.data;
  const defaultConfig: SessionConfig = {
    maxDurationHours: raw.max_session_duration_hours,
    checkInIntervalMinutes: raw.default_check_in_interval_minutes,
    escalationPolicy: raw.default_escalation_policy,
    notifications: DEFAULT_NOTIFICATIONS,
  };
  const templates: ConfigTemplate[] = raw.config_templates.map((t) => ({
    id: t.id,
    name: t.name,
    maxDurationHours: t.max_duration_hours,
    checkInIntervalMinutes: t.check_in_interval_minutes,
    escalationPolicy: t.escalation_policy,
  }));
  // Defaults and templates meet the same business rules as a session's own config.
  const broken = [
    ...configIssues(defaultConfig).map((issue) => `  session_management (defaults) ${issue.path}: ${issue.message}`),
    ...templates.flatMap((t, index) =>
      configIssues({ ...defaultConfig, ...t }).map((issue) => `  session_management.config_templates.${index} (${t.id}) ${issue.path}: ${issue.message}`),
    ),
  ];
  if (raw.integration_events.bus === 'eventbridge' && raw.integration_events.bus_name === undefined) {
    broken.push('  session_management.integration_events.bus_name: required when bus is eventbridge');
  }
  if (broken.length > 0) throw new SettingsError(`Invalid settings in ${source} (or its environment overrides):\n${broken.join('\n')}`);
  return {
    limits: {
      perJunior: raw.max_concurrent_sessions_per_junior,
      perMentor: raw.max_concurrent_sessions_per_mentor,
      system: raw.max_concurrent_sessions_system,
      queueSize: raw.max_queue_size,
    },
    timeouts: {
      maxDurationMs: raw.max_session_duration_hours * HOUR,
      pauseTimeoutMs: raw.pause_timeout_hours * HOUR,
      queueTimeoutMs: raw.queue_timeout_hours * HOUR,
    },
    defaultConfig,
    templates,
    assignment: {
      strategy: raw.mentor_assignment.strategy,
      fallbackToAuto: raw.mentor_assignment.fallback_to_auto,
      directoryCacheMs: raw.mentor_assignment.directory_cache_seconds * 1000,
    },
    drainParallelism: raw.queue_drain_parallelism,
    audit: { retentionDays: raw.audit.retention_days, exportFormat: raw.audit.export_format },
    engine: engineSettings(raw.workflow_engine),
    notifications: {
      ...(raw.notifications.slack_webhook_url !== undefined && { slackWebhookUrl: raw.notifications.slack_webhook_url }),
      ...(raw.notifications.email_from !== undefined && { emailFrom: raw.notifications.email_from }),
      defaultRecipients: raw.notifications.default_recipients,
      sessionUrlTemplate: raw.notifications.session_url_template,
      maxAttempts: raw.notifications.max_attempts,
      ...(raw.notifications.dead_letter_queue_url !== undefined && { deadLetterQueueUrl: raw.notifications.dead_letter_queue_url }),
    },
    integrationEvents: integrationEventSettings(raw.integration_events),
    raw,
  };
}

function integrationEventSettings(raw: SessionManagementSettings['integration_events']): IntegrationEventSettings {
  return {
    bus: raw.bus,
    ...(raw.bus_name !== undefined && { busName: raw.bus_name }),
    maxAttempts: raw.max_attempts,
    ...(raw.dead_letter_queue_url !== undefined && { deadLetterQueueUrl: raw.dead_letter_queue_url }),
    webhookMaxAttempts: raw.webhook_max_attempts,
    webhookTimeoutMs: raw.webhook_timeout_ms,
    webhookUrlPolicy: raw.webhook_url_policy,
  };
}

function engineSettings(raw: SessionManagementSettings['workflow_engine']): EngineSettings {
  return {
    type: raw.type,
    reconcileBatchSize: raw.reconcile_batch_size,
    commandLeaseMs: raw.command_lease_seconds * 1000,
    maxStartAttempts: raw.max_start_attempts,
    commandOverdueMs: raw.command_overdue_minutes * 60_000,
    ...(raw.type === 'elsa' && {
      elsa: {
        baseUrl: raw.elsa_base_url!,
        prefix: raw.elsa_prefix,
        definitionId: raw.elsa_definition_id,
        apiKey: raw.elsa_api_key!,
        events: { pause: raw.elsa_pause_event, resume: raw.elsa_resume_event, config: raw.elsa_config_event },
        timeoutMs: raw.elsa_timeout_ms,
        retryAttempts: raw.elsa_retry_attempts,
      },
    }),
    ...(raw.type === 'stepfunctions' && { stateMachineArn: raw.state_machine_arn! }),
  };
}

/** Where a bundle's settings came from, for messages. */
export const BUNDLED_SOURCE = 'config/settings.yaml (bundled)';

/**
 * Reads the settings file (SETTINGS_FILE or the repository's) and applies the
 * environment; in a Lambda bundle, the bundled copy of config/settings.yaml.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const bundled = typeof __BUNDLED_SETTINGS__ === 'undefined' ? undefined : __BUNDLED_SETTINGS__;
  if (bundled !== undefined) {
    // A bundle carries no YAML parser: single values are overridden through the environment.
    if (env.SETTINGS_FILE !== undefined) throw new SettingsError('SETTINGS_FILE is for local runs; a Lambda bundle carries config/settings.yaml.');
    return settingsFromDocument(bundled, env, BUNDLED_SOURCE);
  }
  const file = env.SETTINGS_FILE ?? DEFAULT_SETTINGS_FILE;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingsError(`Cannot read the settings file ${file}: ${(error as Error).message}`);
  }
  return parseSettings(text, env, file);
}
