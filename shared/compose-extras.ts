import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDeliveryLog } from './adapters/dynamodb/dynamo-delivery-log';
import { DynamoExportJobStore } from './adapters/dynamodb/dynamo-export-job-store';
import { FileExportSink } from './adapters/exports/file-export-sink';
import { S3ExportSink } from './adapters/exports/s3-export-sink';
import { deadLettersFromSettings, notifiersFromSettings, sessionUrlFrom } from './adapters/notify/from-settings';
import type { ComposeOptions, CoreDeps } from './compose-core';
import { SESSION_EXPORT_COLUMNS, toSessionExportRow } from './http/presenters';
import { type ExportRows, ExportService } from './services/export-service';
import { NotificationService } from './services/notification-service';
import { ReconciliationService } from './services/reconciliation-service';

/**
 * The services only some functions use, composed on top of the core: the
 * export routes and the stream (exports), the stream (notifications), the
 * reconciliation schedule. A function's bundle holds only what it imports.
 */
export interface Extras {
  readonly exports: ExportService;
  readonly notifications: NotificationService;
  readonly reconciliation: ReconciliationService;
}

type Options = Partial<Pick<ComposeOptions, 'exportSink' | 'exportProgressEveryRows' | 'notifiers' | 'deadLetters' | 'sessionUrl'>>;

/** Who asks for a queued session's wait estimate when notifying (the service role may read any session). */
const NOTIFIER_CALLER = { id: 'notifications', roles: ['service'] } as const;

export function withExports<D extends CoreDeps>(core: D, options: Options = {}): D & Pick<Extras, 'exports'> {
  const { dynamo, tableName } = core.table;
  const exports = new ExportService({
    history: core.history,
    jobs: new DynamoExportJobStore(dynamo.document, tableName),
    sink: options.exportSink ?? defaultExportSink(),
    clock: core.clock,
    defaultFormat: core.settings.audit.exportFormat,
    rows: { toRow: toSessionExportRow, columns: SESSION_EXPORT_COLUMNS } as ExportRows,
    logger: core.logger,
    ...(options.exportProgressEveryRows !== undefined && { progressEveryRows: options.exportProgressEveryRows }),
  });
  return { ...core, exports };
}

/** In AWS the stack's export bucket (EXPORT_BUCKET); elsewhere files under the temp directory. */
function defaultExportSink() {
  const bucket = process.env.EXPORT_BUCKET;
  return bucket !== undefined && bucket !== '' ? new S3ExportSink({ bucket }) : new FileExportSink(join(tmpdir(), 'mentorship-exports'));
}

export function withNotifications<D extends CoreDeps>(core: D, options: Options = {}): D & Pick<Extras, 'notifications'> {
  const { dynamo, tableName } = core.table;
  const settings = core.settings.notifications;
  const notifications = new NotificationService({
    sessions: core.ports.sessions,
    notifiers: options.notifiers ?? notifiersFromSettings(settings),
    deliveries: new DynamoDeliveryLog(dynamo.document, tableName),
    deadLetters: options.deadLetters ?? deadLettersFromSettings(settings, dynamo.document, tableName),
    clock: core.clock,
    sessionUrl: options.sessionUrl ?? sessionUrlFrom(settings.sessionUrlTemplate),
    defaultRecipients: settings.defaultRecipients,
    maxAttempts: settings.maxAttempts,
    estimate: async (id) => (await core.sessions.getQueuePosition(id, NOTIFIER_CALLER)).estimatedWaitMinutes ?? undefined,
    logger: core.logger,
  });
  return { ...core, notifications };
}

export function withReconciliation<D extends CoreDeps>(core: D): D & Pick<Extras, 'reconciliation'> {
  const reconciliation = new ReconciliationService({
    sessions: core.ports.sessions,
    indexes: core.ports.indexes,
    cursor: core.ports.reconcileCursor,
    engine: core.engine,
    clock: core.clock,
    batchSize: core.settings.engine.reconcileBatchSize,
    onSlotsReleased: () => core.sessions.drainQueue(),
  });
  return { ...core, reconciliation };
}

/** Everything: the core and every extra (tests, the local server, the bench). */
export function withExtras(core: CoreDeps, options: Options = {}): CoreDeps & Extras {
  return withReconciliation(withNotifications(withExports(core, options), options));
}
