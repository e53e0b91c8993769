import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { createDynamoClients, type DynamoClients } from './adapters/dynamodb/client';
import { DirectoryCache } from './adapters/dynamodb/directory-cache';
import { DynamoDirectoryStore } from './adapters/dynamodb/dynamo-directory-store';
import { dynamoStorePorts } from './adapters/dynamodb/dynamo-store';
import { engineFromSettings } from './adapters/engine-from-settings';
import { uuidV7Ids } from './adapters/ids/uuid-v7';
import { MeteredWorkflowEngine } from './adapters/metered-engine';
import { composedEntry, type LambdaHandler } from './lambda-entry';
import { createLogger, type Logger } from './observability/logger';
import { recordCommitted } from './observability/session-metrics';
import { type Clock, type IdGenerator, systemClock } from './ports/clock';
import type { DirectoryStore } from './ports/directory-store';
import type { ExportSink } from './ports/export-sink';
import { type Metrics, NO_METRICS } from './ports/metrics';
import type { DeadLetters, Notifier } from './ports/notifier';
import type { StorePorts } from './ports/store';
import type { WorkflowEngine } from './ports/workflow-engine';
import { AssignmentService } from './services/assignment-service';
import { ConfigService } from './services/config-service';
import { DirectoryService } from './services/directory-service';
import { HistoryService } from './services/history-service';
import { CursorCodec } from './services/list-cursor';
import { MentorMoves } from './services/mentor-moves';
import { SessionService } from './services/session-service';
import { loadSettings, type Settings } from './settings/settings';

/**
 * What every handler gets, built once per cold start (or once per local
 * server / test). Exports, notifications and reconciliation are composed on
 * top of it by the few handlers that use them (compose-extras.ts), so the
 * other functions' bundles carry none of their code.
 */
export interface CoreDeps {
  readonly sessions: SessionService;
  readonly assignments: AssignmentService;
  readonly configs: ConfigService;
  readonly directory: DirectoryService;
  /** The directory's store as the services use it (a mentor written through it is read again by this process's next start). */
  readonly directoryStore: DirectoryStore;
  readonly history: HistoryService;
  /** The session store's ports (repository, indexes, usage, history, retention, reconciliation cursor). */
  readonly ports: StorePorts;
  readonly engine: WorkflowEngine;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly settings: Settings;
  /** The table the extras' adapters use too. */
  readonly table: { readonly dynamo: DynamoClients; readonly tableName: string };
}

export interface ComposeOptions {
  readonly tableName: string;
  readonly dynamo: DynamoClients;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Defaults to the engine settings choose (`workflow_engine.type`; embedded on the same table unless set). */
  readonly engine?: WorkflowEngine;
  readonly logger?: Logger;
  /** Defaults to none (Lambda: Powertools EMF). Status changes and engine failures are counted at the store and engine edges. */
  readonly metrics?: Metrics;
  /** Defaults to config/settings.yaml with the environment's overrides. */
  readonly settings?: Settings;
  /** Where export jobs write their files. Defaults to `<tmpdir>/mentorship-exports`. */
  readonly exportSink?: ExportSink;
  /** A running export job records its row count every this many rows (default 1000; tests lower it to watch progress). */
  readonly exportProgressEveryRows?: number;
  /** Signs list cursors (>= 32 bytes). Without one, a random key: cursors then hold only within this process. */
  readonly cursorKey?: string;
  /** Notification channels. Defaults to what settings configure (Slack with a webhook URL, SES with a sender); none otherwise. */
  readonly notifiers?: readonly Notifier[];
  /** Defaults to the SQS queue settings name, else the table. */
  readonly deadLetters?: DeadLetters;
  /** The link in notifications. Defaults to settings' `session_url_template`. */
  readonly sessionUrl?: (sessionId: string) => string;
}

/** Session ids: time-ordered UUIDs (v7), so same-millisecond arrivals keep their order in the queue. */
export const uuidIds: IdGenerator = uuidV7Ids;

/** The core of the one composition root (compose.ts adds the extras for tests and the local server). */
export function composeCore(options: ComposeOptions): CoreDeps {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger('mentorship-sessions');
  const settings = options.settings ?? loadSettings();
  const metrics = options.metrics ?? NO_METRICS;
  const directoryCache = new DirectoryCache(settings.assignment.directoryCacheMs);
  const ports = dynamoStorePorts(options.dynamo.document, options.tableName, {
    retentionDays: settings.audit.retentionDays,
    onCommitted: (change) => recordCommitted(metrics, change.events),
    directoryCache,
  });
  const engine = new MeteredWorkflowEngine(
    options.engine ?? engineFromSettings(settings.engine, { db: options.dynamo.document, tableName: options.tableName, clock }),
    metrics,
  );
  const onBackgroundError = (message: string, error: unknown) => logger.error(message, { error });
  const directoryStore = new DynamoDirectoryStore(options.dynamo.document, options.tableName, directoryCache);
  // Built in dependency order: mentor moves serve the reassignment wait list before each drain;
  // the other services settle deadlines and drain through the session service.
  const moves = new MentorMoves({ ...ports, clock, settings });
  const sessions = new SessionService({
    ...ports,
    engine,
    clock,
    ids: options.ids ?? uuidIds,
    settings,
    onBackgroundError,
    beforeDrain: () => moves.serveAwaiting(),
  });
  const settle = sessions.settleDeadline.bind(sessions);
  const assignments = new AssignmentService({ ...ports, moves, directory: directoryStore, clock, settings, settle, drain: () => sessions.drainQueue() });
  const configs = new ConfigService({ sessions: ports.sessions, engine, clock, settings, settle, onBackgroundError });
  const directory = new DirectoryService(directoryStore);
  const history = new HistoryService({
    ...ports,
    clock,
    settings,
    settle,
    details: (id, caller) => sessions.getSessionDetails(id, caller),
    cursors: new CursorCodec(options.cursorKey),
  });
  return {
    sessions,
    assignments,
    configs,
    directory,
    directoryStore,
    history,
    ports,
    engine,
    logger,
    metrics,
    clock,
    settings,
    table: { dynamo: options.dynamo, tableName: options.tableName },
  };
}

const LambdaEnvironment = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'),
  CURSOR_SIGNING_KEY: z.string().min(32, 'CURSOR_SIGNING_KEY must be at least 32 characters').optional(),
});

/**
 * Lambda's composition: configuration from the environment (with the secrets
 * already read into it, see lambdaEntry), validated at cold start.
 */
export function composeFromEnvironment(env: NodeJS.ProcessEnv = process.env, observability: { logger?: Logger; metrics?: Metrics } = {}): CoreDeps {
  const parsed = LambdaEnvironment.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return composeCore({
    tableName: parsed.data.TABLE_NAME,
    dynamo: createDynamoClients(),
    settings: loadSettings(env),
    ...observability,
    ...(parsed.data.CURSOR_SIGNING_KEY !== undefined && { cursorKey: parsed.data.CURSOR_SIGNING_KEY }),
  });
}

/**
 * The Lambda export of a handler of the core (see lambda-entry.ts): composes
 * from the environment once per cold start, with Powertools logging and metrics.
 */
export function lambdaEntry<E = APIGatewayProxyEventV2, R = APIGatewayProxyStructuredResultV2>(
  make: (deps: CoreDeps) => LambdaHandler<E, R>,
  env?: NodeJS.ProcessEnv,
): LambdaHandler<E, R>;
/** A function that needs more than the core: `extend` adds it (compose-extras.ts). */
export function lambdaEntry<E, R, D extends CoreDeps>(make: (deps: D) => LambdaHandler<E, R>, env: NodeJS.ProcessEnv, extend: (core: CoreDeps) => D): LambdaHandler<E, R>;
export function lambdaEntry<E, R, D extends CoreDeps>(
  make: (deps: D) => LambdaHandler<E, R>,
  env: NodeJS.ProcessEnv = process.env,
  extend?: (core: CoreDeps) => D,
): LambdaHandler<E, R> {
  return composedEntry(
    (environment, observability) => {
      const core = composeFromEnvironment(environment, observability);
      // Without `extend` the overloads allow only handlers of the core.
      return extend === undefined ? (core as D) : extend(core);
    },
    make,
    env,
  );
}
