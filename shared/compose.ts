import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { createDynamoClients, type DynamoClients } from './adapters/dynamodb/client';
import { DynamoDirectoryStore } from './adapters/dynamodb/dynamo-directory-store';
import { DynamoSessionStore } from './adapters/dynamodb/dynamo-session-store';
import { EmbeddedWorkflowEngine } from './adapters/embedded-engine/embedded-workflow-engine';
import { uuidV7Ids } from './adapters/ids/uuid-v7';
import { createLogger, type Logger } from './observability/logger';
import { systemClock, type Clock, type IdGenerator } from './ports/clock';
import type { SessionStore } from './ports/session-store';
import type { Session } from './domain/session';
import type { WorkflowEngine } from './ports/workflow-engine';
import { AssignmentService } from './services/assignment-service';
import { ConfigService } from './services/config-service';
import { DirectoryService } from './services/directory-service';
import { SessionService } from './services/session-service';
import { loadSettings, type Settings } from './settings/settings';

/** Everything a handler needs, built once per cold start (or once per local server / test). */
export interface AppDeps {
  readonly sessions: SessionService;
  readonly assignments: AssignmentService;
  readonly configs: ConfigService;
  readonly directory: DirectoryService;
  readonly store: SessionStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly settings: Settings;
}

export interface ComposeOptions {
  readonly tableName: string;
  readonly dynamo: DynamoClients;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Defaults to the embedded engine on the same table. */
  readonly engine?: WorkflowEngine;
  readonly logger?: Logger;
  /** Defaults to config/settings.yaml with the environment's overrides. */
  readonly settings?: Settings;
}

/** Session ids: time-ordered UUIDs (v7), so same-millisecond arrivals keep their order in the queue. */
export const uuidIds: IdGenerator = uuidV7Ids;

/** The one composition root: tests and the local server pass overrides. */
export function composeApp(options: ComposeOptions): AppDeps {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger('mentorship-sessions');
  const store = new DynamoSessionStore(options.dynamo.document, options.tableName);
  const engine = options.engine ?? new EmbeddedWorkflowEngine(options.dynamo.document, options.tableName, clock);
  const settings = options.settings ?? loadSettings();
  const onBackgroundError = (message: string, error: unknown) => logger.error(message, { error });
  const directoryStore = new DynamoDirectoryStore(options.dynamo.document, options.tableName);
  // Sessions and assignments call each other (a drain serves the reassignment wait list
  // first; a reassignment applies an overdue timeout first): the late-bound closures tie them.
  let sessions: SessionService | undefined;
  const settle = (session: Session) => sessions!.settleDeadline(session);
  const assignments = new AssignmentService({ store, directory: directoryStore, clock, settings, settle, drain: () => sessions!.drainQueue() });
  sessions = new SessionService({
    store,
    engine,
    clock,
    ids: options.ids ?? uuidIds,
    settings,
    onBackgroundError,
    beforeDrain: () => assignments.serveAwaiting(),
  });
  const configs = new ConfigService({ store, engine, clock, settings, settle, onBackgroundError });
  const directory = new DirectoryService(directoryStore);
  return { sessions, assignments, configs, directory, store, logger, clock, settings };
}

const LambdaEnvironment = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'),
});

/** Lambda's composition: configuration from the environment, validated at cold start. */
export function composeFromEnvironment(env: NodeJS.ProcessEnv = process.env): AppDeps {
  const parsed = LambdaEnvironment.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return composeApp({ tableName: parsed.data.TABLE_NAME, dynamo: createDynamoClients() });
}

type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** The Lambda export of a handler: composes on first invocation, then reuses. */
export function lambdaEntry<E = APIGatewayProxyEventV2, R = APIGatewayProxyStructuredResultV2>(
  make: (deps: AppDeps) => LambdaHandler<E, R>,
): LambdaHandler<E, R> {
  let built: LambdaHandler<E, R> | undefined;
  return (event, context) => {
    built ??= make(composeFromEnvironment());
    return built(event, context);
  };
}
