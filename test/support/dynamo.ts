import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { createDynamoClients, type DynamoClients, localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import { ensureTable } from '../../shared/adapters/dynamodb/ensure-table';
import { RequestCounter } from '../../shared/adapters/dynamodb/request-counter';

export interface TestTable {
  readonly tableName: string;
  readonly dynamo: DynamoClients;
  /** Counts every DynamoDB request this file's clients send. */
  readonly requests: RequestCounter;
}

/** A fresh table on the run's DynamoDB Local, for one test file. */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run through jest (globalSetup starts DynamoDB Local).');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const dynamo = createDynamoClients(localDynamoConfig(endpoint));
  await ensureTable(dynamo.client, tableName);
  const requests = new RequestCounter().attach(dynamo.client);
  created.push(tableName);
  return { tableName, dynamo, requests };
}

/** Tables this test file created and has not dropped yet. */
const created: string[] = [];

/**
 * Drops every table this test file created (run after each file, see
 * timeout.ts): DynamoDB Local slows down as data piles up over a run, so
 * each file starts from an empty store. Uses its own client, as the file's
 * may be destroyed by then.
 */
export async function dropTestTables(): Promise<void> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint || created.length === 0) return;
  const client = new DynamoDBClient(localDynamoConfig(endpoint));
  try {
    for (const tableName of created.splice(0)) {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch((error: unknown) => {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      });
    }
  } finally {
    client.destroy();
  }
}
