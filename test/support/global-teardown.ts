import type { DynamoDbLocal } from '../../infra/local/dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  const dynamo = (globalThis as { __dynamoDbLocal?: DynamoDbLocal }).__dynamoDbLocal;
  await dynamo?.stop();
}
