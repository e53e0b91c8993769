import { randomUUID } from 'node:crypto';
import { createDynamoClients, localDynamoConfig, type DynamoClients } from '../../shared/adapters/dynamodb/client';
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
  return { tableName, dynamo, requests };
}
