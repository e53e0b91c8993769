/**
 * `npm start`: DynamoDB Local on disk under DATA_DIR, the table, a demo
 * directory (once), and the API on http://127.0.0.1:$PORT through the same
 * handlers Lambda runs. Ctrl-C or SIGTERM stops everything, Java included.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { join } from 'node:path';
import { createDynamoClients, localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { ensureTable } from '../../shared/adapters/dynamodb/ensure-table';
import { composeApp } from '../../shared/compose';
import { createLogger } from '../../shared/observability/logger';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { localJwt } from './jwt';
import { seedDemoDirectoryOnce } from './seed';
import { startLocalServer } from './server';
import { loadLocalSettings } from './settings';

async function main() {
  const logger = createLogger('mentorship-local');
  const settings = loadLocalSettings();
  let dynamo: DynamoDbLocal | undefined;
  let closeServer: (() => Promise<void>) | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
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
    const deps = composeApp({ tableName: settings.TABLE_NAME, dynamo: clients, logger });
    const seeded = await seedDemoDirectoryOnce(clients.document, settings.TABLE_NAME, new DynamoDirectoryStore(clients.document, settings.TABLE_NAME));
    const jwt = await localJwt(settings.dataDir);
    const server = await startLocalServer({ deps, jwt, port: settings.PORT });
    closeServer = server.close;
    logger.info('ready', {
      url: server.url,
      health: `${server.url}/health`,
      dynamodb: dynamo.endpoint,
      table: settings.TABLE_NAME,
      tableCreated: created,
      demoDirectorySeeded: seeded,
      dataDir: settings.dataDir,
      token: 'npm run token -- --role coordinator --sub alice',
    });
  } catch (error) {
    logger.error('start-up failed', { error });
    await dynamo?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
