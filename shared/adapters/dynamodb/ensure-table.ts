import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { keys } from './keys';
import { rememberLiveListing } from './live-listing';
import { createTableInput, TABLE_DEFINITION } from './table-definition';

/**
 * Creates the table from the single definition when it is missing, and adds
 * any index the definition gained since (local runs and tests; on AWS the CDK
 * stack owns the table). Returns true when the table was created. A new table
 * holds no session written before live sessions were listed through their own
 * items, so it is born with the marker that says so (live-listing.ts).
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  let existing: Set<string> | undefined;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? ''));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const marker = { pk: { S: keys.liveListingMarker().pk }, sk: { S: keys.liveListingMarker().sk } };
  if (existing !== undefined) {
    await addMissingIndexes(client, tableName, existing);
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: marker, ConsistentRead: true }));
    if (Item !== undefined) rememberLiveListing(tableName);
    return false;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
    }),
  );
  await client.send(new PutItemCommand({ TableName: tableName, Item: { ...marker, entity: { S: 'meta' } } }));
  rememberLiveListing(tableName);
  return true;
}

async function addMissingIndexes(client: DynamoDBClient, tableName: string, existing: Set<string>): Promise<void> {
  for (const index of TABLE_DEFINITION.globalSecondaryIndexes) {
    if (existing.has(index.name)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
  }
}
