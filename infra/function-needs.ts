/**
 * What each Lambda function may do, as data: the service stack grants exactly
 * this and `test/infra/service-stack.test.ts` checks each role against it.
 * Derived by reading each function's code path (handler -> service -> store /
 * engine / notifier); the `why` of each entry says which path needs what.
 *
 * Two facts of the code shape most entries:
 * - Any read of a session applies an overdue timeout first (SessionService.
 *   settleDeadline): a commit (one TransactWriteItems of Put/Update/
 *   ConditionCheck/Delete: listing items a session leaves are deleted), the
 *   engine instance cancelled, and the released slots drain the queue (the
 *   `queue` index; a drained session starts an engine instance).
 * - Engine calls become IAM actions by engine (`engineActions`): Step
 *   Functions calls, table item writes for the embedded engine, the API key
 *   secret for Elsa.
 */
import type { IndexName } from '../shared/adapters/dynamodb/table-definition';

export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'TransactWriteItems';
export type { IndexName };
/** The WorkflowEngine port's calls a path makes. */
export type EngineCall = 'start' | 'find' | 'suspend' | 'resume' | 'cancel' | 'status' | 'updateConfig';
export type EngineType = 'embedded' | 'elsa' | 'stepfunctions';

export interface FunctionNeeds {
  /** Item actions on the table itself (Query here = on the base table). */
  readonly table: readonly TableAction[];
  /** Indexes it Queries (granted dynamodb:Query on exactly these index ARNs). */
  readonly indexes: readonly IndexName[];
  readonly engine: readonly EngineCall[];
  /** ses:SendEmail from the sender identity (notifications). */
  readonly sendEmail?: boolean;
  /** sqs:SendMessage to the notification dead-letter queue. */
  readonly notificationDeadLetters?: boolean;
  /** s3:PutObject under `exports/` in the export bucket (export jobs). */
  readonly exportBucket?: boolean;
  /** s3:GetObject under `exports/` in the export bucket: signs download URLs (the URL acts with this role's rights). */
  readonly exportDownload?: boolean;
  /** Reads the Slack webhook URL secret (when Slack is enabled). */
  readonly slackWebhook?: boolean;
  /** Reads the list cursor signing key secret. */
  readonly cursorKey?: boolean;
  /** events:PutEvents on the integration event bus. */
  readonly integrationBus?: boolean;
  /** sqs:SendMessage to the integration event dead-letter queue. */
  readonly integrationDeadLetters?: boolean;
  /** The table stream's event source (stream read + the failure queue). */
  readonly tableStream?: boolean;
  /** Composes its own dependencies without settings (so it never needs the Elsa API key). */
  readonly ownComposition?: boolean;
  /** Answers its own Step Functions task (states:SendTaskSuccess; the state machine construct grants it). */
  readonly taskResponse?: boolean;
  readonly why: string;
}

const READ: readonly TableAction[] = ['GetItem', 'BatchGetItem', 'Query'];
const COMMIT: readonly TableAction[] = ['TransactWriteItems', 'PutItem', 'UpdateItem', 'ConditionCheckItem', 'DeleteItem'];
const NONE = { table: [], indexes: [], engine: [] } as const;
/**
 * Settling an overdue session (see the module comment): commit, stop the instance (a stop with no instance id looks
 * it up by correlation id; a failed cancel asks the status), drain (which starts queued sessions, suspended when paused).
 */
const SETTLE = { table: [...READ, ...COMMIT], indexes: ['queue'], engine: ['start', 'find', 'suspend', 'cancel', 'status'] } as const satisfies Omit<
  FunctionNeeds,
  'why'
>;
const LIST_INDEXES: readonly IndexName[] = ['list-created', 'list-completed', 'list-duration'];

function merge(base: Omit<FunctionNeeds, 'why'>, extra: Partial<FunctionNeeds> & { why: string }): FunctionNeeds {
  return {
    ...base,
    ...extra,
    table: [...new Set([...base.table, ...(extra.table ?? [])])],
    indexes: [...new Set([...base.indexes, ...(extra.indexes ?? [])])],
    engine: [...new Set([...base.engine, ...(extra.engine ?? [])])],
  };
}

/** Per function: HTTP functions by their route's `entry`, then the scheduled, stream and engine functions. */
export const FUNCTION_NEEDS = {
  health: merge(NONE, { why: 'Answers a constant; no AWS call.' }),
  'get-openapi': merge(NONE, { why: 'Serves the document built from the route table; no AWS call.' }),
  'list-config-templates': merge(NONE, { why: 'Templates come from settings; no AWS call.' }),
  'get-junior': merge(NONE, { table: ['GetItem'], why: 'DirectoryStore.get.' }),
  'get-story': merge(NONE, { table: ['GetItem'], why: 'DirectoryStore.get.' }),
  'list-juniors': merge(NONE, { table: ['Query'], why: 'DirectoryStore.list: a Query on the directory partition.' }),
  'list-stories': merge(NONE, { table: ['Query'], why: 'DirectoryStore.list: a Query on the directory partition.' }),
  'put-junior': merge(NONE, { table: ['PutItem'], why: 'DirectoryStore.put.' }),
  'put-story': merge(NONE, { table: ['PutItem'], why: 'DirectoryStore.put.' }),
  'get-mentor': merge(NONE, { table: ['GetItem', 'BatchGetItem'], why: 'DirectoryStore.get, then the mentor counters (readMentorUsage, BatchGet).' }),
  'list-mentors': merge(NONE, { table: ['Query', 'BatchGetItem'], why: 'DirectoryStore.list, then the mentor counters (BatchGet).' }),
  'put-mentor': merge(SETTLE, {
    indexes: ['open'],
    why: 'DirectoryStore.put; an unavailable mentor moves their open sessions (open index, commits), an available one drains the queue.',
  }),
  'get-mentor-workload': merge(NONE, {
    table: ['GetItem', 'BatchGetItem', 'Query'],
    indexes: ['open', 'queue'],
    why: 'The mentor (GetItem), open sessions (open index), their counter (BatchGet), queued sessions that asked for them (queue index, BatchGet).',
  }),
  'get-mentor-history': merge(NONE, { table: ['Query'], why: "The session's partition in one Query (getSessionWithEvents); no settle." }),
  'get-session': merge(SETTLE, { why: 'getSessionDetails (Query on the partition), settling an overdue session.' }),
  'list-session-events': merge(SETTLE, { why: 'getSessionDetails, settling an overdue session.' }),
  'get-session-timeline': merge(SETTLE, { why: 'getSessionDetails, settling an overdue session.' }),
  'compare-sessions': merge(SETTLE, { why: 'getSessionDetails of both, settling overdue ones.' }),
  'get-session-config': merge(SETTLE, { why: 'getSession, settling an overdue session.' }),
  'get-queue-position': merge(SETTLE, { indexes: ['open'], why: 'getSession, settle, then the position: queue index, open sessions (open index), duration stats.' }),
  'get-queue-status': merge(NONE, {
    table: ['GetItem', 'BatchGetItem'],
    indexes: ['open'],
    why: 'Counters (BatchGet), open sessions (open index), duration stats (GetItem); no writes.',
  }),
  'get-retention-report': merge(NONE, { indexes: ['due'], why: 'countExpiring: two COUNT Queries on the due index (EXPIRY partition).' }),
  'list-sessions': merge(SETTLE, {
    indexes: [...LIST_INDEXES, 'open', 'due'],
    cursorKey: true,
    why: 'listSessions: the list indexes for ended and live sessions (BatchGet of the sessions, counters), the due index for overdue ones, settling them; the marker item (GetItem) and, until it exists, the queue and open indexes for live ones; signs cursors.',
  }),
  'export-sessions': merge(SETTLE, {
    indexes: [...LIST_INDEXES, 'open', 'due'],
    why: 'sessionsFor: settles what is overdue first (due index), then pages listSessions like list-sessions.',
  }),
  'create-export-job': merge(NONE, { table: ['PutItem'], why: 'ExportJobStore.create; the stream runs the job.' }),
  'get-export-job': merge(NONE, { table: ['GetItem'], why: 'ExportJobStore.get.' }),
  'download-export-job': merge(NONE, {
    table: ['GetItem'],
    exportDownload: true,
    why: 'ExportJobStore.get; presigns a GetObject URL for the file (the URL carries this role, so it needs s3:GetObject).',
  }),
  'retry-export-job': merge(NONE, { table: ['GetItem', 'UpdateItem', 'PutItem'], why: 'ExportJobStore.get, markRetried, create (the stream runs the new job).' }),
  'redrive-session-engine': merge(SETTLE, {
    engine: ['resume'],
    why: "getSession, commit the command's claim, drive it (start or adopt by correlation id, suspend, resume, stop), record the outcome; released slots drain.",
  }),
  'set-session-hold': merge(SETTLE, { why: 'getSession, settle, commit the hold (moves the TTL and listing items).' }),
  'pause-session': merge(SETTLE, { engine: ['resume'], why: 'A lifecycle change: commit, then suspend; a failed suspend is reverted (resume).' }),
  'resume-session': merge(SETTLE, {
    engine: ['resume'],
    why: 'A lifecycle change: commit, then resume the instance (Step Functions: take the held token, SendTaskSuccess).',
  }),
  'cancel-session': merge(SETTLE, { why: 'A lifecycle change: commit, cancel the instance, drain the released slots.' }),
  'complete-session': merge(SETTLE, { why: "A lifecycle change: commit, stop the instance (a coordinator's; not the engine's own report), drain the released slots." }),
  'fail-session': merge(SETTLE, { why: "A lifecycle change: commit, stop the instance (a coordinator's; not the engine's own report), drain the released slots." }),
  'record-workflow-event': merge(SETTLE, { why: 'getSession, settle, commit the event (and its external-id item).' }),
  'start-session': merge(SETTLE, {
    indexes: ['open'],
    why: 'loadStartContext (BatchGet, mentor directory Query), commit, engine start (a failure fails the session and drains); a queued start reads its position (open index).',
  }),
  'update-session-config': merge(SETTLE, { engine: ['updateConfig'], why: 'getSession, settle, commit, tell the engine (a failure is reverted).' }),
  'reassign-mentor': merge(SETTLE, { why: 'getSession, settle, the new mentor (GetItem), commit both counters.' }),
  'sweep-due': merge(SETTLE, { indexes: ['due'], why: 'listDue (due index), times out (commit, cancel) and records missed check-ins (commit), then drains.' }),
  'drain-queue': merge(SETTLE, { why: 'drainQueue: sessions waiting for a mentor, then the queue (queue index), starting instances.' }),
  'reconcile-engine': merge(SETTLE, {
    indexes: ['open'],
    engine: ['status', 'resume'],
    why: 'Engine-sync and open sessions (open index), the cursor item (GetItem/PutItem), engine status/cancel, commits; then the engine commands due (open index, filtered): claim, drive (start or adopt, suspend, resume, stop), record; released slots drain. Then the store migration: the marker (GetItem, PutItem), live sessions without list keys (open and queue indexes, filtered), a conditional UpdateItem each.',
  }),
  'table-stream': merge(SETTLE, {
    indexes: [...LIST_INDEXES, 'open', 'due'],
    sendEmail: true,
    notificationDeadLetters: true,
    exportBucket: true,
    slackWebhook: true,
    tableStream: true,
    integrationBus: true,
    integrationDeadLetters: true,
    why: 'Integration events: the session with its log (Query), the publish log (BatchGet, PutItem), events:PutEvents on the bus, the SQS dead letters; webhook subscriptions (Query, GetItem) and delivery records (GetItem, PutItem). applyExpiry (Query, UpdateItem), forgetExpiredListing (UpdateItem), export jobs (job item, sessionsFor like export-sessions, the S3 file), notifications (session, delivery log, SES, Slack, the SQS dead letters; a queued wait estimate settles and reads the open index), drains.',
  }),
  'create-webhook': merge(NONE, {
    table: ['Query', 'PutItem'],
    why: 'WebhookSubscriptions.list (the WEBHOOKS partition, for the limit) and create; resolves the host (DNS, no AWS call).',
  }),
  'list-webhooks': merge(NONE, { table: ['Query'], why: 'WebhookSubscriptions.list: a Query on the WEBHOOKS partition.' }),
  'update-webhook': merge(NONE, { table: ['UpdateItem'], why: 'WebhookSubscriptions.setPaused: one conditional UpdateItem.' }),
  'delete-webhook': merge(NONE, { table: ['DeleteItem'], why: 'WebhookSubscriptions.delete.' }),
  'list-webhook-deliveries': merge(NONE, { table: ['GetItem', 'Query'], why: "The subscription (GetItem), then a Query on its deliveries' partition." }),
  checkpoint: merge(NONE, {
    table: ['TransactWriteItems', 'ConditionCheckItem', 'PutItem'],
    taskResponse: true,
    ownComposition: true,
    why: 'DynamoTaskTokens.holdIfPaused: one transaction (ConditionCheck the session is Paused, Put the token); else SendTaskSuccess.',
  }),
} as const satisfies Record<string, FunctionNeeds>;

export type FunctionName = keyof typeof FUNCTION_NEEDS;

/**
 * The IAM actions an engine call costs, per engine. With Elsa, settings require
 * the API key wherever the app is composed, so every such function reads its
 * secret at cold start, calls or not (`composesApp`).
 */
export function engineActions(engine: EngineType, calls: readonly EngineCall[], composesApp = true): { table: TableAction[]; states: string[]; elsaSecret: boolean } {
  const table = new Set<TableAction>();
  const states = new Set<string>();
  for (const call of calls) {
    if (engine === 'embedded') {
      // Instances are WORKFLOW# items: start puts one, status reads it, every other call updates it.
      table.add(call === 'start' ? 'PutItem' : call === 'status' || call === 'find' ? 'GetItem' : 'UpdateItem');
    } else if (engine === 'stepfunctions') {
      // A retried start (ExecutionAlreadyExists) checks the existing execution with DescribeExecution.
      if (call === 'start') states.add('states:StartExecution').add('states:DescribeExecution');
      // A failed StopExecution is checked with DescribeExecution (already ended is fine).
      if (call === 'cancel') states.add('states:StopExecution').add('states:DescribeExecution');
      if (call === 'status' || call === 'find') states.add('states:DescribeExecution');
      if (call === 'resume') {
        // The held token is taken (DeleteItem), sent back, and restored (PutItem) when the send fails.
        states.add('states:SendTaskSuccess');
        table.add('DeleteItem').add('PutItem');
      }
    }
  }
  return { table: [...table], states: [...states], elsaSecret: engine === 'elsa' && composesApp };
}

/** Every IAM action a function's role holds (besides writing its own logs), sorted: what the test compares with the template. */
export function expectedActions(needs: FunctionNeeds, options: { engine: EngineType; emailFrom?: string; slackEnabled: boolean }): string[] {
  const engine = engineActions(options.engine, needs.engine, needs.ownComposition !== true);
  const actions = new Set<string>([...needs.table, ...engine.table].map((action) => `dynamodb:${action}`));
  if (needs.indexes.length > 0) actions.add('dynamodb:Query');
  for (const action of engine.states) actions.add(action);
  if (needs.taskResponse && options.engine === 'stepfunctions') actions.add('states:SendTaskSuccess');
  if (engine.elsaSecret || (needs.slackWebhook && options.slackEnabled) || needs.cursorKey) {
    actions.add('secretsmanager:GetSecretValue').add('secretsmanager:DescribeSecret');
  }
  if (needs.sendEmail && options.emailFrom !== undefined) actions.add('ses:SendEmail');
  if (needs.notificationDeadLetters || needs.integrationDeadLetters) actions.add('sqs:SendMessage');
  if (needs.integrationBus) actions.add('events:PutEvents');
  if (needs.exportBucket) actions.add('s3:PutObject').add('s3:AbortMultipartUpload');
  if (needs.exportDownload) actions.add('s3:GetObject');
  if (needs.tableStream) {
    for (const action of ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']) actions.add(action);
    for (const action of ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']) actions.add(action);
  }
  return [...actions].sort();
}
