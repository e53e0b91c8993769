/**
 * `npm start`: DynamoDB Local on disk under DATA_DIR, the table, a demo
 * directory (once), and the API on http://127.0.0.1:$PORT through the same
 * handlers Lambda runs. Ctrl-C or SIGTERM stops everything, Java included.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { join } from 'node:path';
import { ROUTES } from '../../functions/http/routes';
import { makeHandler as makeDrainQueue } from '../../functions/scheduled/drain-queue';
import { makeHandler as makeReconcileEngine } from '../../functions/scheduled/reconcile-engine';
import { localScheduledEvent } from '../../functions/scheduled/schedule-event';
import { makeHandler as makeSweepDue } from '../../functions/scheduled/sweep-due';
import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { createDynamoClients, localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { ensureTable } from '../../shared/adapters/dynamodb/ensure-table';
import { FileExportSink } from '../../shared/adapters/exports/file-export-sink';
import { composeApp } from '../../shared/compose';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { createLogger } from '../../shared/observability/logger';
import { loadSettings } from '../../shared/settings/settings';
import { CONSOLE_PATH } from '../console-csp';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { localJwt } from './jwt';
import { renderReferenceDocs } from './reference-docs';
import { seedDemoDirectoryOnce } from './seed';
import { DOCS_PATH, startLocalServer } from './server';
import { loadLocalSettings, localSessionEnv } from './settings';
import { startStreamPoller } from './stream-poller';

/** The built console (`npm start` builds it first when missing or stale: scripts/console-build.ts). */
const CONSOLE_DIST = join(__dirname, '..', '..', 'console', 'dist');

/** EventBridge fires the scheduled handlers every minute on AWS; locally a timer does. */
const SCHEDULE_MS = 60_000;

async function main() {
  const logger = createLogger('mentorship-local');
  const settings = loadLocalSettings();
  const sessionSettings = loadSettings(localSessionEnv());
  let dynamo: DynamoDbLocal | undefined;
  let closeServer: (() => Promise<void>) | undefined;
  const stopTimers: (() => void)[] = [];
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    for (const stop of stopTimers) stop();
    await closeServer?.().catch(() => undefined);
    await dynamo?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    dynamo = await startDynamoDbLocal({ dataDir: join(settings.dataDir, 'dynamodb'), ...(settings.DYNAMODB_PORT !== undefined && { port: settings.DYNAMODB_PORT }) });
    const clients = createDynamoClients(localDynamoConfig(dynamo.endpoint));
    const created = await ensureTable(clients.client, settings.TABLE_NAME);
    const deps = composeApp({
      tableName: settings.TABLE_NAME,
      dynamo: clients,
      logger,
      settings: sessionSettings,
      exportSink: new FileExportSink(join(settings.dataDir, 'exports')),
    });
    const seeded = await seedDemoDirectoryOnce(clients.document, settings.TABLE_NAME, new DynamoDirectoryStore(clients.document, settings.TABLE_NAME));
    const jwt = await localJwt(settings.dataDir);
    const referenceDocs = () => renderReferenceDocs(buildOpenApiDocument(Object.values(ROUTES)));
    const server = await startLocalServer({ deps, jwt, port: settings.PORT, accessLog: true, referenceDocs, consoleDir: CONSOLE_DIST });
    closeServer = server.close;

    // The boot pass: what the previous process left half done (it may have been killed). The queue drains at
    // once (not on the next minute's timer), then every pending engine command is driven, leases or not: the
    // requests that held them died with that process.
    void (async () => {
      const drained = await deps.sessions.drainQueue();
      const commands = await deps.sessions.driveEngineCommands({ all: true });
      const migration = await deps.ports.migration.migrate();
      logger.info('boot pass', {
        migrated: migration.rewritten,
        migrationDone: migration.done,
        started: drained.started.length,
        commandsPending: commands.pending,
        commandsConfirmed: commands.confirmed.length,
        startsFailed: commands.failed.length,
      });
    })().catch((error: unknown) => logger.error('boot pass failed', { error }));

    // The same scheduled and stream handlers Lambda runs, driven locally.
    const drain = makeDrainQueue(deps);
    const sweep = makeSweepDue(deps);
    const reconcile = makeReconcileEngine(deps);
    const every = (name: string, run: () => Promise<unknown>) => {
      const timer = setInterval(() => run().catch((error: unknown) => logger.error(`${name} failed`, { error })), SCHEDULE_MS);
      stopTimers.push(() => clearInterval(timer));
    };
    every('sweeper', () => sweep(localScheduledEvent()));
    every('queue drain', () => drain(localScheduledEvent()));
    every('engine reconciliation', () => reconcile(localScheduledEvent()));
    const poller = await startStreamPoller({
      client: clients.client,
      endpoint: dynamo.endpoint,
      tableName: settings.TABLE_NAME,
      onBatch: makeTableStream(deps),
      logger,
      positionFile: join(settings.dataDir, 'stream-position.json'),
    });
    stopTimers.push(poller.stop);

    logger.info('ready', {
      url: server.url,
      health: `${server.url}/health`,
      docs: `${server.url}${DOCS_PATH}`,
      console: `${server.url}${CONSOLE_PATH}`,
      dynamodb: dynamo.endpoint,
      table: settings.TABLE_NAME,
      engine: deps.engine.name,
      tableCreated: created,
      demoDirectorySeeded: seeded,
      dataDir: settings.dataDir,
      // SIGTERM this pid to stop: `kill` of a backgrounded `npm start` ends npm's shell, not this process.
      pid: process.pid,
      token: `DATA_DIR=${settings.dataDir} npm run token -- --role coordinator --sub alice`,
    });
  } catch (error) {
    logger.error('start-up failed', { error });
    await dynamo?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
