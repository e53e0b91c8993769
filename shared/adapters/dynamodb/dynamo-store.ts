import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StorePorts } from '../../ports/store';
import { DynamoReconcileCursor } from './dynamo-reconcile-cursor';
import { DynamoRetentionStore } from './dynamo-retention-store';
import { DynamoSessionHistory } from './dynamo-session-history';
import { DynamoSessionIndexes } from './dynamo-session-indexes';
import { DynamoSessionRepository, type DynamoSessionRepositoryOptions } from './dynamo-session-repository';
import { DynamoUsageReader } from './dynamo-usage-reader';
import { LiveListingBackfill } from './live-listing';
import { DynamoTable } from './table';

export { seedItems } from './session-items';

/** The store's ports on one DynamoDB table. */
export function dynamoStorePorts(db: DynamoDBDocumentClient, tableName: string, options: DynamoSessionRepositoryOptions): StorePorts {
  const table = new DynamoTable(db, tableName);
  return {
    sessions: new DynamoSessionRepository(table, options),
    indexes: new DynamoSessionIndexes(table),
    usage: new DynamoUsageReader(table, options.directoryCache),
    history: new DynamoSessionHistory(table),
    retention: new DynamoRetentionStore(table),
    reconcileCursor: new DynamoReconcileCursor(table),
    migration: new LiveListingBackfill(table),
  };
}
