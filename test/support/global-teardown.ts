import type { DynamoDbLocal } from '../../infra/local/dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  const instances = (globalThis as { __dynamoDbLocal?: DynamoDbLocal[] }).__dynamoDbLocal ?? [];
  await Promise.all(instances.map((dynamo) => dynamo.stop()));
}
