import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClients {
  readonly client: DynamoDBClient;
  readonly document: DynamoDBDocumentClient;
}

/** Builds the low-level and document clients once; `endpoint` points at DynamoDB Local. */
export function createDynamoClients(config: DynamoDBClientConfig = {}): DynamoClients {
  const client = new DynamoDBClient(config);
  const document = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, document };
}

/** Settings for DynamoDB Local: fixed dummy credentials and region, so every process sees one database. */
export function localDynamoConfig(endpoint: string): DynamoDBClientConfig {
  return {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  };
}
